"""Staff answers saved to the FAQ reach the FAQ search, the console's suggestions and the bot
without a restart; the Rasa side of the handoff: action_request_human's json_message and its
reason, and "not understood twice in a row" offering a person."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import ActionAnswerQuestion
from actions.fallback import ActionFallback
from messaging import NOT_UNDERSTOOD, NOT_UNDERSTOOD_AGAIN
from actions.handoff import ActionRequestHuman
from helpdesk_fakes import applicant_session
from persistence import staff_faq as faq
from gateway.settings import get_settings

QUESTION = "申报书可以手写吗"


def add_entry(console, **extra: Any):
    body = {"questions": [QUESTION, "申报材料能不能手写"], "answer": "申报书须打印，不接受手写。", **extra}
    return console.post("/api/console/faq", json=body)


def test_staff_entry_is_searched_first_at_once(client, staff_login):
    console = staff_login()
    before = client.get("/api/faq/search", params={"q": QUESTION}).json()["results"]
    assert all(r["answer"] != "申报书须打印，不接受手写。" for r in before)

    created = add_entry(console, program="sh5g")
    assert created.status_code == 201, created.text
    entry = created.json()
    assert entry["author"] == "李老师" and entry["program"] == "sh5g"
    assert entry["citations"][0]["doc"] == "staff" and entry["citations"][0]["title"] == "人工客服解答"

    results = client.get("/api/faq/search", params={"q": "申报书能手写吗"}).json()["results"]
    assert results[0]["answer"] == "申报书须打印，不接受手写。"
    assert results[0]["citations"][0]["clause"].startswith("工作人员李老师，")
    other_program = client.get("/api/faq/search", params={"q": QUESTION, "program": "nat5g"}).json()["results"]
    assert all(r["answer"] != "申报书须打印，不接受手写。" for r in other_program)

    assert console.delete(f"/api/console/faq/{entry['id']}").status_code == 204
    after = client.get("/api/faq/search", params={"q": QUESTION}).json()["results"]
    assert all(r["answer"] != "申报书须打印，不接受手写。" for r in after)
    assert console.delete(f"/api/console/faq/{entry['id']}").status_code == 404


def test_entry_with_a_clause_and_bad_entries(client, staff_login):
    console = staff_login()
    cited = add_entry(console, citation={"doc": "sh5g", "title": "上海市5G+医疗健康应用试点项目申报通知", "clause": "五、有关事宜", "quote": "申报材料一式三份"})
    assert cited.json()["citations"] == [{"doc": "sh5g", "title": "上海市5G+医疗健康应用试点项目申报通知", "clause": "五、有关事宜", "quote": "申报材料一式三份"}]
    assert [e["id"] for e in console.get("/api/console/faq").json()] == [cited.json()["id"]]
    for bad in ({"questions": [], "answer": "a"}, {"questions": ["  "], "answer": "a"}, {"questions": ["q"], "answer": "  "},
                {"questions": ["q"], "answer": "a" * 2001}, {"questions": ["q"] * 11, "answer": "a"},
                {"questions": ["q"], "answer": "a", "program": "mars"}, {"questions": ["q"], "answer": "a", "citation": {"title": "", "clause": ""}}):
        response = console.post("/api/console/faq", json=bad)
        assert response.status_code == 422, bad
        assert response.json()["detail"]


def test_suggestions_for_the_applicants_last_question(client, staff_login):
    console = staff_login()
    add_entry(console)
    session_id, token = applicant_session(client)
    client.post("/api/chat", json={"session_id": session_id, "text": QUESTION}, headers={"X-Session-Token": token})
    client.post("/api/chat", json={"session_id": session_id, "text": "转人工"}, headers={"X-Session-Token": token})
    handoff_id = console.get("/api/console/queue").json()["waiting"][0]["id"]
    body = console.get(f"/api/console/handoffs/{handoff_id}/suggestions").json()
    assert body["question"] == QUESTION
    assert body["suggestions"][0]["source"] == "staff" and body["suggestions"][0]["answer"] == "申报书须打印，不接受手写。"
    assert body["suggestions"][1]["source"] == "knowledge" and body["suggestions"][1]["citations"]


@pytest.fixture
def bot_database(client, db_url, monkeypatch):
    """The action server reads DATABASE_URL: point it at the gateway's test database."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()
    faq._repository_for.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()
    faq._repository_for.cache_clear()


def tracker(text: str, intent: str, events: list[dict] | None = None) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
    return Tracker("t-1", {"programs": None, "topic": None, "last_question": None}, latest,
                   events or [{"event": "user", "text": text, "parse_data": latest}], False, None, {}, None)


def test_the_bot_answers_with_a_staff_entry_without_restart(client, staff_login, bot_database):
    dispatcher = CollectingDispatcher()
    ActionAnswerQuestion().run(dispatcher, tracker("申报书可以手写吗？", "ask_documents"), {})
    assert dispatcher.messages[0]["text"] != "申报书须打印，不接受手写。"

    add_entry(staff_login())
    dispatcher = CollectingDispatcher()
    events = ActionAnswerQuestion().run(dispatcher, tracker("申报书可以手写吗？", "ask_documents"), {})
    assert dispatcher.messages[0]["text"] == "申报书须打印，不接受手写。"
    assert dispatcher.messages[0]["custom"]["citations"][0]["title"] == "人工客服解答"
    assert events == [{"event": "slot", "timestamp": None, "name": "last_question", "value": "申报书可以手写吗？"}]
    assert faq.answer_for("上海5G试点什么时候截止") is None  # an unrelated question is not taken over


def test_request_human_sends_the_handoff_with_its_reason():
    dispatcher = CollectingDispatcher()
    ActionRequestHuman().run(dispatcher, tracker("转人工", "request_human"), {})
    assert dispatcher.messages[0]["custom"] == {"handoff": {"reason": "user_request"}}
    assert "工作人员" in dispatcher.messages[0]["text"]

    after_fallback = [
        {"event": "user", "text": "嗯那个", "parse_data": {"intent": {"name": "nlu_fallback"}}},
        {"event": "action", "name": "action_fallback"},
        {"event": "bot", "text": "抱歉"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "转人工", "parse_data": {"intent": {"name": "request_human"}}},
    ]
    dispatcher = CollectingDispatcher()
    ActionRequestHuman().run(dispatcher, tracker("转人工", "request_human", after_fallback), {})
    assert dispatcher.messages[0]["custom"] == {"handoff": {"reason": "not_understood"}}


def test_not_understood_twice_in_a_row_offers_a_person():
    first = [{"event": "user", "text": "嗯那个啥", "parse_data": {"intent": {"name": "nlu_fallback"}}}]
    dispatcher = CollectingDispatcher()
    ActionFallback().run(dispatcher, tracker("嗯那个啥", "nlu_fallback", first), {})
    assert dispatcher.messages[0]["text"].startswith(NOT_UNDERSTOOD)

    second = [*first, {"event": "action", "name": "action_fallback"}, {"event": "bot", "text": NOT_UNDERSTOOD},
              {"event": "action", "name": "action_listen"},
              {"event": "user", "text": "就是那个东西", "parse_data": {"intent": {"name": "nlu_fallback"}}}]
    dispatcher = CollectingDispatcher()
    ActionFallback().run(dispatcher, tracker("就是那个东西", "nlu_fallback", second), {})
    message = dispatcher.messages[0]
    assert message["text"].startswith(NOT_UNDERSTOOD_AGAIN)
    assert message["buttons"] == [{"title": "转人工", "payload": "/request_human"}]

    answered_between = [*first, {"event": "action", "name": "utter_greet"}, {"event": "action", "name": "action_listen"},
                        {"event": "user", "text": "就是那个东西", "parse_data": {"intent": {"name": "nlu_fallback"}}}]
    dispatcher = CollectingDispatcher()
    ActionFallback().run(dispatcher, tracker("就是那个东西", "nlu_fallback", answered_between), {})
    assert dispatcher.messages[0]["text"].startswith(NOT_UNDERSTOOD)
