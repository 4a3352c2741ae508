"""Triage: the queue says whether the applicant left contact details; conversations are found
by text, program, channel, date, status and "mine"; suggestions come from the conversation's
program; canned replies are a shared library any staff member edits; hand-back records a
resolution."""

from __future__ import annotations

from datetime import date, timedelta

from helpdesk_fakes import applicant_session


def chat(client, session: tuple[str, str], text: str) -> None:
    session_id, token = session
    response = client.post("/api/chat", json={"session_id": session_id, "text": text}, headers={"X-Session-Token": token})
    assert response.status_code == 200, response.text


def escalate(client, *texts: str) -> tuple[str, str]:
    session = applicant_session(client)
    for text in texts:
        chat(client, session, text)
    chat(client, session, "转人工")
    return session


def test_queue_titles_contact_flag_and_search(client, staff_login):
    console = staff_login()
    escalate(client, "申报书可以手写吗", "我的电话 13812345678")
    escalate(client, "验收材料寄到哪里")
    waiting = console.get("/api/console/queue").json()["waiting"]
    assert [(h["question"], h["contact_left"]) for h in waiting] == [
        ("我的电话 13812345678", True), ("验收材料寄到哪里", False)]

    def search(**params) -> list[str | None]:
        response = console.get("/api/console/conversations", params=params)
        assert response.status_code == 200, response.text
        return [h["question"] for h in response.json()]

    assert search(q="手写") == ["我的电话 13812345678"]  # an earlier message of the conversation
    assert search(q="寄到") == ["验收材料寄到哪里"]
    assert search(q="100%_") == []  # wildcards are plain text
    assert len(search(status="waiting", channel="web")) == 2
    assert search(status="ended") == [] and search(channel="wechat") == []
    today = date.today()
    assert len(search(since=str(today - timedelta(days=1)), until=str(today + timedelta(days=1)))) == 2
    assert search(until=str(today - timedelta(days=2))) == []

    first = console.get("/api/console/queue").json()["waiting"][-1]
    assert console.post(f"/api/console/handoffs/{first['id']}/claim").status_code == 200
    assert search(mine="true") == ["验收材料寄到哪里"]
    returned = console.post(f"/api/console/handoffs/{first['id']}/return", json={"resolution": "已告知地址"})
    assert returned.status_code == 200 and returned.json()["resolution"] == "已告知地址"
    assert search(status="ended") == ["验收材料寄到哪里"]

    for bad in ({"status": "lost"}, {"since": "昨天"}, {"program": "mars"}, {"q": "x" * 101}):
        response = console.get("/api/console/conversations", params=bad)
        assert response.status_code == 422 and response.json()["detail"], bad
    assert client.get("/api/console/conversations").status_code == 401


def test_canned_replies_are_shared_and_tagged(client, staff_login):
    li, wang = staff_login(), staff_login("wang", "王老师")
    made = li.post("/api/console/canned", json={"title": "材料份数", "text": "一式六份，另附光盘。", "programs": ["sh5g"]})
    assert made.status_code == 201, made.text
    general = wang.post("/api/console/canned", json={"title": "稍等", "text": "请稍等，正在为您查询。"})
    national = wang.post("/api/console/canned", json={"title": "国家项目", "text": "请看国家通知。", "programs": ["nat5g"]})
    assert [r["title"] for r in wang.get("/api/console/canned", params={"program": "sh5g"}).json()] == ["材料份数", "稍等", "国家项目"]

    edited = wang.put(f"/api/console/canned/{made.json()['id']}",
                      json={"title": "材料份数", "text": "一式六份。", "programs": ["sh5g", "nat5g"]})
    assert edited.status_code == 200 and edited.json() | {"text": "一式六份。", "author": "王老师"} == edited.json()
    assert li.delete(f"/api/console/canned/{national.json()['id']}").status_code == 204
    assert [r["id"] for r in li.get("/api/console/canned").json()] == [made.json()["id"], general.json()["id"]]

    for bad in ({"title": "", "text": "x"}, {"title": " ", "text": "x"}, {"title": "t", "text": "x" * 2001},
                {"title": "t", "text": "x", "programs": ["mars"]}):
        assert li.post("/api/console/canned", json=bad).status_code == 422, bad
    assert li.put("/api/console/canned/999999", json={"title": "t", "text": "x"}).status_code == 404
    assert li.delete(f"/api/console/canned/{national.json()['id']}").status_code == 404
    assert li.post("/api/console/canned", csrf=False, json={"title": "t", "text": "x"}).status_code == 403
    assert client.get("/api/console/canned").status_code == 401


def test_suggestions_are_searched_in_the_conversations_program(client, staff_login, kb):
    console = staff_login()
    escalate(client, "纸质材料最晚哪天送到")  # answered with a citation of sh5g: the conversation's program
    handoff = console.get("/api/console/queue").json()["waiting"][0]
    assert handoff["program"] == "sh5g"
    body = console.get(f"/api/console/handoffs/{handoff['id']}/suggestions").json()
    assert body["suggestions"] and kb.calls[-1][:2] == ("纸质材料最晚哪天送到", "sh5g")
