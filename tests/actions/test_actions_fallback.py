"""actions.fallback and actions.handoff: out-of-scope and not-understood messages never guess;
they say so in Chinese, offer a person (转人工) and give the helpdesk contacts."""

from __future__ import annotations

import re

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionFallback, ActionOutOfScope
from actions.handoff import ActionRequestHuman

HUMAN_PAYLOAD = "/request_human"


def _phones(text: str) -> list[str]:
    return re.findall(r"\d{3,4}-\d{7,8}|(?<!\d)1\d{10}(?!\d)|(?<![\d-])\d{8}(?!\d)", text)


def test_out_of_scope_declines_and_offers_a_person(make_tracker, dispatcher: CollectingDispatcher, domain, kb) -> None:
    tracker = make_tracker("帮我订一张去北京的机票", "out_of_scope")
    events = ActionOutOfScope().run(dispatcher, tracker, domain)

    assert events == []
    assert len(dispatcher.messages) == 1
    message = dispatcher.messages[0]
    text = message["text"]
    assert "抱歉" in text
    assert "无法" in text or "不在" in text
    assert "5G+医疗健康应用试点" in text and "智慧医疗" in text  # says what it can help with
    assert "转人工" in text
    assert kb.helpdesk_contacts_text() in text
    assert len(_phones(text)) >= 3
    assert {"title": "转人工", "payload": HUMAN_PAYLOAD} in message["buttons"]
    assert "机票" not in text  # no guess about the request


def test_fallback_on_unclear_message_offers_a_person(make_tracker, dispatcher: CollectingDispatcher, domain, kb) -> None:
    tracker = make_tracker("嗯那个啥来着", "nlu_fallback", confidence=0.2)
    events = ActionFallback().run(dispatcher, tracker, domain)

    assert events == []
    assert len(dispatcher.messages) == 1
    message = dispatcher.messages[0]
    text = message["text"]
    assert "抱歉" in text and "没有" in text and "理解" in text
    assert "转人工" in text
    assert "021-23170721" in text
    assert kb.helpdesk_contacts_text() in text
    assert [b["payload"] for b in message["buttons"]] == [HUMAN_PAYLOAD]
    assert not message["custom"]  # no citation: nothing was claimed


def test_fallback_still_answers_a_clear_question_about_a_program(make_tracker, dispatcher: CollectingDispatcher, domain) -> None:
    tracker = make_tracker("国家5G试点申报材料要几份", "nlu_fallback", confidence=0.3)
    events = ActionFallback().run(dispatcher, tracker, domain)

    assert "一式三份" in dispatcher.messages[0]["text"]
    assert dispatcher.messages[0]["custom"]["citations"]
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots["programs"] == ["nat5g"]


def test_request_human_mentions_staff_and_contacts(make_tracker, dispatcher: CollectingDispatcher, domain, kb) -> None:
    tracker = make_tracker("转人工", "request_human")
    events = ActionRequestHuman().run(dispatcher, tracker, domain)

    assert events == []
    assert len(dispatcher.messages) == 1
    text = dispatcher.messages[0]["text"]
    assert "人工" in text
    assert "工作人员" in text
    assert kb.helpdesk_contacts_text() in text
    assert len(_phones(text)) >= 3


def test_out_of_scope_by_the_nlu_but_naming_a_program_is_answered(make_tracker, dispatcher, domain):
    tracker = make_tracker("我是闵行区卫健委的，想帮辖区医院了解上海市5G+医疗健康应用试点", "out_of_scope")

    ActionOutOfScope().run(dispatcher, tracker, domain)

    assert dispatcher.messages[0]["text"].startswith("【上海市5G+医疗健康应用试点】")
    assert "抱歉" not in dispatcher.messages[0]["text"]


def test_out_of_scope_naming_only_shanghai_stays_out_of_scope(make_tracker, dispatcher, domain):
    ActionOutOfScope().run(dispatcher, make_tracker("上海医保报销比例是多少", "out_of_scope"), domain)

    assert "抱歉" in dispatcher.messages[0]["text"]


@pytest.mark.parametrize("follow_up", ["那现在该怎么办", "我们要怎么处理", "得走什么手续"])
def test_what_now_after_the_projects_state_is_answered_not_refused(make_tracker, dispatcher, domain, follow_up):
    tracker = make_tracker(follow_up, "out_of_scope", slots={"situation": "我们5G试点项目的任务没能按期完成"})

    ActionOutOfScope().run(dispatcher, tracker, domain)

    assert "延期或终止申请" in dispatcher.messages[0]["text"] and "抱歉" not in dispatcher.messages[0]["text"]


def test_what_now_without_a_state_stays_out_of_scope(make_tracker, dispatcher, domain):
    ActionOutOfScope().run(dispatcher, make_tracker("失眠了该怎么办", "out_of_scope"), domain)

    assert "抱歉" in dispatcher.messages[0]["text"]
