"""Drafts of forms being filled, saved after every accepted answer and found again by resume code.

The table lives in the gateway's database (``DATABASE_URL``; migration 0005_form_drafts), so a
draft survives restarts of every process and can be resumed from any session or channel.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, DateTime, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from gateway.db import create_db_engine, make_session_factory, upgrade_database
from gateway.models import Base, utcnow
from gateway.settings import DEFAULT_DATABASE_URL
from knowledge.forms.engine import Draft

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


@lru_cache
def get_draft_store() -> DraftStore:
    """The store on ``DATABASE_URL`` (the gateway's database), schema brought up to date once."""
    engine = create_db_engine(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    upgrade_database(engine)
    return DraftStore(make_session_factory(engine))
