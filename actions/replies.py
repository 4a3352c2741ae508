"""Sends a knowledge-base Reply through the dispatcher: text and buttons, then the citations as a
json_message (the REST channel delivers it as a separate `custom` message the gateway folds in)."""
from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from knowledge.answers import Reply


def send_reply(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    buttons = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
    dispatcher.utter_message(text=reply.text, buttons=buttons)
    if reply.citations:
        dispatcher.utter_message(json_message={"citations": [c.model_dump() for c in reply.citations]})
