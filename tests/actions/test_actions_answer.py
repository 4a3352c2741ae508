"""actions.answer.ActionAnswerQuestion: answers from the knowledge base, sends the citations as a
json_message, and carries the program, topic and question in slots."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.answer import ActionAnswerQuestion, context_of, latest_programs, user_text


def slots_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def test_answer_with_its_citations_then_slots(make_tracker, dispatcher: CollectingDispatcher, domain) -> None:
    tracker = make_tracker(
        "上海5G试点材料要交几份",
        "ask_documents",
        entities=[{"entity": "program", "value": "sh5g", "start": 0, "end": 6}],
    )
    events = ActionAnswerQuestion().run(dispatcher, tracker, domain)

    assert len(dispatcher.messages) == 1  # text and citations travel together
    answer = dispatcher.messages[0]
    assert "一式六份" in answer["text"]
    assert answer["text"].startswith("【上海市5G+医疗健康应用试点】")

    cited = answer["custom"]["citations"]
    assert cited, "no citation sent"
    assert cited[0]["doc"] == "000_a6bc89e5a162244b"
    assert set(cited[0]) >= {"doc", "title", "clause", "quote"}
    assert cited[0]["clause"] == "五、有关事宜 > （三）"
    json.dumps(answer["custom"], ensure_ascii=False)  # plain JSON for the REST channel

    slots = slots_of(events)
    assert slots["programs"] == ["sh5g"]
    assert slots["topic"] == "documents"
    assert slots["last_question"] == "上海5G试点材料要交几份"


def test_deadline_answer_is_time_aware(make_tracker, dispatcher: CollectingDispatcher, domain) -> None:
    tracker = make_tracker("国家5G试点什么时候截止", "ask_deadline")
    ActionAnswerQuestion().run(dispatcher, tracker, domain)
    assert "已于2021年1月22日17:00截止" in dispatcher.messages[0]["text"]
    assert dispatcher.messages[0]["custom"]["citations"][0]["doc"] == "001_f747ae33edc9ba62"


def test_button_payload_answers_the_pending_question_for_the_chosen_program(
    make_tracker, dispatcher: CollectingDispatcher, domain
) -> None:
    tracker = make_tracker(
        '/inform_program{"program":"nat5g"}',
        "inform_program",
        entities=[{"entity": "program", "value": "nat5g"}],
        slots={"programs": ["sh5g"], "topic": "documents", "last_question": "上海5G试点材料要交几份"},
    )
    events = ActionAnswerQuestion().run(dispatcher, tracker, domain)

    text = dispatcher.messages[0]["text"]
    assert text.startswith("【国家5G+医疗健康应用试点】")
    assert "一式三份" in text
    assert "一式六份" not in text
    assert "inform_program" not in text  # the payload is not treated as the user's words
    assert dispatcher.messages[0]["custom"]["citations"][0]["doc"] == "001_f747ae33edc9ba62"
    slots = slots_of(events)
    assert slots["programs"] == ["nat5g"]
    assert "topic" not in slots  # still documents: unchanged slots send no event


def test_follow_up_in_words_uses_the_slots(make_tracker, dispatcher: CollectingDispatcher, domain) -> None:
    tracker = make_tracker(
        "那国家的呢",
        "inform_program",
        slots={"programs": ["sh5g"], "topic": "documents", "last_question": "材料要几份"},
    )
    ActionAnswerQuestion().run(dispatcher, tracker, domain)
    assert "一式三份" in dispatcher.messages[0]["text"]


def test_question_without_program_asks_which_with_buttons(make_tracker, dispatcher: CollectingDispatcher, domain) -> None:
    tracker = make_tracker("材料要几份", "ask_documents")
    events = ActionAnswerQuestion().run(dispatcher, tracker, domain)

    assert len(dispatcher.messages) == 1  # no citations for a question back
    message = dispatcher.messages[0]
    assert "哪个项目" in message["text"]
    payloads = [b["payload"] for b in message["buttons"]]
    assert len(payloads) == 5
    assert '/inform_program{"program":"smart"}' in payloads
    assert all(b["title"] for b in message["buttons"])
    slots = slots_of(events)
    assert slots["topic"] == "documents"
    assert slots["last_question"] == "材料要几份"
    assert "programs" not in slots  # nothing chosen yet


def test_program_slot_kept_for_the_next_question(make_tracker, dispatcher: CollectingDispatcher, domain) -> None:
    tracker = make_tracker(
        "材料寄到哪里",
        "ask_submission",
        slots={"programs": ["nat5g"], "topic": "deadline", "last_question": "国家5G试点什么时候截止"},
    )
    events = ActionAnswerQuestion().run(dispatcher, tracker, domain)
    assert "花园北路52号" in dispatcher.messages[0]["text"]
    assert "programs" not in slots_of(events)  # unchanged: no event to store
    assert slots_of(events)["topic"] == "submission"


def test_two_programs_answered_with_citations_of_both(make_tracker, dispatcher: CollectingDispatcher, domain) -> None:
    tracker = make_tracker("上海5G试点和智慧医疗材料要几份", "ask_documents")
    events = ActionAnswerQuestion().run(dispatcher, tracker, domain)
    text = dispatcher.messages[0]["text"]
    assert "【上海市5G+医疗健康应用试点】" in text and "【上海市智慧医疗专项研究项目】" in text
    docs = {c["doc"] for c in dispatcher.messages[0]["custom"]["citations"]}
    assert docs == {"000_a6bc89e5a162244b", "003_ed6ac7d3f3aa281e"}
    assert set(slots_of(events)["programs"]) == {"sh5g", "smart"}


def test_helpers_read_the_tracker(make_tracker) -> None:
    tracker = make_tracker(
        '/inform_program{"program":"smart"}',
        "inform_program",
        entities=[
            {"entity": "program", "value": "smart"},
            {"entity": "program", "value": "smart"},
            {"entity": "topic", "value": "documents"},
            {"entity": "program", "value": None},
        ],
        slots={"programs": ["sh5g", 3], "topic": "documents", "last_question": "材料要几份"},
    )
    assert latest_programs(tracker) == ["smart"]
    assert user_text(tracker) == ""
    context = context_of(tracker)
    assert context.programs == ("sh5g",)
    assert context.topic == "documents"
    assert context.question == "材料要几份"
    assert user_text(make_tracker("材料要几份", "ask_documents")) == "材料要几份"

