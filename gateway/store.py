"""Message store: every user message and every bot reply, one transaction per exchange."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Engine, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from gateway.models import Conversation, Message, utcnow
from gateway.schemas import BotMessage


class MessageStore:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sessions = session_factory

    @property
    def engine(self) -> Engine:
        bind = self._sessions.kw["bind"]
        assert isinstance(bind, Engine)
        return bind

    def _upsert_conversation(
        self, db: Session, session_id: str, channel: str, created: datetime, now: datetime
    ) -> None:
        values = {"session_id": session_id, "channel": channel, "created_at": created, "updated_at": now}
        dialect = db.get_bind().dialect.name
        if dialect in ("sqlite", "postgresql"):
            module = sqlite if dialect == "sqlite" else postgresql
            stmt = module.insert(Conversation).values(**values)
            stmt = stmt.on_conflict_do_update(index_elements=["session_id"], set_={"updated_at": now})
            db.execute(stmt)
            return
        conversation = db.get(Conversation, session_id)
        if conversation is None:
            db.add(Conversation(**values))
        else:
            conversation.updated_at = now

    def save_exchange(
        self,
        session_id: str,
        user_text: str,
        bot_messages: Sequence[BotMessage],
        *,
        channel: str = "web",
        received_at: datetime | None = None,
    ) -> None:
        """Store the user's message and the bot's replies (and create/touch the conversation)."""
        received_at = received_at or utcnow()
        replied_at = utcnow()
        rows = [
            {
                "session_id": session_id,
                "sender": "user",
                "text": user_text,
                "buttons": [],
                "citations": [],
                "attachment": None,
                "created_at": received_at,
            }
        ]
        for message in bot_messages:
            rows.append(
                {
                    "session_id": session_id,
                    "sender": "bot",
                    "text": message.text,
                    "buttons": [b.model_dump() for b in message.buttons],
                    "citations": [c.model_dump() for c in message.citations],
                    "attachment": message.attachment.model_dump() if message.attachment else None,
                    "created_at": replied_at,
                }
            )
        with self._sessions.begin() as db:
            self._upsert_conversation(db, session_id, channel, received_at, replied_at)
            db.execute(insert(Message), rows)

    def messages(self, session_id: str) -> list[Message]:
        """All messages of a conversation, oldest first."""
        with self._sessions() as db:
            stmt = select(Message).where(Message.session_id == session_id).order_by(Message.id)
            return list(db.scalars(stmt))
