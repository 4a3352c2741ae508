"""ORM models of the helpdesk (migration 0004_helpdesk): staff and their console sessions, login
attempts, handoffs of conversations to staff, satisfaction ratings, FAQ entries written by staff,
and the tokens that tie a web chat session to the browser that holds it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from persistence.models import Base, utcnow

OPEN_STATUSES = ("waiting", "active")
OPEN_CONDITION = text("status IN ('waiting', 'active')")


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))  # 0010_rounds
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, default=None)


class StaffSession(Base):
    """A console login: the cookie holds a random token, the database only its SHA-256."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(Integer, ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LoginAttempt(Base):
    __tablename__ = "staff_login_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    client: Mapped[str] = mapped_column(String(64), index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class Handoff(Base):
    """One request for a person: waiting in the queue, active (a staff member owns the
    conversation), then closed, returned to the bot or cancelled by the applicant.

    ``kind`` is "live" (asked while staff were available) or "message" (left outside office
    hours or with nobody online). ``bot_paused``: the bot stays silent while the handoff is open.
    """

    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(32), default="web")
    kind: Mapped[str] = mapped_column(String(8), default="live")
    status: Mapped[str] = mapped_column(String(12), default="waiting", index=True)
    reason: Mapped[str] = mapped_column(String(64))
    program: Mapped[str | None] = mapped_column(String(32), nullable=True, default=None)
    question: Mapped[str | None] = mapped_column(Text, nullable=True, default=None)
    bot_paused: Mapped[bool] = mapped_column(Boolean, default=True)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, default=None)
    staff_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("staff.id"), nullable=True, default=None)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, default=None)
    ended_by: Mapped[int | None] = mapped_column(Integer, ForeignKey("staff.id"), nullable=True, default=None)
    resolution: Mapped[str | None] = mapped_column(Text, nullable=True, default=None)
    rating_requested: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        # at most one open handoff per conversation, even with several gateway processes
        Index("ux_handoffs_open_session", "session_id", unique=True,
              sqlite_where=OPEN_CONDITION, postgresql_where=OPEN_CONDITION),
    )


class Rating(Base):
    __tablename__ = "handoff_ratings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    handoff_id: Mapped[int] = mapped_column(Integer, ForeignKey("handoffs.id", ondelete="CASCADE"), unique=True)
    session_id: Mapped[str] = mapped_column(String(64), index=True)
    score: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FaqEntry(Base):
    """An answer written by staff, saved for the FAQ search and the bot (no restart needed)."""

    __tablename__ = "staff_faq_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    questions: Mapped[list[str]] = mapped_column(JSON)
    answer: Mapped[str] = mapped_column(Text)
    program: Mapped[str | None] = mapped_column(String(32), nullable=True, default=None)
    citation: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True, default=None)
    staff_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("staff.id"), nullable=True, default=None)
    handoff_id: Mapped[int | None] = mapped_column(Integer, nullable=True, default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApplicantToken(Base):
    """The secret of a web chat session: only the browser holding it reaches the conversation."""

    __tablename__ = "applicant_tokens"

    session_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RoundChange(Base):
    """One change of a round fact by an admin (migration 0010_rounds): the field's value before
    and after, who, when and why. The current value of a field is its latest change's; a revert
    is a new change back to the value before (``reverts``: the change it undoes)."""

    __tablename__ = "round_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    program: Mapped[str] = mapped_column(String(32), index=True)
    item_id: Mapped[str] = mapped_column(String(128))
    field: Mapped[str] = mapped_column(String(64))
    old_value: Mapped[str] = mapped_column(Text)
    new_value: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    staff_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("staff.id"), nullable=True, default=None)
    reverts: Mapped[int | None] = mapped_column(Integer, nullable=True, default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CannedReply(Base):
    """A reply staff insert with one click (migration 0011_canned_replies): shared by all staff,
    tagged with the programs it is about (none: any program)."""

    __tablename__ = "canned_replies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    programs: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_by: Mapped[int | None] = mapped_column(Integer, ForeignKey("staff.id"), nullable=True, default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
