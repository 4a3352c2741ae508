"""What the assistant says when a request is outside its scope or not understood: what it can
help with, a way to a person, and the contacts. It never guesses."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from knowledge.api import get_knowledge

from .replies import human_button

SCOPE = "我可以解答上海市/国家5G+医疗健康应用试点（申报、验收、年度总结）和上海市智慧医疗专项研究项目的截止时间、申报条件、材料、方向、报送方式、联系人和流程。"


class ActionOutOfScope(Action):
    def name(self) -> str:
        return "action_out_of_scope"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        contacts = get_knowledge().helpdesk_contacts_text()
        dispatcher.utter_message(
            text=f"抱歉，这个问题不在我能回答的范围内，我无法提供相关信息。{SCOPE}如需帮助可转人工客服。{contacts}",
            buttons=[human_button()],
        )
        return []


class ActionFallback(Action):
    def name(self) -> str:
        return "action_fallback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        kb = get_knowledge()
        text = tracker.latest_message.get("text") or ""
        # A question that clearly names a topic and a program is still answered from the facts.
        if kb.composer.topic_from_cues(text) and kb.composer.detector.detect(text).programs:
            from .answer import ActionAnswerQuestion

            return ActionAnswerQuestion().run(dispatcher, tracker, domain)
        dispatcher.utter_message(
            text=f"抱歉，我没有完全理解您的问题，不想猜错。{SCOPE}您可以换个说法再问，或转人工客服。{kb.helpdesk_contacts_text()}",
            buttons=[human_button()],
        )
        return []
