"""Sends a knowledge-base Reply through the dispatcher: text, buttons and the citations in one
message (the REST channel delivers the citations as a separate `custom` item right after the
text, which the gateway folds back in). One message keeps the tracker one event shorter."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from knowledge.reply import Reply


def send_reply(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    buttons = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
    citations = {"citations": [c.model_dump() for c in reply.citations]} if reply.citations else None
    dispatcher.utter_message(text=reply.text, buttons=buttons, json_message=citations)


def changed_slots(tracker: Tracker, values: dict[str, Any]) -> list[dict[str, Any]]:
    """SlotSet events only for the slots whose value changes: every event is a row Rasa's tracker
    store writes and reads back on each later turn."""
    return [SlotSet(name, value) for name, value in values.items() if tracker.get_slot(name) != value]
