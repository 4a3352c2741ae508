"""What the assistant says when a request is outside its scope or not understood: what it can
help with, a way to a person, and the contacts. It never guesses."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from knowledge.api import get_knowledge

from .replies import send_reply


class ActionOutOfScope(Action):
    def name(self) -> str:
        return "action_out_of_scope"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        send_reply(dispatcher, get_knowledge().composer.out_of_scope())
        return []


class ActionFallback(Action):
    def name(self) -> str:
        return "action_fallback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        kb = get_knowledge()
        text = tracker.latest_message.get("text") or ""
        # A question that names a program or a topic is still answered (or clarified) from the facts.
        if kb.composer.topic_from_cues(text) or kb.composer.detector.detect(text).programs:
            from .answer import ActionAnswerQuestion

            return ActionAnswerQuestion().run(dispatcher, tracker, domain)
        send_reply(dispatcher, kb.composer.out_of_scope(lead="抱歉，我没有完全理解您的问题，不想猜错。您可以换个说法再问。"))
        return []
