"""Input the gateway cannot pass on is refused in Chinese; nothing a client sends makes a 500."""
from __future__ import annotations

import json

import pytest

from messaging import BUSY_TEXT
from gateway_fakes import FAKE_CONTACTS


def test_a_lone_surrogate_is_refused_with_a_chinese_422_and_never_reaches_rasa(client, servers):
    response = client.post("/api/chat", content='{"session_id": "s1", "text": "材料\\ud800几份"}',
                           headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert "无法识别的字符" in response.json()["detail"]
    assert servers.webhook_requests == []
    # and the connection is still usable for the next question
    assert client.post("/api/chat", json={"session_id": "s1", "text": "材料几份"}).status_code == 200


@pytest.mark.parametrize(("text", "passed_on"), [("材料\x00几份", "材料几份"), ("\x00 截止时间\x07", "截止时间")])
def test_control_characters_are_removed_before_rasa(client, servers, text, passed_on):
    assert client.post("/api/chat", json={"session_id": "s1", "text": text}).status_code == 200
    assert servers.webhook_requests[-1]["message"] == passed_on


def test_only_control_characters_is_an_empty_message(client, servers):
    response = client.post("/api/chat", json={"session_id": "s1", "text": "\x00\x01 \x1f"})
    assert response.status_code == 422 and response.json() == {"detail": "消息不能为空"}


def test_an_unexpected_error_while_routing_gets_the_busy_reply(client, app, servers, monkeypatch):
    async def broken(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(app.state.rasa, "send", broken)
    response = client.post("/api/chat", json={"session_id": "s1", "text": "截止时间？"})
    assert response.status_code == 200
    assert response.json()["messages"][0]["text"] == f"{BUSY_TEXT}\n{FAKE_CONTACTS}"
    assert "gateway_route_errors_total 1" in client.get("/metrics").text


def test_a_body_over_the_limit_is_413_before_it_is_read(client):
    huge = b'{"session_id": "s1", "text": "' + b"a" * 1_100_000 + b'"}'
    response = client.post("/api/chat", content=huge, headers={"content-type": "application/json"})
    assert response.status_code == 413 and response.json() == {"detail": "请求内容过大"}


def test_a_deeply_nested_body_is_a_chinese_400(client):
    response = client.post("/api/chat", content="[" * 100_000 + "]" * 100_000, headers={"content-type": "application/json"})
    assert response.status_code in (400, 422)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["detail"])


def test_openapi_documents_the_error_bodies_the_gateway_sends(client):
    document = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in json.dumps(document)
    chat = document["paths"]["/api/chat"]["post"]
    for status in ("400", "413", "415", "422"):
        assert chat["responses"][status]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorResponse"}
    text_schema = document["components"]["schemas"]["ChatRequest"]["properties"]["text"]
    assert text_schema["minLength"] == 1 and text_schema["pattern"]
    assert document["components"]["schemas"]["TopicKey"]["enum"][:2] == ["deadline", "eligibility"]
    history = next(p for p in document["paths"]["/api/history"]["get"]["parameters"] if p["name"] == "session_id")
    assert history["schema"]["pattern"] == "^[A-Za-z0-9_\\-.:]{1,64}$"
    feedback = document["components"]["schemas"]["FeedbackRequest"]["properties"]
    assert feedback["rating"]["enum"] == ["up", "down"] and feedback["message_id"]["minimum"] == 1


@pytest.mark.parametrize("rating", ["UP ", "Down", "meh"])
def test_feedback_accepts_only_the_documented_ratings(client, rating):
    response = client.post("/api/feedback", json={"session_id": "s1", "message_id": 1, "rating": rating})
    assert response.status_code == 422 and "rating应为up" in response.json()["detail"]


def test_wechat_errors_are_documented_as_the_json_they_are(settings, servers):
    import httpx
    from fastapi.testclient import TestClient

    from gateway.app import create_app

    app = create_app(settings.model_copy(update={"wechat_token": "t"}), transport=httpx.MockTransport(servers.handle))
    with TestClient(app) as client:
        refused = client.get("/wechat", params={"signature": "x", "timestamp": "1", "nonce": "n", "echostr": "e"})
        document = client.get("/openapi.json").json()
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("application/json")
    for operation in document["paths"]["/wechat"].values():
        assert list(operation["responses"]["403"]["content"]) == ["application/json"]


def test_405_lists_every_method_the_path_serves(client):
    response = client.request("OPTIONS", "/api/console/faq")
    assert response.status_code == 405 and response.json() == {"detail": "不支持该请求方法"}
    assert set(response.headers["allow"].split(", ")) >= {"GET", "POST"}


def test_a_session_cannot_be_named_and_ids_beyond_json_precision_are_refused(client):
    named = client.post("/api/session", json={"session_id": "web-mine"})
    assert named.status_code == 422 and "服务器生成" in named.json()["detail"]
    huge = client.post("/api/feedback", json={"session_id": "s1", "message_id": 2**62 + 95, "rating": "up"})
    assert huge.status_code == 422


@pytest.mark.parametrize("key", ["short", "x" * 129, "有中文的幂等键abcdefghijklmn", "spaces are not allowed here"])
def test_a_bad_idempotency_key_is_a_chinese_422(client, servers, key):
    from persistence.idempotency import BAD_KEY

    response = client.post("/api/chat", json={"text": "上海5G试点几号截止"}, headers={"Idempotency-Key": key.encode("utf-8")})
    assert response.status_code == 422 and response.json() == {"detail": BAD_KEY}


def test_the_idempotency_key_format_is_documented(client):
    """schemathesis sends only keys the schema allows; the server must accept every one of them."""
    parameters = client.get("/openapi.json").json()["paths"]["/api/chat"]["post"]["parameters"]
    schema = next(p for p in parameters if p["name"] == "Idempotency-Key")["schema"]
    assert schema["type"] == "string" and "anyOf" not in schema  # never "null": a header is a string
    assert (schema["minLength"], schema["maxLength"]) == (16, 128) and schema["pattern"].startswith("^")
