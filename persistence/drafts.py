"""Drafts of forms being filled, saved after every accepted answer and found again by resume code.

The table lives in the gateway's database (``DATABASE_URL``; migration 0005_form_drafts), so a
draft survives restarts of every process and can be resumed from any session or channel.

A code is about 40 bits, so guessing is limited (``ResumeGuard``, table ``resume_attempts`` of
migration 0006_resume_attempts, shared by every action server on the database): after
``RESUME_FAILURES_PER_SESSION`` wrong codes in one conversation, or
``RESUME_FAILURES_PER_CLIENT`` from one client address, within ``RESUME_LOCK_MINUTES``, no code
is looked up — not even a right one — until the oldest of them is that old. Codes are secrets:
nothing here or in the form actions logs one (``code_hint``, ``mask_codes``).
"""

from __future__ import annotations

import logging
import math
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import JSON, DateTime, Engine, Index, Integer, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from persistence.database import create_db_engine, make_session_factory, upgrade_database
from persistence.models import Base, utcnow
from persistence.settings import StoreSettings
from knowledge.forms.engine import Draft

log = logging.getLogger(__name__)

# No 0/O, 1/I/L: a code read aloud or copied by hand stays unambiguous.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
CODE_PATTERN = re.compile(rf"(?<![A-Za-z0-9])([{CODE_ALPHABET}{CODE_ALPHABET.lower()}]{{{CODE_LENGTH}}})(?![A-Za-z0-9])")


FINISHED_PHASES = ("done", "stopped")


class FormDraft(Base):
    __tablename__ = "form_drafts"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(64), index=True)
    form_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    program: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))  # the draft's phase: fields, review, paused, done…
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    document_token: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


@dataclass
class StoredDraft:
    code: str
    sender_id: str
    draft: Draft
    document_token: str | None = None


def new_code() -> str:
    """A random code with at least one digit, so that typed in lower case it is still told apart
    from an ordinary word (see find_code)."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if any(ch.isdigit() for ch in code):
            return code


def code_hint(code: str) -> str:
    """What logs may show of a code: enough to tell two drafts apart in one log, not to use one."""
    return f"{code[:2]}******"


def mask_codes(text: str) -> str:
    """``text`` with every resume code in it (in any case) reduced to its hint."""
    return CODE_PATTERN.sub(lambda match: code_hint(match.group(1).upper()), text or "")


def find_code(text: str) -> str | None:
    """A resume code typed in a message (“继续填写 k7m2q9xd”), upper-cased."""
    for match in CODE_PATTERN.finditer(text or ""):
        candidate = match.group(1)
        if any(ch.isdigit() for ch in candidate) or candidate.isupper():
            return candidate.upper()
    return None


class DraftStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def create(self, sender_id: str, draft: Draft) -> StoredDraft:
        with self._sessions.begin() as session:
            while True:
                code = new_code()
                if session.get(FormDraft, code) is None:
                    break
            session.add(FormDraft(code=code, sender_id=sender_id, form_id=draft.form_id, program=draft.program,
                                  status=draft.phase, data=draft.to_json()))
        return StoredDraft(code, sender_id, draft)

    def get(self, code: str) -> StoredDraft | None:
        with self._sessions() as session:
            row = session.get(FormDraft, code.upper())
            return _stored(row) if row else None

    def latest_open(self, sender_id: str) -> StoredDraft | None:
        """The sender's most recent draft that is not finished (for “继续填写” without a code)."""
        return self.latest(sender_id, open_only=True)

    def latest(self, sender_id: str, *, open_only: bool = False) -> StoredDraft | None:
        """The session's most recent draft, finished or not unless ``open_only`` (staff see it)."""
        query = select(FormDraft).where(FormDraft.sender_id == sender_id)
        if open_only:
            query = query.where(FormDraft.status.not_in(FINISHED_PHASES))
        with self._sessions() as session:
            row = session.scalars(query.order_by(FormDraft.updated_at.desc()).limit(1)).first()
            return _stored(row) if row else None

    def save(self, code: str, draft: Draft, *, sender_id: str | None = None, document_token: str | None = None) -> None:
        with self._sessions.begin() as session:
            row = session.get(FormDraft, code)
            if row is None:
                raise KeyError(code)
            row.data = draft.to_json()
            row.status = draft.phase
            row.form_id = draft.form_id
            row.updated_at = utcnow()
            if sender_id:
                row.sender_id = sender_id
            if document_token:
                row.document_token = document_token


def _stored(row: FormDraft) -> StoredDraft:
    return StoredDraft(row.code, row.sender_id, Draft.from_json(row.data), row.document_token)


# --- limits on trying codes -------------------------------------------------------------------


class ResumeAttempt(Base):
    """One code being tried: kept when it was wrong (or is still being looked up), deleted when it
    was right or refused by a lock; rows older than the window are purged as new ones come."""

    __tablename__ = "resume_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sender_id: Mapped[str] = mapped_column(String(64))
    client_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    attempted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        Index("ix_resume_attempts_sender", "sender_id", "attempted_at"),
        Index("ix_resume_attempts_client", "client_key", "attempted_at"),
        Index("ix_resume_attempts_attempted_at", "attempted_at"),
    )


@dataclass(frozen=True)
class ResumeLimits:
    per_session: int = 5
    per_client: int = 20
    window: timedelta = timedelta(minutes=15)

    @classmethod
    def from_settings(cls, settings: StoreSettings) -> ResumeLimits:
        return cls(
            settings.resume_failures_per_session,
            settings.resume_failures_per_client,
            timedelta(minutes=settings.resume_lock_minutes),
        )


@dataclass(frozen=True)
class Lockout:
    retry_after: timedelta

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.retry_after.total_seconds() / 60))


Found = TypeVar("Found")


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)  # SQLite drops the zone


class ResumeGuard:
    """Counts wrong codes per conversation and per client key in the shared database.

    An attempt is written before the code is looked up, so attempts made at the same moment (by
    several action servers) count against each other instead of all passing one check. A right
    code does not wipe earlier failures: otherwise one's own code would reset the count.
    """

    def __init__(self, sessions: sessionmaker[Session], limits: ResumeLimits,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self._sessions = sessions
        self.limits = limits
        self.clock = clock

    def try_code(self, sender_id: str, client_key: str | None, lookup: Callable[[], Found | None]) -> Found | None | Lockout:
        """``lookup()``'s result, or a Lockout (then ``lookup`` is not called)."""
        now = self.clock()
        since = now - self.limits.window
        with self._sessions.begin() as session:
            session.execute(delete(ResumeAttempt).where(ResumeAttempt.attempted_at <= since))
            attempt = ResumeAttempt(sender_id=sender_id, client_key=client_key, attempted_at=now)
            session.add(attempt)
            session.flush()
            attempt_id = attempt.id
        lockout = self._lockout(attempt_id, sender_id, client_key, now)
        if lockout is not None:
            self._forget(attempt_id)
            log.warning("resume codes: too many wrong codes, sender=%s locked for %ds", sender_id, lockout.retry_after.total_seconds())
            return lockout
        found = lookup()
        if found is not None:
            self._forget(attempt_id)
        return found

    def _lockout(self, attempt_id: int, sender_id: str, client_key: str | None, now: datetime) -> Lockout | None:
        scopes = [(ResumeAttempt.sender_id, sender_id, self.limits.per_session)]
        if client_key:
            scopes.append((ResumeAttempt.client_key, client_key, self.limits.per_client))
        since = now - self.limits.window
        lifted_at: list[datetime] = []
        with self._sessions() as session:
            for column, value, limit in scopes:
                failures = session.scalars(
                    select(ResumeAttempt.attempted_at)
                    .where(column == value, ResumeAttempt.attempted_at > since, ResumeAttempt.id != attempt_id)
                    .order_by(ResumeAttempt.attempted_at)
                ).all()
                if len(failures) >= limit:
                    # below the limit again once this many of the oldest have left the window
                    lifted_at.append(_aware(failures[len(failures) - limit]) + self.limits.window)
        return Lockout(max(lifted_at) - now) if lifted_at else None

    def _forget(self, attempt_id: int) -> None:
        with self._sessions.begin() as session:
            session.execute(delete(ResumeAttempt).where(ResumeAttempt.id == attempt_id))


@lru_cache
def _engine(url: str) -> Engine:
    engine = create_db_engine(url)
    upgrade_database(engine)
    return engine


@lru_cache
def get_draft_store() -> DraftStore:
    """The store on ``DATABASE_URL`` (the gateway's database), schema brought up to date once."""
    return DraftStore(make_session_factory(_engine(StoreSettings().database_url)))


@lru_cache
def _resume_guard(url: str, limits: ResumeLimits) -> ResumeGuard:
    return ResumeGuard(make_session_factory(_engine(url)), limits)


def get_resume_guard() -> ResumeGuard:
    """The guard on ``DATABASE_URL`` with the limits of the environment (persistence/settings.py)."""
    settings = StoreSettings()
    return _resume_guard(settings.database_url, ResumeLimits.from_settings(settings))
