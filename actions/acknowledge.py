""""好的", "对", "行" acknowledge; "这样行吗", "可以吗" right after the applicant said what they
plan ask whether that is allowed. Rasa's NLU reads both as `affirm`; the question is answered
(on the statement before it), the acknowledgement gets the usual prompt."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from knowledge.api import get_knowledge
from knowledge.reply import Context


class ActionAcknowledge(Action):
    def name(self) -> str:
        return "action_acknowledge"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        text = tracker.latest_message.get("text") or ""
        said_before = tracker.get_slot("situation") or ""
        if get_knowledge().composer.asks_of_what_was_said(text, Context(situation=said_before)):
            from .answer import ActionAnswerQuestion

            return ActionAnswerQuestion().run(dispatcher, tracker, domain)
        dispatcher.utter_message(response="utter_anything_else")
        return []
