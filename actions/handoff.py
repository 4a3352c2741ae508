"""The applicant asks for a person."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from knowledge.api import get_knowledge


class ActionRequestHuman(Action):
    def name(self) -> str:
        return "action_request_human"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        dispatcher.utter_message(
            text="好的，您的转人工请求已记录，工作人员会尽快联系您。您也可以直接电话咨询——" + get_knowledge().helpdesk_contacts_text()
        )
        return []
