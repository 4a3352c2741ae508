"""Who reaches what: console routes only for logged-in staff (cookie + CSRF token), lockout after
repeated wrong passwords, and an applicant's token only for that applicant's conversation."""

from __future__ import annotations

import pytest
from starlette.websockets import WebSocketDisconnect

from helpdesk_fakes import PASSWORD, applicant_session, helpdesk_of, login
from web_fakes import receive

CONSOLE_GETS = ["/api/console/queue", "/api/console/me", "/api/console/handoffs/1",
                "/api/console/handoffs/1/messages", "/api/console/handoffs/1/suggestions", "/api/console/faq"]
CONSOLE_POSTS = ["/api/console/handoffs/1/claim", "/api/console/handoffs/1/release", "/api/console/handoffs/1/return",
                 "/api/console/handoffs/1/close", "/api/console/handoffs/1/reply", "/api/console/faq", "/api/console/logout"]


def test_anonymous_cannot_reach_console_apis(client):
    for url in CONSOLE_GETS:
        response = client.get(url)
        assert response.status_code == 401, url
        assert response.json() == {"detail": "请先登录工作人员控制台"}
    for url in CONSOLE_POSTS:
        assert client.post(url, json={"text": "x", "questions": ["q"], "answer": "a"}).status_code == 401, url
    assert client.delete("/api/console/faq/1").status_code == 401
    with pytest.raises(WebSocketDisconnect) as closed:
        with client.websocket_connect("/ws/console") as ws:
            ws.receive_text()
    assert closed.value.code == 4401


def test_applicant_token_does_not_open_console(client):
    session_id, token = applicant_session(client)
    headers = {"X-Session-Token": token, "Cookie": f"shenbao_staff={token}"}
    assert client.get("/api/console/queue", headers=headers).status_code == 401


def test_login_cookie_is_httponly_samesite_and_changes_need_csrf(client, staff_login):
    helpdesk_of(client).accounts.create("wang", "王老师", PASSWORD)
    response = login(client, "wang")
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict") and "Path=/" in cookie
    assert response.json()["display_name"] == "王老师" and response.json()["csrf_token"]

    console = staff_login()
    assert console.get("/api/console/me").json()["username"] == "li"
    assert console.post("/api/console/handoffs/1/claim", csrf=False).status_code == 403
    assert console.post("/api/console/handoffs/1/claim").status_code == 404
    assert console.post("/api/console/logout").status_code == 204
    assert console.get("/api/console/me").status_code == 401


def test_wrong_password_locks_the_account_after_repeated_failures(client):
    helpdesk_of(client).accounts.create("zhao", "赵老师", PASSWORD)
    for _ in range(5):
        response = login(client, "zhao", "wrong password")
        assert response.status_code == 401 and response.json() == {"detail": "用户名或密码错误"}
    locked = login(client, "zhao", PASSWORD)  # even the right password, while locked
    assert locked.status_code == 429
    assert "锁定" in locked.json()["detail"] and int(locked.headers["Retry-After"]) > 0
    assert login(client, "nobody", "x").status_code == 401  # another account is not affected

    helpdesk_of(client).accounts.unlock("zhao")
    assert login(client, "zhao", PASSWORD).status_code == 200


def test_console_socket_refuses_other_origins(client, staff_login):
    console = staff_login()
    cookie = {"Cookie": f"shenbao_staff={console.cookie}"}
    with pytest.raises(WebSocketDisconnect) as closed:
        with client.websocket_connect("/ws/console", headers={**cookie, "Origin": "http://evil.example"}) as ws:
            ws.receive_text()
    assert closed.value.code == 4403
    with client.websocket_connect("/ws/console", headers={**cookie, "Origin": "http://testserver"}) as ws:
        assert receive(ws)["type"] == "hello"
        ws.send_json({"type": "ping"})
        assert receive(ws) == {"type": "pong"}


def test_applicant_cannot_read_or_write_another_conversation(client):
    mine, my_token = applicant_session(client)
    theirs, their_token = applicant_session(client)
    assert mine != theirs
    client.post("/api/chat", json={"session_id": theirs, "text": "我的单位信息"}, headers={"X-Session-Token": their_token})

    for token in (my_token, None, "forged"):
        headers = {"X-Session-Token": token} if token else {}
        history = client.get("/api/history", params={"session_id": theirs}, headers=headers)
        assert history.status_code == 403 and "无权访问该会话" in history.json()["detail"]
        chat = client.post("/api/chat", json={"session_id": theirs, "text": "冒充"}, headers=headers)
        assert chat.status_code == 403
        feedback = client.post("/api/feedback", json={"session_id": theirs, "message_id": 2, "rating": "down"}, headers=headers)
        assert feedback.status_code == 403
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "hello", "session_id": theirs, "after": 0, "token": my_token})
        assert receive(ws)["code"] == "bad_token"
        ws.send_json({"type": "hello", "session_id": theirs, "after": 0})
        assert receive(ws)["code"] == "bad_token"
    own = client.get("/api/history", params={"session_id": theirs}, headers={"X-Session-Token": their_token})
    assert [m["text"] for m in own.json()["messages"]][:1] == ["我的单位信息"]
    assert client.post("/api/session", json={"session_id": theirs}).status_code == 422  # cannot take it over


def test_no_conversation_is_ever_bound_after_it_started_and_other_channels_never(client):
    """An id without its token (an old page's, a WeChat user's) stays unreachable: it is never
    bound to a new token, so nobody can take it over or lock out its owner."""
    helpdesk_of(client).store.save_user_message("web-old-page", "我的手机13812345678", channel="web")
    helpdesk_of(client).store.save_user_message("wx-openid1", "公众号消息", channel="wechat")
    for session_id in ("web-old-page", "wx-openid1"):
        assert client.post("/api/session", json={"session_id": session_id}).status_code == 422
        assert client.get("/api/history", params={"session_id": session_id}).status_code == 403
        assert client.post("/api/chat", json={"session_id": session_id, "text": "冒充"}).status_code == 403
        with client.websocket_connect("/ws") as ws:
            ws.send_json({"type": "hello", "session_id": session_id, "after": 0})
            assert receive(ws)["code"] == "bad_token"
    assert helpdesk_of(client).store.messages_after("wx-openid1", 0, 10)[-1].text == "公众号消息"
    assert client.post("/api/session", json={"session_id": "bad id!"}).status_code == 422
