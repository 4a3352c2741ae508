"""The applicant asks for a person: the gateway's helpdesk queues the conversation.

The text is what the applicant sees if no helpdesk handles the request; the gateway replaces it
by the queue notice when it gets the ``{"handoff": {"reason": …}}`` json_message (folded into
this message by gateway/rasa_client.py). The reason says why a person was wanted: after the bot
failed to understand, after an out-of-scope answer, or simply asked for."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from knowledge.api import get_knowledge

REASON_AFTER_ACTION = {"action_fallback": "not_understood", "action_out_of_scope": "out_of_scope"}


def previous_action(tracker: Tracker) -> str | None:
    """The last action the bot ran before the applicant's latest message."""
    seen_latest_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_latest_user:
                return None  # two messages in a row without an action in between
            seen_latest_user = True
        elif seen_latest_user and event.get("event") == "action" and event.get("name") != "action_listen":
            return event.get("name")
    return None


def handoff_reason(tracker: Tracker) -> str:
    return REASON_AFTER_ACTION.get(previous_action(tracker) or "", "user_request")


class ActionRequestHuman(Action):
    def name(self) -> str:
        return "action_request_human"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        request_person(dispatcher, handoff_reason(tracker))
        return []


def request_person(dispatcher: CollectingDispatcher, reason: str) -> None:
    """Ask the gateway's helpdesk for a person, saying why (any action may)."""
    dispatcher.utter_message(
        text="好的，您的转人工请求已记录，工作人员会尽快联系您。您也可以直接电话咨询——" + get_knowledge().helpdesk_contacts_text(),
        json_message={"handoff": {"reason": reason}},
    )
