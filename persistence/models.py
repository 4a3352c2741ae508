"""ORM models: one row per conversation, one row per message (user or bot)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    pass


class Conversation(Base):
    __tablename__ = "conversations"

    session_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(32), default="web", server_default="web")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("conversations.session_id", ondelete="CASCADE"), index=True
    )
    sender: Mapped[str] = mapped_column(String(8))  # "user" | "bot"
    text: Mapped[str] = mapped_column(Text, default="")
    buttons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    citations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    attachment: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True, default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Web chat (migration 0002): the browser's id of a user message, unique per conversation, so
    # that a message re-sent after a reconnect is stored once; the label shown instead of
    # ``text`` when the user tapped a quick reply (text is then the button's payload); the
    # user's thumbs up/down on a bot message.
    client_id: Mapped[str | None] = mapped_column(String(64), nullable=True, default=None)
    title: Mapped[str | None] = mapped_column(Text, nullable=True, default=None)
    rating: Mapped[str | None] = mapped_column(String(8), nullable=True, default=None)  # "up" | "down"
    rated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, default=None)
    # migration 0008: why an answer was rated down ("答非所问" or "其他：<their words>")
    rating_reason: Mapped[str | None] = mapped_column(Text, nullable=True, default=None)

    __table_args__ = (Index("ux_messages_session_client", "session_id", "client_id", unique=True),)
