"""The gateway's message store, announcing what it stores (event ``{"t": "msg", "s": session,
"ids": […]}``) so that other gateway processes deliver it to the applicant's open sockets and
staff consoles see it at once."""

from __future__ import annotations

from typing import Any

from gateway.helpdesk.bus import LocalBus
from persistence.models import Message
from persistence.messages import MessageStore, SavedUserMessage


class PublishingMessageStore(MessageStore):
    def __init__(self, store: MessageStore, bus: LocalBus) -> None:
        super().__init__(store._sessions)
        self.bus = bus

    def _announce(self, session_id: str, ids: list[int]) -> None:
        self.bus.publish({"t": "msg", "s": session_id, "ids": ids})

    def save_exchange(self, session_id: str, *args: Any, **kwargs: Any) -> None:
        super().save_exchange(session_id, *args, **kwargs)
        self._announce(session_id, [])

    def save_user_message(self, session_id: str, *args: Any, **kwargs: Any) -> SavedUserMessage:
        saved = super().save_user_message(session_id, *args, **kwargs)
        if saved.created:
            self._announce(session_id, [saved.message.id])
        return saved

    def save_bot_messages(self, session_id: str, *args: Any, **kwargs: Any) -> list[Message]:
        rows = super().save_bot_messages(session_id, *args, **kwargs)
        self._announce(session_id, [row.id for row in rows])
        return rows
