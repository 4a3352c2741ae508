"""connectors/web.py over a real WebSocket (TestClient) with a fake Rasa: the protocol, replay
after an id, de-duplication by client_id, pushes, reconnects, and bad frames."""

from __future__ import annotations

import asyncio
import json
import logging

import httpx
import pytest
from sqlalchemy import create_engine, text

import connectors.web as web
from gateway.schemas import BotMessage, Citation
from gateway_fakes import TEST_TOKEN
from web_fakes import CITATION, hello, nothing_within, receive, receive_until, say

PAYLOAD = '/inform_program{"program":"sh5g"}'


def rows(db_url: str, sql: str) -> list[dict]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


def answer_with_echo(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    return httpx.Response(200, json=[{"recipient_id": body["sender"], "text": f"答：{body['message']}"}])


def test_hello_welcome_then_message_gets_echo_and_cited_reply(client, servers, db_url):
    servers.rasa_replies = [
        {"recipient_id": "s1", "text": "集中受理已于2021年1月19日17:00截止。", "buttons": [{"title": "材料", "payload": "/ask_documents"}]},
        {"recipient_id": "s1", "custom": {"citations": [CITATION]}},
    ]
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "hello", "session_id": "s1", "after": 0, "token": TEST_TOKEN})
        assert receive(ws) == {"type": "welcome", "session_id": "s1", "last_id": 0, "max_chars": 50}
        say(ws, "c-1", "  截止时间？ ")
        user, bot = receive(ws), receive(ws)

    assert servers.webhook_requests == [{"sender": "s1", "message": "截止时间？"}]
    assert user["type"] == "message" and user["sender"] == "user" and user["client_id"] == "c-1"
    assert user["text"] == "截止时间？" and user["id"] == 1 and user["created_at"].endswith("+00:00")
    assert bot["sender"] == "bot" and bot["id"] == 2
    assert bot["text"] == "集中受理已于2021年1月19日17:00截止。"
    assert bot["buttons"] == [{"title": "材料", "payload": "/ask_documents"}]
    assert bot["citations"] == [CITATION]
    assert "attachment" not in bot
    stored = rows(db_url, "SELECT id, sender, text, client_id FROM messages ORDER BY id")
    assert stored == [
        {"id": 1, "sender": "user", "text": "截止时间？", "client_id": "c-1"},
        {"id": 2, "sender": "bot", "text": "集中受理已于2021年1月19日17:00截止。", "client_id": None},
    ]


def test_quick_reply_sends_payload_and_keeps_title(client, servers):
    with client.websocket_connect("/ws") as ws:
        hello(ws, "s1")
        say(ws, "c-1", PAYLOAD, title="上海5G+医疗")
        user = receive(ws)
        receive(ws)
    assert servers.webhook_requests == [{"sender": "s1", "message": PAYLOAD}]
    assert user["text"] == PAYLOAD and user["title"] == "上海5G+医疗"
    history = client.get("/api/history", params={"session_id": "s1"}).json()["messages"]
    assert history[0]["title"] == "上海5G+医疗"


def test_attachment_reaches_the_browser(client, servers):
    attachment = {"url": "/downloads/x/申报书.docx", "filename": "申报书.docx"}
    servers.rasa_replies = [{"text": "申报书已生成。"}, {"custom": {"attachment": attachment}}]
    with client.websocket_connect("/ws") as ws:
        hello(ws, "s1")
        say(ws, "c-1", "导出")
        receive(ws)
        assert receive(ws)["attachment"] == attachment


def test_replay_after_an_id_in_order(client, servers):
    servers.rasa_handler = answer_with_echo
    with client.websocket_connect("/ws") as ws:
        hello(ws, "s1")
        for n in range(3):
            say(ws, f"c-{n}", f"问题{n}")
            receive(ws), receive(ws)

    with client.websocket_connect("/ws") as ws:
        replay = hello(ws, "s1", after=2)
    assert [(f["id"], f["sender"], f["text"]) for f in replay] == [
        (3, "user", "问题1"), (4, "bot", "答：问题1"), (5, "user", "问题2"), (6, "bot", "答：问题2"),
    ]

    with client.websocket_connect("/ws") as ws:  # a fresh page: the whole (recent) history
        assert [f["id"] for f in hello(ws, "s1", after=None)] == [1, 2, 3, 4, 5, 6]
        assert hello(ws, "s1", after=6) == []  # up to date: nothing replayed


def test_fresh_page_gets_only_the_latest_messages(app, client, servers):
    app.state.web_chat.replay_limit = 3
    servers.rasa_handler = answer_with_echo
    with client.websocket_connect("/ws") as ws:
        hello(ws, "s1")
        for n in range(3):
            say(ws, f"c-{n}", f"问题{n}")
            receive(ws), receive(ws)
        assert [f["id"] for f in hello(ws, "s1", after=0)] == [4, 5, 6]
        assert [f["id"] for f in hello(ws, "s1", after=1)] == [2, 3, 4]  # nothing skipped after an id


def test_other_sessions_are_not_replayed_or_pushed(client, servers):
    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        hello(a, "alice")
        hello(b, "bob")
        say(a, "c-1", "你好")
        receive(a), receive(a)
        assert nothing_within(b)
        assert hello(b, "bob") == []


def test_same_client_id_twice_is_stored_and_answered_once(client, servers, db_url):
    with client.websocket_connect("/ws") as ws:
        hello(ws, "s1")
        say(ws, "c-1", "你好")
        first, _ = receive(ws), receive(ws)
        say(ws, "c-1", "你好")
        again = receive(ws)
        assert nothing_within(ws)
    assert again == first  # the acknowledgement of the stored message, no new reply
    assert len(servers.webhook_requests) == 1
    assert rows(db_url, "SELECT count(*) AS n FROM messages") == [{"n": 2}]


def test_resend_after_reconnect_is_not_duplicated(client, servers, db_url):
    """The socket drops before the browser saw the echo; it reconnects, gets the reply by
    replay, resends the message (it cannot know it arrived): stored and answered once."""
    servers.rasa_handler = answer_with_echo
    with client.websocket_connect("/ws") as ws:
        hello(ws, "s1")
        say(ws, "c-1", "问题")
        receive(ws)  # the echo is on its way when the network drops
    with client.websocket_connect("/ws") as ws:
        replay = hello(ws, "s1", after=0)
        while len(replay) < 2:  # the reply may still be in flight: it is then pushed
            replay.append(receive(ws))
        assert [(f["sender"], f["text"]) for f in replay] == [("user", "问题"), ("bot", "答：问题")]
        say(ws, "c-1", "问题")
        assert receive(ws)["id"] == replay[0]["id"]
        assert nothing_within(ws)
    assert len(servers.webhook_requests) == 1
    assert rows(db_url, "SELECT sender FROM messages ORDER BY id") == [{"sender": "user"}, {"sender": "bot"}]


def test_resend_while_the_original_is_being_answered(client, servers):
    """Rasa is slow; the browser reconnects meanwhile and resends: one answer, on the new socket."""
    release = asyncio.Event()

    async def slow(request: httpx.Request) -> httpx.Response:
        await release.wait()
        return httpx.Response(200, json=[{"text": "慢回答"}])

    servers.rasa_handler = slow
    with client.websocket_connect("/ws") as old:
        hello(old, "s1")
        say(old, "c-1", "问题")
        echo = receive(old)
    with client.websocket_connect("/ws") as ws:
        assert [f["id"] for f in hello(ws, "s1", after=0)] == [echo["id"]]
        say(ws, "c-1", "问题")
        assert receive(ws)["id"] == echo["id"]  # acknowledged at once, not answered again
        client.portal.call(release.set)
        reply = receive(ws)
        assert reply["sender"] == "bot" and reply["text"] == "慢回答"
        assert nothing_within(ws)
    assert len(servers.webhook_requests) == 1


def test_stored_but_unanswered_message_is_answered_on_resend(app, client, servers, monkeypatch):
    """The server stored the message, then restarted before Rasa answered: the resend is
    not stored again, and it is answered once (by the hello, which finds it unanswered)."""
    monkeypatch.setattr(web, "UNANSWERED_GRACE_SECONDS", 0.2)
    store = app.state.store
    stored = store.save_user_message("s1", "问题", client_id="c-1").message
    with client.websocket_connect("/ws") as ws:
        assert [f["id"] for f in hello(ws, "s1", after=0)] == [stored.id]
        say(ws, "c-1", "问题")
        frames = receive_until_sender(ws, "bot")
        assert {f["id"] for f in frames[:-1]} == {stored.id}  # acknowledgements of the one message
    assert servers.webhook_requests == [{"sender": "s1", "message": "问题"}]
    assert [m.sender for m in store.messages("s1")] == ["user", "bot"]


def receive_until_sender(ws, sender: str) -> list[dict]:
    frames = [receive(ws)]
    while frames[-1].get("sender") != sender:
        frames.append(receive(ws))
    return frames


def test_messages_are_answered_in_order(client, servers):
    servers.rasa_handler = answer_with_echo
    with client.websocket_connect("/ws") as ws:
        hello(ws, "s1")
        for n in range(4):
            say(ws, f"c-{n}", f"问{n}")
        frames = [receive(ws) for _ in range(8)]
    assert [(f["sender"], f["text"]) for f in frames] == [
        pair for n in range(4) for pair in (("user", f"问{n}"), ("bot", f"答：问{n}"))
    ]
    assert [f["id"] for f in frames] == sorted(f["id"] for f in frames)


def test_user_message_and_reply_reach_every_tab_of_the_session(client, servers):
    with client.websocket_connect("/ws") as tab1, client.websocket_connect("/ws") as tab2:
        hello(tab1, "s1")
        hello(tab2, "s1")
        say(tab1, "c-1", "你好")
        frames1 = [receive(tab1), receive(tab1)]
        frames2 = [receive(tab2), receive(tab2)]
    assert frames1 == frames2
    assert [f["sender"] for f in frames2] == ["user", "bot"]


def test_push_reaches_connected_sockets_and_is_stored(app, client):
    channel = app.state.web_chat
    with client.websocket_connect("/ws") as tab1, client.websocket_connect("/ws") as tab2, \
            client.websocket_connect("/ws") as other:
        hello(tab1, "s1")
        hello(tab2, "s1")
        hello(other, "s2")
        assert channel.connected("s1") == 2
        message = BotMessage(text="您好，我是人工客服小王。", citations=[Citation(**CITATION)])
        frame = client.portal.call(lambda: channel.push("s1", message, sender="staff"))
        assert receive(tab1) == frame == receive(tab2)
        assert nothing_within(other)
    assert frame["sender"] == "staff" and frame["citations"] == [CITATION] and frame["id"] == 1
    assert [(m.sender, m.text) for m in app.state.store.messages("s1")] == [("staff", "您好，我是人工客服小王。")]
    assert channel.connected("s1") == 0  # closed sockets leave the registry


def test_push_while_offline_arrives_on_reconnect(app, client):
    with client.websocket_connect("/ws") as ws:
        hello(ws, "s1")
        say(ws, "c-1", "你好")
        receive(ws), receive(ws)
    with client.websocket_connect("/ws") as ws:
        replay = hello(ws, "s1", after=0)
    last_id = replay[-1]["id"]

    frame = client.portal.call(lambda: web.push("s1", "提醒：材料请于明天17:00前提交。"))
    assert frame["sender"] == "bot"
    with client.websocket_connect("/ws") as ws:
        replay = hello(ws, "s1", after=last_id)
    assert [(f["id"], f["text"]) for f in replay] == [(frame["id"], "提醒：材料请于明天17:00前提交。")]


@pytest.mark.parametrize("pushed_before_read", [True, False])
def test_push_during_replay_is_sent_once_after_it(app, client, monkeypatch, pushed_before_read):
    """A message pushed while a reconnecting socket's replay is being read comes after the
    replay, once: skipped if the replay already has it, sent after it otherwise."""
    channel = app.state.web_chat
    store = app.state.store
    old = store.save_bot_messages("s1", [BotMessage(text="旧消息")])[0]
    original = store.messages_after
    pushed: list[dict] = []

    def messages_after_with_a_push(session_id, after_id=0, limit=200):
        # runs in a worker thread while the socket is registered but holds live frames back
        if pushed_before_read:
            pushed.append(client.portal.call(lambda: channel.push("s1", "新消息")))
        result = original(session_id, after_id, limit)
        if not pushed_before_read:
            pushed.append(client.portal.call(lambda: channel.push("s1", "新消息")))
        return result

    monkeypatch.setattr(store, "messages_after", messages_after_with_a_push)
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "hello", "session_id": "s1", "after": 0, "token": TEST_TOKEN})
        frames = receive_until(ws, "welcome")
        assert nothing_within(ws)
    assert [f.get("text") for f in frames] == ["旧消息", "新消息", None]
    assert frames[-1]["last_id"] == (pushed[0]["id"] if pushed_before_read else old.id)


def test_push_rejects_bad_session_and_sender(app, client):
    channel = app.state.web_chat
    with pytest.raises(ValueError, match="session_id"):
        client.portal.call(lambda: channel.push("bad id!", "x"))
    with pytest.raises(ValueError, match="sender"):
        client.portal.call(lambda: channel.push("s1", "x", sender="hacker"))


def test_module_push_needs_a_running_gateway(app):
    with pytest.raises(RuntimeError, match="not running"):
        asyncio.run(web.push("s1", "x"))


def test_rasa_down_gives_busy_reply_with_contacts(client, servers):
    servers.rasa_up = False
    with client.websocket_connect("/ws") as ws:
        hello(ws, "s1")
        say(ws, "c-1", "截止时间？")
        receive(ws)
        reply = receive(ws)
    assert reply["sender"] == "bot"
    assert "服务暂时繁忙" in reply["text"] and "021-00000000" in reply["text"]


@pytest.mark.parametrize(
    ("frame", "code", "detail"),
    [
        ("not json", "bad_json", "消息格式错误：不是合法的JSON"),
        ("[1, 2]", "bad_frame", "消息格式错误：应为JSON对象"),
        ('"hello"', "bad_frame", "消息格式错误：应为JSON对象"),
        ("{}", "no_type", "消息格式错误：缺少type字段"),
        ('{"type": 5}', "no_type", "消息格式错误：缺少type字段"),
        ('{"type": "subscribe"}', "unknown_type", "未知的消息类型：subscribe"),
        ('{"type": "hello"}', "bad_session", "会话标识格式错误"),
        ('{"type": "hello", "session_id": ""}', "bad_session", "会话标识格式错误"),
        ('{"type": "hello", "session_id": "有 空格"}', "bad_session", "会话标识格式错误"),
        ('{"type": "hello", "session_id": 42}', "bad_session", "会话标识格式错误"),
        ('{"type": "hello", "session_id": "' + "x" * 65 + '"}', "bad_session", "会话标识格式错误"),
        ('{"type": "hello", "session_id": "s1", "after": -1}', "bad_after", "after格式错误"),
        ('{"type": "hello", "session_id": "s1", "after": "3"}', "bad_after", "after格式错误"),
        ('{"type": "hello", "session_id": "s1", "after": true}', "bad_after", "after格式错误"),
        ('{"type": "message", "client_id": "c-1", "text": "你好"}', "no_session", "请先发送hello"),
    ],
)
def test_bad_frames_get_a_chinese_error_and_the_socket_stays_usable(client, servers, frame, code, detail):
    with client.websocket_connect("/ws") as ws:
        ws.send_text(frame)
        error = receive(ws)
        assert error["type"] == "error" and error["code"] == code
        assert error["detail"].startswith(detail)
        ws.send_json({"type": "ping"})
        assert receive(ws) == {"type": "pong"}
        assert hello(ws, "s1") == []
    assert servers.webhook_requests == []


@pytest.mark.parametrize(
    ("fields", "code", "detail"),
    [
        ({"text": "你好"}, "bad_client_id", "client_id格式错误"),
        ({"client_id": "", "text": "你好"}, "bad_client_id", "client_id格式错误"),
        ({"client_id": "c 1", "text": "你好"}, "bad_client_id", "client_id格式错误"),
        ({"client_id": "c-1"}, "bad_text", "消息格式错误：text应为字符串"),
        ({"client_id": "c-1", "text": ["你好"]}, "bad_text", "消息格式错误：text应为字符串"),
        ({"client_id": "c-1", "text": "   \n "}, "empty_text", "消息不能为空"),
        ({"client_id": "c-1", "text": "长" * 51}, "too_long", "消息过长，请控制在50字以内"),
        ({"client_id": "c-1", "text": "好", "title": 3}, "bad_title", "title格式错误"),
    ],
)
def test_bad_user_messages_are_refused_with_their_client_id(client, servers, fields, code, detail):
    with client.websocket_connect("/ws") as ws:
        hello(ws, "s1")
        ws.send_json({"type": "message", **fields})
        error = receive(ws)
    assert error["code"] == code and error["detail"].startswith(detail)
    if code != "bad_client_id":
        assert error["client_id"] == fields["client_id"]
    else:
        assert "client_id" not in error
    assert servers.webhook_requests == []


def test_longest_allowed_message_is_accepted(client, servers):
    with client.websocket_connect("/ws") as ws:
        hello(ws, "s1")
        say(ws, "c-1", "长" * 50)
        assert receive(ws)["text"] == "长" * 50


def test_huge_and_binary_frames_are_refused_without_parsing(client, servers):
    with client.websocket_connect("/ws") as ws:
        hello(ws, "s1")
        say(ws, "c-big", "长" * 2_000_000)
        error = receive(ws)
        assert (error["code"], error["client_id"]) == ("too_long", "c-big")
        assert error["detail"] == "消息过长，请控制在50字以内"
        ws.send_bytes(b"\x00\x01binary")
        assert receive(ws)["code"] == "not_text"
        say(ws, "c-1", "还在吗")
        assert receive(ws)["text"] == "还在吗"
    assert servers.webhook_requests == [{"sender": "s1", "message": "还在吗"}]


def test_hello_again_switches_the_session(app, client):
    with client.websocket_connect("/ws") as ws:
        hello(ws, "s1")
        hello(ws, "s2")
        assert app.state.web_chat.connected("s1") == 0
        assert app.state.web_chat.connected("s2") == 1


def test_store_failure_is_reported_not_crashed(app, client, servers, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(app.state.store, "save_user_message", broken)
    with client.websocket_connect("/ws") as ws:
        hello(ws, "s1")
        say(ws, "c-1", "你好")
        error = receive(ws)
        assert (error["code"], error["client_id"]) == ("store_error", "c-1")
        assert error["detail"] == "消息暂时无法保存，请稍后重试"
        ws.send_json({"type": "ping"})
        assert receive(ws) == {"type": "pong"}
    assert servers.webhook_requests == []


def test_logs_mask_personal_data(client, caplog):
    caplog.set_level(logging.DEBUG, logger="gateway")
    caplog.set_level(logging.DEBUG, logger="connectors")
    with client.websocket_connect("/ws") as ws:
        hello(ws, "13812345678")  # a careless page might even use a phone number as session id
        say(ws, "c-1", "我的手机13812345678，邮箱zhang.san@example.com")
        receive(ws), receive(ws)
    logged = caplog.text
    assert "我的手机138****5678" in logged and "z***@example.com" in logged
    assert "web chat hello session=138****5678" in logged
    assert "13812345678" not in logged and "zhang.san@example.com" not in logged


def test_metrics_count_connections_and_bad_frames(client):
    with client.websocket_connect("/ws") as ws:
        ws.send_text("nope")
        receive(ws)
    metrics = client.get("/metrics").text
    assert "gateway_ws_connections_total 1" in metrics
    assert "gateway_ws_bad_frames_total 1" in metrics


def test_a_flood_of_messages_is_limited_per_session(client, servers):
    release = asyncio.Event()

    async def slow(request: httpx.Request) -> httpx.Response:
        await release.wait()
        return httpx.Response(200, json=[{"text": "答"}])

    servers.rasa_handler = slow
    with client.websocket_connect("/ws") as ws:
        hello(ws, "s1")
        for n in range(web.MAX_WAITING_PER_SESSION + 1):
            say(ws, f"c-{n}", f"问{n}")
        frames = [receive(ws) for _ in range(2)]  # the first echo, and the refusal
        refused = next(f for f in frames if f["type"] == "error")
        assert refused == {"type": "error", "code": "too_many", "detail": "发送太频繁，请等上一条回答后再发",
                           "client_id": f"c-{web.MAX_WAITING_PER_SESSION}"}
        client.portal.call(release.set)
        rest = [receive(ws) for _ in range(2 * web.MAX_WAITING_PER_SESSION - 1)]
        assert [f["sender"] for f in rest].count("bot") == web.MAX_WAITING_PER_SESSION
        say(ws, "c-late", "现在可以了吗")  # accepted again once the queue has drained
        assert receive(ws)["client_id"] == "c-late"


def test_unexpected_failure_while_answering_is_reported(app, client, monkeypatch):
    async def broken(session_id, text):
        raise RuntimeError("bug")

    monkeypatch.setattr(app.state.web_chat, "route", broken)
    with client.websocket_connect("/ws") as ws:
        hello(ws, "s1")
        say(ws, "c-1", "你好")
        assert receive(ws)["client_id"] == "c-1"  # stored and echoed
        assert receive(ws) == {"type": "error", "code": "server_error", "detail": "抱歉，服务暂时繁忙，请稍后再试。",
                               "client_id": "c-1"}
        ws.send_json({"type": "ping"})
        assert receive(ws) == {"type": "pong"}


def test_a_socket_that_cannot_keep_up_is_closed(monkeypatch):
    monkeypatch.setattr(web, "QUEUE_LIMIT", 3)
    connection = web.Connection(websocket=None)  # nothing is written: the queue only fills
    for _ in range(3):
        connection.send({"type": "pong"})
    assert not connection.closed
    connection.send({"type": "pong"})
    assert connection.closed and connection._close_code == 1013  # "try again later": it reconnects


def test_hostile_frames_get_error_frames_and_the_socket_stays_open(client):
    with client.websocket_connect("/ws") as ws:
        hello(ws, "s1")
        for frame, code in [
            ("[" * 100_000 + "]" * 100_000, "too_long"),
            ('{"type": "ping", "x": ' + "[" * 5000 + "]" * 5000 + "}", "bad_json"),
            ('{"type": "hello", "session_id": "s1", "after": 99999999999999999999999999}', "bad_after"),
            ('{"type": "message", "client_id": "c-9", "text": "a\\ud800"}', "bad_characters"),
            ('{"type": "message", "client_id": "c-9", "text": "\\u0000\\u0001"}', "empty_text"),
        ]:
            ws.send_text(frame)
            reply = receive(ws)
            assert reply["type"] == "error" and reply["code"] == code, (frame[:40], reply)
        ws.send_json({"type": "ping"})
        assert receive(ws) == {"type": "pong"}


def test_an_echoed_lone_surrogate_is_escaped_so_the_frame_can_be_sent():
    text = web.frame_text(web.error_frame("unknown_type", "未知的消息类型：\ud800"))
    text.encode("utf-8")  # would raise if the surrogate were written raw
    assert json.loads(text)["detail"] == "未知的消息类型：\ud800"


def test_a_message_left_unanswered_by_a_dead_gateway_is_answered_on_the_next_hello(client, app, servers, db_url, monkeypatch):
    """The page drops a message from its outbox once echoed; if the gateway died before the reply,
    the next hello answers it (once), however the page reconnects."""
    monkeypatch.setattr(web, "UNANSWERED_GRACE_SECONDS", 0.2)
    app.state.store.save_user_message("s1", "截止时间？", client_id="c-7")  # stored, then the gateway died
    with client.websocket_connect("/ws") as ws:
        hello(ws, "s1", after=1)
        frames = [receive(ws, timeout=5), receive(ws, timeout=5)]
        assert [f["sender"] for f in frames] == ["user", "bot"]  # its acknowledgement, then the answer
    assert [r["message"] for r in servers.webhook_requests] == ["截止时间？"]
    with client.websocket_connect("/ws") as ws:  # answered: another hello does not answer it again
        hello(ws, "s1", after=2)
        assert nothing_within(ws, 0.6)
    assert len(servers.webhook_requests) == 1
