"""Round facts maintained by admins: only admins change them (other staff 403, anonymous 401),
every change is recorded (who, when, why, before/after) and reverted as a new change, and the
knowledge of every process uses it at once — the gateway's FAQ pages and search, and the action
server's answer (which reads DATABASE_URL) — citing "工作人员更新（日期）" instead of the notice,
and the notice again after the revert."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import ActionAnswerQuestion
from gateway.app import create_app
from persistence import rounds
from gateway.settings import Settings, get_settings
from helpdesk_fakes import FakeServers, helpdesk_of
from knowledge.api import get_search_knowledge
from knowledge.overlay import set_overlay

DEADLINE = "sh5g.deadline.central"
NOTICE_END = "2021年1月19日"
NEW_END = "2027年3月31日"
STAFF_TITLE = "工作人员更新（"
QUESTION = "上海5G试点纸质材料最晚哪天送到？"


@pytest.fixture
def make_app(settings: Settings, servers: FakeServers) -> Callable[[], FastAPI]:
    """The gateway with the real knowledge library (what /api/faq serves)."""
    return lambda: create_app(settings, transport=httpx.MockTransport(servers.handle), knowledge_loader=get_search_knowledge)


@pytest.fixture
def admin(client, staff_login):
    console = staff_login("wang", "王老师")
    helpdesk_of(client).accounts.set_admin("wang", True)
    return console


@pytest.fixture
def action_server_database(client, db_url, monkeypatch):
    """The action server has no helpdesk: it finds the changes on DATABASE_URL, like in production."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()
    rounds._overlay_for.cache_clear()
    set_overlay(rounds.database_overlay())  # what actions/__init__.py installs in the action server
    yield
    monkeypatch.undo()
    get_settings.cache_clear()
    rounds._overlay_for.cache_clear()
    set_overlay(None)


def change_deadline(console, value: str = "2027-03-31T17:00", **extra):
    body = {"item_id": DEADLINE, "field": "end", "value": value, "reason": "2027年度申报通知", **extra}
    return console.post("/api/console/rounds/sh5g/changes", json=body)


def deadline_faq(client) -> dict:
    entries = client.get("/api/faq", params={"program": "sh5g", "topic": "deadline"}).json()["items"]
    return next(e for e in entries if "集中受理" in e["answer"])


def bot_answer(text: str) -> dict:
    latest = {"text": text, "intent": {"name": "ask_deadline", "confidence": 0.9}, "entities": []}
    tracker = Tracker("t-rounds", {"programs": None, "topic": None, "last_question": None}, latest,
                      [{"event": "user", "text": text, "parse_data": latest}], False, None, {}, None)
    dispatcher = CollectingDispatcher()
    ActionAnswerQuestion().run(dispatcher, tracker, {})
    return dispatcher.messages[0]


def test_only_admins_change_round_facts(client, staff_login, admin):
    staff = staff_login()
    view = staff.get("/api/console/rounds/sh5g")
    assert view.status_code == 200 and view.json()["can_edit"] is False
    fact = next(f for f in view.json()["facts"] if f["item_id"] == DEADLINE and f["field"] == "end")
    assert fact == {**fact, "value": "2021-01-19T17:00", "notice_value": "2021-01-19T17:00", "source": "notice"}

    refused = change_deadline(staff)
    assert refused.status_code == 403 and refused.json()["detail"] == "只有管理员可以修改申报轮次信息"
    assert client.get("/api/console/rounds/sh5g").status_code == 401
    assert client.post("/api/console/rounds/sh5g/changes", json={}).status_code == 401
    without_csrf = admin.post("/api/console/rounds/sh5g/changes", csrf=False,
                              json={"item_id": DEADLINE, "field": "end", "value": "2027-03-31", "reason": "新一轮"})
    assert without_csrf.status_code == 403

    made = change_deadline(admin)
    assert made.status_code == 201, made.text
    refused_revert = staff.post(f"/api/console/rounds/changes/{made.json()['id']}/revert", json={})
    assert refused_revert.status_code == 403
    assert admin.get("/api/console/rounds/sh5g").json()["can_edit"] is True

    for bad, words in (({"value": "明天"}, "不是有效的截止时间"), ({"reason": " "}, "修改原因"), ({"reason": ""}, "修改原因"),
                       ({"field": "title"}, "不能修改"), ({"item_id": "sh5g.nothing"}, "没有可修改的事项"),
                       ({"value": "2027-03-31T17:00"}, "与当前值相同"), ({"value": "2020-01-01"}, "开始时间不能晚于截止时间"),
                       ({"value": "2027-03-31T17:00+08:00"}, "不带时区"), ({"value": "9999-12-31"}, "2000年至2100年"),
                       ({"value": "2027-03-31\u200b"}, "控制字符"), ({"field": "people.0.phone"}, "不能修改")):
        response = change_deadline(admin, **bad)
        assert response.status_code == 422 and words in response.json()["detail"], (bad, response.text)
    assert admin.post("/api/console/rounds/mars/changes", json={}).status_code == 422
    assert admin.post("/api/console/rounds/changes/999999/revert", json={}).status_code == 404


def test_change_is_answered_everywhere_at_once_and_revert_restores_the_notice(client, admin, action_server_database):
    before = deadline_faq(client)
    assert NOTICE_END in before["answer"] and all(c["doc"] != "staff" for c in before["citations"])
    assert NOTICE_END in bot_answer(QUESTION)["text"]

    made = change_deadline(admin)
    assert made.status_code == 201, made.text
    change = made.json()
    assert change | {"old_value": "2021-01-19T17:00", "new_value": "2027-03-31T17:00", "author": "王老师",
                     "reason": "2027年度申报通知", "label": "截止时间"} == change

    after = deadline_faq(client)  # the gateway's FAQ, no restart
    assert NEW_END in after["answer"] and NOTICE_END not in after["answer"]
    staff_cite = after["citations"][0]
    assert staff_cite["doc"] == "staff" and staff_cite["title"].startswith(STAFF_TITLE)
    assert "2027年3月31日17:00" in staff_cite["quote"] and NOTICE_END not in staff_cite["quote"]
    searched = client.get("/api/faq/search", params={"q": "集中受理截止时间", "program": "sh5g"}).json()["results"]
    assert any(NEW_END in hit["answer"] for hit in searched)

    answer = bot_answer(QUESTION)  # the action server's answer, from DATABASE_URL
    assert NEW_END in answer["text"] and NOTICE_END not in answer["text"]
    assert any(c["title"].startswith(STAFF_TITLE) for c in answer["custom"]["citations"])

    view = admin.get("/api/console/rounds/sh5g").json()
    fact = next(f for f in view["facts"] if f["item_id"] == DEADLINE and f["field"] == "end")
    assert (fact["value"], fact["notice_value"], fact["source"], fact["changed_by"]) == (
        "2027-03-31T17:00", "2021-01-19T17:00", "staff", "王老师")

    reverted = admin.post(f"/api/console/rounds/changes/{change['id']}/revert", json={"reason": "录入有误"})
    assert reverted.status_code == 201, reverted.text
    assert (reverted.json()["new_value"], reverted.json()["reverts"]) == ("2021-01-19T17:00", change["id"])

    restored = deadline_faq(client)
    assert restored == before  # the notice's wording and its citation again
    answer = bot_answer(QUESTION)
    assert NOTICE_END in answer["text"] and not any(c["doc"] == "staff" for c in answer["custom"]["citations"])

    history = admin.get("/api/console/rounds/sh5g").json()["history"]
    assert [(h["id"], h["reverted_by"], h["reason"]) for h in history] == [
        (reverted.json()["id"], None, "录入有误"), (change["id"], reverted.json()["id"], "2027年度申报通知")]


def test_forms_checklists_and_rounds_use_the_changed_date(client, admin):
    from knowledge.forms.export import checklist_text
    from knowledge.forms.loader import get_forms, get_knowledge_data

    assert "2024年1月10日17:00前" in checklist_text(get_forms()["accept_application"])
    body = {"item_id": "accept.deadline.upload", "field": "end", "value": "2027-01-10T17:00", "reason": "2027年验收"}
    made = admin.post("/api/console/rounds/accept/changes", json=body)
    assert made.status_code == 201, made.text

    checklist = checklist_text(get_forms()["accept_application"])
    assert "2027年1月10日17:00前" in checklist and "2024年1月10日" not in checklist
    assert f"{STAFF_TITLE}" in checklist
    upload = next(d for d in get_knowledge_data().programs["accept"].deadlines if d.id == "accept.deadline.upload")
    assert upload.end.year == 2027  # what a form's round (open or closed) is decided by

    admin.post(f"/api/console/rounds/changes/{made.json()['id']}/revert", json={})
    assert "2024年1月10日17:00前" in checklist_text(get_forms()["accept_application"])
