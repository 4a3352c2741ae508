"""A handoff from end to end over the web chat's WebSocket and the console API: escalate, queue
position, claim, the bot silent while staff own the conversation, replies both ways, hand back,
rating; and a restart of the gateway in the middle keeps every state."""

from __future__ import annotations

from helpdesk_fakes import applicant_session, helpdesk_of
from web_fakes import nothing_within, receive


def hello(ws, session_id: str, token: str, after: int = 0) -> list[dict]:
    ws.send_json({"type": "hello", "session_id": session_id, "after": after, "token": token})
    frames = []
    while (frame := receive(ws))["type"] != "welcome":
        frames.append(frame)
    return frames


def say(ws, client_id: str, text: str) -> dict:
    """Send a message; returns the echo of it."""
    ws.send_json({"type": "message", "client_id": client_id, "text": text})
    echo = receive(ws)
    assert echo["sender"] == "user" and echo["client_id"] == client_id, echo
    return echo


def test_escalate_claim_reply_both_ways_hand_back_and_rate(client, servers, staff_login):
    console = staff_login()
    session_id, token = applicant_session(client)
    with client.websocket_connect("/ws") as ws:
        hello(ws, session_id, token)
        say(ws, "c-1", "申报截止时间？")
        assert receive(ws)["text"] == "答：申报截止时间？"

        say(ws, "c-2", "转人工")
        notice = receive(ws)
        assert notice["sender"] == "bot"
        assert "已为您转接人工客服，当前排队第1位" in notice["text"]
        assert notice["buttons"] == [{"title": "取消转人工", "payload": "/helpdesk_cancel"}]
        assert "handoff" not in notice

        queue = console.get("/api/console/queue").json()
        assert [h["session_id"] for h in queue["waiting"]] == [session_id]
        waiting = queue["waiting"][0]
        assert waiting["reason"] == "user_request" and waiting["reason_label"] == "申请人要求人工服务"
        assert waiting["channel"] == "web" and waiting["kind"] == "live"
        assert waiting["question"] == "申报截止时间？"
        assert waiting["program"] == "sh5g" and waiting["program_label"] == "上海5G+医疗健康试点申报"
        assert waiting["waiting_seconds"] >= 0
        handoff_id = waiting["id"]

        claimed = console.post(f"/api/console/handoffs/{handoff_id}/claim")
        assert claimed.status_code == 200 and claimed.json()["status"] == "active"
        joined = receive(ws)
        assert joined["sender"] == "system" and joined["text"].startswith("工作人员李老师已接入")

        asked_before = len(servers.webhook_requests)
        say(ws, "c-3", "材料可以晚几天交吗？")
        assert nothing_within(ws, 0.4)  # the bot is silent while staff own the conversation
        assert len(servers.webhook_requests) == asked_before

        detail = console.get(f"/api/console/handoffs/{handoff_id}").json()
        texts = [(m["sender"], m["text"]) for m in detail["messages"]]
        assert ("user", "材料可以晚几天交吗？") in texts
        assert ("bot", "答：申报截止时间？") in texts
        cited = next(m for m in detail["messages"] if m["text"] == "答：申报截止时间？")
        assert cited["citations"][0]["clause"] == "五、有关事宜 > （三）"
        assert detail["dialogue"] == {"available": False, "intents": [], "active_form": None, "requested_slot": None, "slots": {}}

        reply = console.post(f"/api/console/handoffs/{handoff_id}/reply", json={"text": "可以，请在截止前联系我们。"})
        assert reply.status_code == 200 and reply.json() == {"delivered": True}
        staff_message = receive(ws)
        assert staff_message["sender"] == "staff" and staff_message["text"] == "可以，请在截止前联系我们。"

        back = console.post(f"/api/console/handoffs/{handoff_id}/return")
        assert back.status_code == 200 and back.json()["status"] == "returned"
        assert "交回申报助手" in receive(ws)["text"]
        prompt = receive(ws)
        assert "1-5分" in prompt["text"]
        assert [b["title"] for b in prompt["buttons"]] == ["5分", "4分", "3分", "2分", "1分"]

        ws.send_json({"type": "message", "client_id": "c-4", "text": prompt["buttons"][1]["payload"], "title": "4分"})
        receive(ws)
        assert receive(ws)["text"].startswith("感谢您的评价（4分）")

        say(ws, "c-5", "还能再问吗")
        assert receive(ws)["text"] == "答：还能再问吗"  # the bot answers again

    recent = console.get("/api/console/queue").json()["recent"]
    assert recent[0]["id"] == handoff_id and recent[0]["rating"] == 4 and recent[0]["status"] == "returned"


def test_close_with_resolution_then_plain_digit_rating(client, staff_login):
    console = staff_login()
    session_id, token = applicant_session(client)
    with client.websocket_connect("/ws") as ws:
        hello(ws, session_id, token)
        say(ws, "c-1", "人工客服")
        receive(ws)
        handoff_id = console.get("/api/console/queue").json()["waiting"][0]["id"]
        console.post(f"/api/console/handoffs/{handoff_id}/claim")
        receive(ws)
        closed = console.post(f"/api/console/handoffs/{handoff_id}/close", json={"resolution": "已电话答复"})
        assert closed.json()["resolution"] == "已电话答复" and closed.json()["status"] == "closed"
        assert "本次人工服务已结束" in receive(ws)["text"]
        receive(ws)  # rating prompt
        say(ws, "c-2", "5")
        assert receive(ws)["text"].startswith("感谢您的评价（5分）")
        say(ws, "c-3", "5")  # rated already: an ordinary message for the bot again
        assert receive(ws)["text"] == "答：5"


def test_form_validation_reason_is_recorded_generically(client, staff_login):
    console = staff_login()
    session_id, token = applicant_session(client)
    response = client.post("/api/chat", json={"session_id": session_id, "text": "表单错误第三次"},
                           headers={"X-Session-Token": token})
    assert "已为您转接人工客服" in response.json()["messages"][0]["text"]
    waiting = console.get("/api/console/queue").json()["waiting"][0]
    assert waiting["reason"] == "form_validation" and waiting["reason_label"] == "表单同一项多次校验未通过"


def test_restart_in_the_middle_of_a_handoff_keeps_it(make_app, servers, staff_login, client):
    console = staff_login()
    session_id, token = applicant_session(client)
    headers = {"X-Session-Token": token}
    client.post("/api/chat", json={"session_id": session_id, "text": "转人工"}, headers=headers)
    handoff_id = console.get("/api/console/queue").json()["waiting"][0]["id"]
    assert console.post(f"/api/console/handoffs/{handoff_id}/claim").status_code == 200
    client.__exit__(None, None, None)  # the gateway stops ...

    from fastapi.testclient import TestClient

    with TestClient(make_app(), base_url="http://testserver") as again:  # ... and starts again
        console.client = again
        asked_before = len(servers.webhook_requests)
        silent = again.post("/api/chat", json={"session_id": session_id, "text": "还在吗？"}, headers=headers)
        assert silent.json()["messages"] == [] and len(servers.webhook_requests) == asked_before
        detail = console.get(f"/api/console/handoffs/{handoff_id}").json()
        assert detail["handoff"]["status"] == "active" and detail["handoff"]["staff_name"] == "李老师"
        assert detail["messages"][-1]["text"] == "还在吗？"
        assert console.post(f"/api/console/handoffs/{handoff_id}/reply", json={"text": "在的"}).json() == {"delivered": True}
        history = again.get("/api/history", params={"session_id": session_id}, headers=headers).json()["messages"]
        assert history[-1]["sender"] == "staff" and history[-1]["text"] == "在的"
        assert helpdesk_of(again).handoffs.open_for(session_id).id == handoff_id


def test_staff_see_the_applicants_form_progress(client, staff_login):
    from persistence.drafts import DraftStore
    from persistence.database import make_session_factory
    from knowledge.forms.engine import Draft

    console = staff_login()
    session_id, token = applicant_session(client)
    drafts = DraftStore(make_session_factory(client.app.state.store.engine))
    draft = Draft(form_id="accept_application", program="accept", values={"project_name": "基于5G的急诊救治平台"},
                  answered=["fill_date", "project_name"])
    code = drafts.create(session_id, draft).code
    with client.websocket_connect("/ws") as ws:
        hello(ws, session_id, token)
        say(ws, "c-1", "转人工")
        receive(ws)
    handoff_id = console.get("/api/console/queue").json()["waiting"][0]["id"]

    form = console.get(f"/api/console/handoffs/{handoff_id}").json()["form"]

    assert form["title"] == "5G+医疗健康应用试点项目验收申请书" and form["code"] == code
    assert form["phase"] == "逐项填写" and form["asking"]
    assert {"label": "项目名称", "value": "基于5G的急诊救治平台"} in form["filled"]
    assert form["total"] > len(form["filled"])
