"""GET/POST /wechat: URL verification, signatures, safe mode, and bad or hostile input (never a
500, never stored)."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from wechatpy.crypto import WeChatCrypto

from connectors.wechat import EMPTY_TEXT, MEDIA_NOTE, UNSUPPORTED_NOTE
from gateway.app import create_app
from persistence.models import Conversation, Message
from wechat_fakes import AES_KEY, OPENID, TOKEN, WeChatServer, media_xml, sign, text_xml

SESSION = f"wx-{OPENID}"


def stored(client: TestClient) -> list[Message]:
    with client.app.state.store._sessions() as db:
        return list(db.scalars(select(Message)))


def assert_nothing_processed(client: TestClient, servers) -> None:
    assert stored(client) == []
    assert servers.webhook_requests == []


# --- URL verification ---------------------------------------------------------------------------


def now() -> str:
    return str(int(time.time()))


def test_url_verification_echoes_echostr_when_signed(client):
    ts = now()
    params = {"signature": sign(TOKEN, ts, "n1"), "timestamp": ts, "nonce": "n1", "echostr": "4123456789"}
    response = client.get("/wechat", params=params)
    assert response.status_code == 200
    assert response.text == "4123456789"
    assert response.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(
    "params",
    [
        {"signature": "0" * 40, "timestamp": "1700000000", "nonce": "n1", "echostr": "abc"},
        {"timestamp": "1700000000", "nonce": "n1", "echostr": "abc"},
        {"signature": sign("another-token", "1700000000", "n1"), "timestamp": "1700000000", "nonce": "n1", "echostr": "abc"},
        {},
    ],
)
def test_url_verification_with_wrong_or_missing_signature_is_403(client, params):
    response = client.get("/wechat", params=params)
    assert response.status_code == 403
    assert response.json() == {"detail": "签名校验失败"}


def test_url_verification_does_not_reflect_markup(client):
    ts = now()
    params = {"signature": sign(TOKEN, ts, "n"), "timestamp": ts, "nonce": "n", "echostr": "<script>alert(1)</script>"}
    response = client.get("/wechat", params=params)
    assert response.status_code == 400
    assert "<script>" not in response.text


# --- signatures on messages ---------------------------------------------------------------------


def test_message_with_wrong_signature_is_403_and_nothing_is_processed(client, servers, wechat):
    params = wechat.query() | {"signature": "f" * 40}
    response = wechat.post_raw(text_xml("上海5G试点什么时候截止"), params)
    assert response.status_code == 403
    assert response.json()["detail"] == "签名校验失败"
    missing = {k: v for k, v in wechat.query().items() if k != "signature"}
    assert wechat.post_raw(text_xml("你好"), missing).status_code == 403
    assert_nothing_processed(client, servers)
    assert client.app.state.metrics.value("gateway_wechat_bad_signatures_total") == 2


def test_safe_mode_with_wrong_msg_signature_is_403_and_nothing_is_processed(client, servers, wechat_aes):
    params = wechat_aes.query()
    envelope = wechat_aes.crypto.encrypt_message(text_xml("你好"), params["nonce"], params["timestamp"])
    for msg_signature in ("0" * 40, None):
        query = params | {"encrypt_type": "aes"} | ({"msg_signature": msg_signature} if msg_signature else {})
        assert wechat_aes.post_raw(envelope, query).status_code == 403
    assert_nothing_processed(client, servers)


# --- plain and safe mode exchanges -------------------------------------------------------------


def test_plain_text_message_is_answered_passively_and_stored_as_a_wechat_conversation(client, servers, wechat):
    servers.rasa_replies = [{"recipient_id": SESSION, "text": "已于2021年1月19日17:00截止。"}]
    assert wechat.ask(text_xml("上海5G试点什么时候截止")) == "已于2021年1月19日17:00截止。"
    assert servers.webhook_requests == [{"sender": SESSION, "message": "上海5G试点什么时候截止"}]
    rows = stored(client)
    assert [(m.session_id, m.sender, m.text) for m in rows] == [
        (SESSION, "user", "上海5G试点什么时候截止"),
        (SESSION, "bot", "已于2021年1月19日17:00截止。"),
    ]
    with client.app.state.store._sessions() as db:
        assert db.get(Conversation, SESSION).channel == "wechat"


def test_safe_mode_message_is_decrypted_and_the_reply_encrypted(client, servers, wechat_aes):
    servers.rasa_replies = [
        {"text": "已于2021年1月19日17:00截止。"},
        {"custom": {"citations": [{"doc": "sh5g", "title": "上海申报通知", "clause": "五、有关事宜 > （三）", "quote": "……"}]}},
    ]
    response = wechat_aes.post(text_xml("上海5G试点什么时候截止"))
    assert "截止" not in response.text  # encrypted on the wire
    reply = wechat_aes.reply(response)
    assert reply["Content"] == "已于2021年1月19日17:00截止。\n依据：《上海申报通知》五、有关事宜 > （三）"
    assert servers.webhook_requests[0]["message"] == "上海5G试点什么时候截止"


def test_plain_messages_are_still_accepted_when_a_key_is_set(wechat, servers):
    servers.rasa_replies = [{"text": "您好"}]
    assert wechat.ask(text_xml("你好")) == "您好"


def test_encrypted_message_without_a_configured_key_is_refused_with_a_clear_400(settings, servers):
    app = create_app(settings.model_copy(update={"wechat_encoding_aes_key": ""}), knowledge_loader=lambda: None)
    with TestClient(app) as client:
        response = WeChatServer(client, aes=True).post(text_xml("你好"))
    assert response.status_code == 400
    assert "WECHAT_ENCODING_AES_KEY" in response.json()["detail"]


def test_message_encrypted_for_another_account_is_ignored(client, servers, wechat_aes):
    wechat_aes.crypto = WeChatCrypto(TOKEN, AES_KEY, "wx_another_app")
    response = wechat_aes.post(text_xml("你好"))
    assert response.status_code == 200 and response.text == "success"
    assert_nothing_processed(client, servers)


def test_without_a_token_the_endpoint_is_not_enabled(settings):
    app = create_app(settings.model_copy(update={"wechat_token": ""}), knowledge_loader=lambda: None)
    with TestClient(app) as client:
        assert client.get("/wechat", params={"echostr": "1"}).status_code == 404
        response = client.post("/wechat", content=text_xml("你好"))
    assert response.status_code == 404
    assert "WECHAT_TOKEN" in response.json()["detail"]


# --- bad and hostile input ----------------------------------------------------------------------

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]><xml><ToUserName>gh</ToUserName><FromUserName>" + OPENID + "</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>text</MsgType><Content>&lol9;</Content><MsgId>1</MsgId></xml>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    "<xml><ToUserName>gh</ToUserName><FromUserName>" + OPENID + "</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>text</MsgType><Content>&xxe;</Content><MsgId>2</MsgId></xml>"
)
UNDECLARED_ENTITY = (
    "<xml><ToUserName>gh</ToUserName><FromUserName>" + OPENID + "</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>text</MsgType><Content>&xxe;</Content><MsgId>3</MsgId></xml>"
)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"hello",
        b'{"MsgType": "text"}',
        b"<xml><ToUserName>gh</ToUserName><FromUser",
        b"<xml>just text</xml>",
        b"<xml><FromUserName>" + OPENID.encode() + b"</FromUserName></xml>",  # no MsgType
        b"<other><MsgType>text</MsgType></other>",
        b"\xff\xfe<\x00x\x00",  # not UTF-8
        text_xml("你好", openid="../../etc/passwd").encode(),
        text_xml("你好", openid="o" * 100).encode(),
        text_xml("你好").replace("<MsgId>", "<MsgId>abc").encode(),
        BILLION_LAUGHS.encode(),
        EXTERNAL_ENTITY.encode(),
        UNDECLARED_ENTITY.encode(),
    ],
    ids=[
        "empty", "not-xml", "json", "truncated", "no-fields", "no-msgtype", "other-root", "not-utf8",
        "path-openid", "long-openid", "bad-msgid", "billion-laughs", "external-entity", "undeclared-entity",
    ],
)
def test_unreadable_or_hostile_messages_get_success_and_nothing_is_processed(client, servers, wechat, body):
    started = time.monotonic()
    response = wechat.post_raw(body, wechat.query())
    assert response.status_code == 200
    assert response.text == "success"
    assert time.monotonic() - started < 2
    assert_nothing_processed(client, servers)


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"])
def test_entity_tricks_inside_an_encrypted_message_are_refused(client, servers, wechat_aes, body):
    response = wechat_aes.post(body)
    assert response.status_code == 200 and response.text == "success"
    assert_nothing_processed(client, servers)


def test_entity_declarations_in_the_encrypted_envelope_are_refused(client, servers, wechat_aes):
    params = wechat_aes.query() | {"encrypt_type": "aes", "msg_signature": "0" * 40}
    response = wechat_aes.post_raw(BILLION_LAUGHS.replace("<Content>", "<Encrypt>").replace("</Content>", "</Encrypt>"), params)
    assert response.status_code == 200 and response.text == "success"
    assert_nothing_processed(client, servers)


def test_huge_body_is_refused_with_413(client, servers, wechat):
    response = wechat.post_raw(text_xml("长" * 40_000), wechat.query())
    assert response.status_code == 413
    assert response.json()["detail"] == "消息过大"
    assert_nothing_processed(client, servers)


def test_over_long_or_empty_text_gets_a_polite_note_without_asking_rasa(client, servers, wechat):
    assert wechat.ask(text_xml("问" * 51)) == "消息过长，请控制在50字以内"
    assert wechat.ask(text_xml("   ")) == EMPTY_TEXT
    assert_nothing_processed(client, servers)


@pytest.mark.parametrize("msg_type", ["image", "voice", "video", "shortvideo", "location", "link"])
def test_media_messages_get_a_polite_note(client, servers, wechat, msg_type):
    assert wechat.ask(media_xml(msg_type)) == MEDIA_NOTE
    assert_nothing_processed(client, servers)


def test_unknown_message_type_gets_a_polite_note(client, servers, wechat):
    assert wechat.ask(media_xml("hologram")) == UNSUPPORTED_NOTE
    assert_nothing_processed(client, servers)


def test_a_failing_dedupe_table_does_not_stop_the_answer(client, servers, wechat, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(client.app.state.wechat.state, "claim", broken)
    monkeypatch.setattr(client.app.state.wechat.state, "finish", broken)
    servers.rasa_replies = [{"text": "照常回答"}]
    assert wechat.ask(text_xml("你好")) == "照常回答"


def test_an_unexpected_failure_is_success_not_a_500(client, wechat, monkeypatch):
    async def broken(_inbound):
        raise RuntimeError("boom")

    monkeypatch.setattr(client.app.state.wechat, "handle", broken)
    response = wechat.post(text_xml("你好"))
    assert response.status_code == 200 and response.text == "success"
