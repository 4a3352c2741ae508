"""Message store: every user message and every bot reply, one transaction per exchange."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from persistence.models import Conversation, Message, utcnow
from messaging import BotMessage


Rating = Literal["up", "down"]


@dataclass(frozen=True)
class SavedUserMessage:
    """A stored user message; ``created`` is False when its client_id was stored before."""

    message: Message
    created: bool


class RatingError(Exception):
    """A rating that cannot be stored: ``reason`` is "not_found" or "not_bot"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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

    # --- web chat: messages one at a time with their ids, replay, ratings --------------------

    def save_user_message(
        self,
        session_id: str,
        text: str,
        *,
        client_id: str | None = None,
        title: str | None = None,
        channel: str = "web",
        received_at: datetime | None = None,
    ) -> SavedUserMessage:
        """Store one user message. A message whose ``client_id`` this conversation already has is
        not stored again: the stored one is returned with ``created=False``."""
        if client_id is not None:
            existing = self.message_by_client_id(session_id, client_id)
            if existing is not None:
                return SavedUserMessage(existing, created=False)
        now = received_at or utcnow()
        row = Message(
            session_id=session_id, sender="user", text=text, buttons=[], citations=[], attachment=None,
            created_at=now, client_id=client_id, title=title,
        )
        try:
            with self._sessions.begin() as db:
                self._upsert_conversation(db, session_id, channel, now, now)
                db.add(row)
        except IntegrityError:
            # the same client_id arrived twice at once (two tabs, a resend racing the original)
            existing = self.message_by_client_id(session_id, client_id) if client_id is not None else None
            if existing is None:
                raise
            return SavedUserMessage(existing, created=False)
        return SavedUserMessage(row, created=True)

    def message_by_client_id(self, session_id: str, client_id: str) -> Message | None:
        """The conversation's message sent with this client_id, if stored."""
        with self._sessions() as db:
            stmt = select(Message).where(Message.session_id == session_id, Message.client_id == client_id)
            return db.scalars(stmt).first()

    def save_bot_messages(
        self, session_id: str, messages: Sequence[BotMessage], *, sender: str = "bot", channel: str = "web"
    ) -> list[Message]:
        """Store replies (or pushed messages from staff or reminders) and return them with ids."""
        now = utcnow()
        rows = [
            Message(
                session_id=session_id,
                sender=sender,
                text=message.text,
                buttons=[b.model_dump() for b in message.buttons],
                citations=[c.model_dump() for c in message.citations],
                attachment=message.attachment.model_dump() if message.attachment else None,
                created_at=now,
            )
            for message in messages
        ]
        with self._sessions.begin() as db:
            self._upsert_conversation(db, session_id, channel, now, now)
            db.add_all(rows)
        return rows

    def messages_after(self, session_id: str, after_id: int = 0, limit: int = 200) -> list[Message]:
        """Messages of a conversation with an id above ``after_id``, oldest first, at most ``limit``:
        the oldest ones after ``after_id`` when ``after_id`` > 0 (nothing is skipped in between),
        the latest ``limit`` ones when ``after_id`` is 0 (a fresh page wants the recent history)."""
        with self._sessions() as db:
            stmt = select(Message).where(Message.session_id == session_id, Message.id > after_id)
            if after_id > 0:
                return list(db.scalars(stmt.order_by(Message.id).limit(limit)))
            latest = list(db.scalars(stmt.order_by(Message.id.desc()).limit(limit)))
            return latest[::-1]

    def latest_message(self, session_id: str) -> Message | None:
        """The conversation's newest message, if any."""
        with self._sessions() as db:
            stmt = select(Message).where(Message.session_id == session_id).order_by(Message.id.desc()).limit(1)
            return db.scalar(stmt)

    def is_answered(self, session_id: str, message_id: int) -> bool:
        """True if someone (the bot, staff) wrote after the user's message ``message_id`` and before
        the user's next one."""
        with self._sessions() as db:
            next_user = db.scalar(
                select(func.min(Message.id)).where(
                    Message.session_id == session_id, Message.id > message_id, Message.sender == "user"
                )
            )
            stmt = select(func.count()).select_from(Message).where(
                Message.session_id == session_id, Message.id > message_id, Message.sender != "user"
            )
            if next_user is not None:
                stmt = stmt.where(Message.id < next_user)
            return bool(db.scalar(stmt))

    def rate_message(self, session_id: str, message_id: int, rating: Rating, reason: str | None = None) -> Message:
        """Record the user's thumbs up/down on a bot message of their own conversation (a later
        rating replaces an earlier one, and its reason the earlier reason). Raises
        RatingError("not_found") if the conversation has no such message, RatingError("not_bot")
        if it is not the assistant's."""
        with self._sessions.begin() as db:
            row = db.get(Message, message_id)
            if row is None or row.session_id != session_id:
                raise RatingError("not_found")
            if row.sender != "bot":
                raise RatingError("not_bot")
            row.rating = rating
            row.rating_reason = reason if rating == "down" else None
            row.rated_at = utcnow()
            return row
