"""Answers applicants' questions from the knowledge base and carries the program in focus."""
from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from persistence.staff_faq import answer_for as staff_faq_answer
from knowledge.reply import Context
from knowledge.api import get_knowledge
from knowledge.privacy import mask_pii
from knowledge.suggestions import with_suggestions

from .replies import changed_slots, send_reply

log = logging.getLogger(__name__)


def latest_programs(tracker: Tracker) -> list[str]:
    values = []
    for entity in tracker.latest_message.get("entities", []):
        if entity.get("entity") == "program" and isinstance(entity.get("value"), str):
            values.append(entity["value"])
    return list(dict.fromkeys(values))


def context_of(tracker: Tracker) -> Context:
    programs = tracker.get_slot("programs") or []
    return Context(
        programs=tuple(p for p in programs if isinstance(p, str)),
        topic=tracker.get_slot("topic"),
        question=tracker.get_slot("last_question"),
        situation=tracker.get_slot("situation") or "",
    )


def user_text(tracker: Tracker) -> str:
    text = tracker.latest_message.get("text") or ""
    # A button payload such as /inform_program{"program":"sh5g"} carries no words of the user.
    return "" if text.startswith("/") else text


class ActionAnswerQuestion(Action):
    def name(self) -> str:
        return "action_answer_question"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        text = user_text(tracker)
        staff = staff_faq_answer(text, latest_programs(tracker))  # answers staff saved ("Add to FAQ") come first
        if staff is not None:
            log.info("answer from staff FAQ entry %d text=%s", staff.entry_id, mask_pii(text))
            dispatcher.utter_message(text=staff.answer, json_message={"citations": [c.model_dump() for c in staff.citations]})
            return [SlotSet("last_question", text)]
        knowledge = get_knowledge()
        reply = knowledge.answer(text, intent=intent, nlu_programs=latest_programs(tracker), context=context_of(tracker))
        reply = with_suggestions(reply, knowledge)
        log.info("answer intent=%s form=%s kind=%s programs=%s text=%s", intent, reply.form, reply.kind, reply.programs, mask_pii(text))
        send_reply(dispatcher, reply)
        slots: dict[str, Any] = {"topic": reply.topic, "last_question": reply.question, "situation": reply.situation or None}
        if reply.programs:
            slots["programs"] = reply.programs
        return changed_slots(tracker, slots)
