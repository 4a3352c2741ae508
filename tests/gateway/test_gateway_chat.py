"""POST /api/chat: round trip through (fake) Rasa, folding, storage, bad input, Rasa down."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from sqlalchemy import create_engine, text

from gateway.rasa_client import fold_messages
from messaging import BUSY_TEXT

from gateway.helpdesk.applicants import TOKEN_HEADER
from gateway_fakes import FAKE_CONTACTS, TEST_TOKEN, bind_test_sessions

CITATION = {"doc": "sh5g", "title": "关于开展2021年上海市5G+医疗健康应用试点项目申报工作的通知", "clause": "四、申报时间", "quote": "2021年1月19日17:00前"}
PAYLOAD = '/inform_program{"program":"sh5g"}'


def rows(db_url: str, sql: str) -> list[dict]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


def test_round_trip_folds_citations_and_keeps_buttons(client, servers):
    servers.rasa_replies = [
        {"recipient_id": "s1", "text": "请问您申报哪个项目？", "buttons": [{"title": "上海5G+医疗", "payload": PAYLOAD}]},
        {"recipient_id": "s1", "text": "网络申报截止：2021年1月19日17:00。"},
        {"recipient_id": "s1", "custom": {"citations": [CITATION]}},
        {"recipient_id": "s1", "image": "https://example.com/x.png"},
    ]
    response = client.post("/api/chat", json={"session_id": "s1", "text": "  截止时间？ "})

    assert response.status_code == 200
    assert servers.webhook_requests == [{"sender": "s1", "message": "截止时间？"}]
    assert response.json() == {
        "session_id": "s1",
        "messages": [
            {"text": "请问您申报哪个项目？", "buttons": [{"title": "上海5G+医疗", "payload": PAYLOAD}], "citations": []},
            {"text": "网络申报截止：2021年1月19日17:00。", "buttons": [], "citations": [CITATION]},
        ],
    }


def test_attachment_is_passed_through(client, servers):
    attachment = {"url": "/downloads/abc/申报书.docx", "filename": "申报书.docx"}
    servers.rasa_replies = [
        {"recipient_id": "s1", "text": "申报书已生成。"},
        {"recipient_id": "s1", "custom": {"attachment": attachment}},
    ]
    message = client.post("/api/chat", json={"session_id": "s1", "text": "导出"}).json()["messages"][0]
    assert message["attachment"] == attachment
    assert message["citations"] == []


def test_fold_custom_without_preceding_text():
    items = [
        {"recipient_id": "s", "custom": {"citations": [CITATION]}},
        {"recipient_id": "s", "custom": {"something": "else"}},
        {"recipient_id": "s", "text": "第二条", "custom": {"citations": [CITATION]}},
    ]
    messages = fold_messages(items)
    assert [m.text for m in messages] == ["", "第二条"]
    assert [len(m.citations) for m in messages] == [1, 1]
    # a custom payload with nothing to show does not become a message
    assert fold_messages([{"custom": {"handoff": True}}]) == []
    assert fold_messages([{"image": "x.png"}, "junk", 5]) == []


def test_citations_from_several_customs_accumulate():
    other = {**CITATION, "clause": "五、申报方式"}
    messages = fold_messages(
        [{"text": "a"}, {"custom": {"citations": [CITATION]}}, {"custom": {"citations": [other]}}, {"text": "b"}]
    )
    assert [c.clause for c in messages[0].citations] == ["四、申报时间", "五、申报方式"]
    assert messages[1].citations == []


def test_empty_rasa_answer_to_a_command_gives_no_messages(client, servers):
    servers.rasa_replies = []
    response = client.post("/api/chat", json={"session_id": "s1", "text": "/restart"})
    assert response.json() == {"session_id": "s1", "messages": []}


def test_empty_rasa_answer_to_a_question_gives_the_busy_reply(client, servers):
    servers.rasa_replies = []  # what Rasa sends when its action server is down
    response = client.post("/api/chat", json={"session_id": "s1", "text": "材料交几份"})
    assert response.status_code == 200
    assert "繁忙" in response.json()["messages"][0]["text"]


def test_exchange_is_stored(client, servers, db_url):
    servers.rasa_replies = [
        {"recipient_id": "web-1", "text": "截止时间是……", "buttons": [{"title": "更多", "payload": "/more"}]},
        {"recipient_id": "web-1", "custom": {"citations": [CITATION]}},
    ]
    client.post("/api/chat", json={"session_id": "web-1", "text": "截止时间？"})
    client.post("/api/chat", json={"session_id": "web-1", "text": "谢谢"})

    conversations = rows(db_url, "SELECT session_id, channel, created_at, updated_at FROM conversations")
    assert len(conversations) == 1
    assert conversations[0]["session_id"] == "web-1" and conversations[0]["channel"] == "web"

    messages = rows(db_url, "SELECT sender, text, buttons, citations FROM messages WHERE session_id='web-1' ORDER BY id")
    assert [(m["sender"], m["text"]) for m in messages] == [
        ("user", "截止时间？"),
        ("bot", "截止时间是……"),
        ("user", "谢谢"),
        ("bot", "截止时间是……"),
    ]
    assert json.loads(messages[1]["buttons"]) == [{"title": "更多", "payload": "/more"}]
    assert json.loads(messages[1]["citations"]) == [CITATION]
    assert json.loads(messages[0]["citations"]) == []


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ('{"session_id": "s1", "text": ""}', 422, "消息不能为空"),
        ('{"session_id": "s1", "text": " \\n\\t　"}', 422, "消息不能为空"),
        (json.dumps({"session_id": "s1", "text": "字" * 2001}), 413, "消息过长，请控制在2000字以内"),
        ('{"session_id": "s1", "text": ', 400, "请求格式错误：不是合法的JSON"),
        ("not json at all", 400, "请求格式错误：不是合法的JSON"),
        ('{"session_id": "s1"}', 422, "缺少字段：text"),
        ('{"session_id": "s1", "text": 5}', 422, "字段类型错误：text应为字符串"),
        ('{"session_id": "s1", "text": null}', 422, "字段类型错误：text应为字符串"),
        ('{"session_id": 7, "text": "你好"}', 422, "字段类型错误：session_id应为字符串"),
        ('{"session_id": "", "text": "你好"}', 422, "session_id格式错误：应为1-64位字母、数字或 _ - . : 字符"),
        ('{"session_id": "a b", "text": "你好"}', 422, "session_id格式错误：应为1-64位字母、数字或 _ - . : 字符"),
        (json.dumps({"session_id": "s" * 65, "text": "你好"}), 422, "session_id格式错误：应为1-64位字母、数字或 _ - . : 字符"),
        ('["s1", "你好"]', 422, "请求格式错误：请求体应为JSON对象"),
        ("", 422, "缺少请求体：请发送JSON对象"),
    ],
)
def test_bad_input_gets_chinese_detail(client, servers, db_url, body, status, detail):
    response = client.post("/api/chat", content=body, headers={"content-type": "application/json"})
    assert response.status_code == status
    assert response.json() == {"detail": detail}
    assert servers.webhook_requests == []
    assert rows(db_url, "SELECT id FROM messages") == []


def test_missing_both_fields_names_both(client):
    response = client.post("/api/chat", json={})
    assert response.status_code == 422
    assert response.json()["detail"] == "缺少字段：text"


def test_non_json_content_type_is_refused(client):
    response = client.post("/api/chat", content='{"session_id": "s1", "text": "你好"}', headers={"content-type": "text/plain"})
    assert response.status_code == 415
    assert "application/json" in response.json()["detail"]


def test_longest_allowed_message_and_session_id_pass(client, servers, db_url):
    session_id = "A-z_0.9:" * 8
    bind_test_sessions(db_url, (session_id,))
    response = client.post("/api/chat", json={"session_id": session_id, "text": "字" * 2000})
    assert response.status_code == 200
    assert servers.webhook_requests[0]["sender"] == session_id


def test_unknown_route_and_method_are_chinese(client):
    assert client.get("/api/nothing").json() == {"detail": "未找到请求的地址"}
    response = client.get("/api/chat")
    assert response.status_code == 405 and response.json() == {"detail": "不支持该请求方法"}


def _busy(servers, failure: str) -> None:
    if failure == "unreachable":
        servers.rasa_up = False
    elif failure == "timeout":
        def timeout(request: httpx.Request) -> httpx.Response:
            raise httpx.ReadTimeout("timed out", request=request)
        servers.rasa_handler = timeout
    elif failure == "http500":
        servers.rasa_handler = lambda request: httpx.Response(500, text="Internal Server Error")
    elif failure == "not-json":
        servers.rasa_handler = lambda request: httpx.Response(200, text="<html>")
    elif failure == "not-a-list":
        servers.rasa_handler = lambda request: httpx.Response(200, json={"error": "x"})


@pytest.mark.parametrize("failure", ["unreachable", "timeout", "http500", "not-json", "not-a-list"])
def test_rasa_failure_gives_busy_reply_with_contacts_and_is_stored(client, servers, db_url, failure):
    _busy(servers, failure)
    response = client.post("/api/chat", json={"session_id": "s9", "text": "截止时间？"})

    assert response.status_code == 200
    messages = response.json()["messages"]
    assert len(messages) == 1
    assert messages[0]["text"] == f"{BUSY_TEXT}\n{FAKE_CONTACTS}"
    assert messages[0]["buttons"] == [] and messages[0]["citations"] == []

    stored = rows(db_url, "SELECT sender, text FROM messages WHERE session_id='s9' ORDER BY id")
    assert stored == [{"sender": "user", "text": "截止时间？"}, {"sender": "bot", "text": f"{BUSY_TEXT}\n{FAKE_CONTACTS}"}]
    assert "gateway_rasa_errors_total 1" in client.get("/metrics").text


def test_busy_reply_without_knowledge_base_still_answers(settings, servers):
    from fastapi.testclient import TestClient

    from gateway.app import create_app

    def broken():
        raise RuntimeError("knowledge base missing")

    app = create_app(settings, transport=httpx.MockTransport(servers.handle), knowledge_loader=broken)
    servers.rasa_up = False
    with TestClient(app) as client:
        response = client.post("/api/chat", json={"text": "你好"})
    assert response.status_code == 200
    assert response.json()["messages"] == [{"text": BUSY_TEXT, "buttons": [], "citations": []}]


def test_store_failure_does_not_break_the_reply(client, app, servers):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    app.state.store.save_exchange = broken
    response = client.post("/api/chat", json={"session_id": "s1", "text": "你好"})
    assert response.status_code == 200
    assert response.json()["messages"][0]["text"] == "你好"
    assert "gateway_store_errors_total 1" in client.get("/metrics").text


def test_many_concurrent_messages_are_all_stored(app, servers, db_url):
    """400 concurrent messages over 40 conversations are all answered and stored (speed: make bench)."""
    servers.rasa_replies = [{"recipient_id": "x", "text": "好的"}, {"custom": {"citations": [CITATION]}}]
    total = 400

    async def run() -> None:
        async with app.router.lifespan_context(app):
            bind_test_sessions(db_url, tuple(f"s{i}" for i in range(40)))
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://gw", headers={TOKEN_HEADER: TEST_TOKEN}) as http:
                responses = await asyncio.gather(
                    *(http.post("/api/chat", json={"session_id": f"s{i % 40}", "text": f"问题{i}"}) for i in range(total))
                )
        assert all(r.status_code == 200 for r in responses)

    asyncio.run(run())
    assert rows(db_url, "SELECT COUNT(*) AS n FROM messages")[0]["n"] == 2 * total
    assert rows(db_url, "SELECT COUNT(*) AS n FROM conversations")[0]["n"] == 40

