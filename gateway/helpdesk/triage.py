"""Triage for a busy day: finding conversations, seeing who left contact details, and the
shared library of canned replies (table ``canned_replies``, migration 0011_canned_replies).

- :meth:`Triage.search`: handoffs by text (the applicant's question or any message of the
  conversation), program, channel, date and status, newest first
- :meth:`Triage.contact_left`: which conversations hold a phone number, e-mail or other personal
  number the applicant typed (never shown: only the flag)
- :class:`CannedReplies`: replies any staff member writes, edits and inserts, tagged by program
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from persistence.helpdesk_models import OPEN_STATUSES, CannedReply, Handoff, Staff
from persistence.models import Message, utcnow
from knowledge.privacy import mask_pii

SEARCH_LIMIT = 50
MAX_TITLE_CHARS = 40
MAX_REPLY_CHARS = 2000
STATUS_FILTERS = {
    "waiting": ("waiting",),
    "active": ("active",),
    "open": OPEN_STATUSES,
    "ended": ("closed", "returned", "cancelled"),
}


class CannedInputError(ValueError):
    """A canned reply that cannot be saved (message in Chinese)."""


@dataclass(frozen=True)
class SearchFilters:
    text: str = ""
    program: str | None = None
    channel: str | None = None
    status: str | None = None  # a key of STATUS_FILTERS
    since: date | None = None
    until: date | None = None
    staff_id: int | None = None  # "mine"


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


class Triage:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def search(self, filters: SearchFilters) -> list[Handoff]:
        query = select(Handoff)
        text = filters.text.strip()
        if text:
            said = select(Message.session_id).where(Message.text.contains(text, autoescape=True))
            query = query.where(or_(Handoff.question.contains(text, autoescape=True), Handoff.session_id.in_(said)))
        if filters.program:
            query = query.where(Handoff.program == filters.program)
        if filters.channel:
            query = query.where(Handoff.channel == filters.channel)
        if filters.status:
            query = query.where(Handoff.status.in_(STATUS_FILTERS[filters.status]))
        if filters.since:
            query = query.where(Handoff.requested_at >= _day_start(filters.since))
        if filters.until:
            query = query.where(Handoff.requested_at < _day_start(filters.until + timedelta(days=1)))
        if filters.staff_id is not None:
            query = query.where(Handoff.staff_id == filters.staff_id)
        with self._sessions() as db:
            return list(db.scalars(query.order_by(Handoff.id.desc()).limit(SEARCH_LIMIT)))

    def contact_left(self, session_ids: Iterable[str]) -> set[str]:
        """The conversations in which the applicant typed a phone number, e-mail or the like."""
        wanted = set(session_ids)
        if not wanted:
            return set()
        with self._sessions() as db:
            rows = db.execute(select(Message.session_id, Message.text).where(
                Message.session_id.in_(wanted), Message.sender == "user")).all()
        return {session for session, text in rows if text and mask_pii(text) != text}


@dataclass(frozen=True)
class CannedView:
    id: int
    title: str
    text: str
    programs: list[str]
    author: str
    updated_at: datetime


def _clean(title: str, text: str, programs: Sequence[str]) -> tuple[str, str, list[str]]:
    title, text = title.strip(), text.strip()
    if not title or not text:
        raise CannedInputError("请填写标题和回复内容")
    if len(title) > MAX_TITLE_CHARS:
        raise CannedInputError(f"标题不超过{MAX_TITLE_CHARS}字")
    if len(text) > MAX_REPLY_CHARS:
        raise CannedInputError(f"回复内容不超过{MAX_REPLY_CHARS}字")
    return title, text, list(dict.fromkeys(programs))


class CannedReplies:
    """The shared library: every staff member sees, inserts and edits every reply."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def all(self, program: str | None = None) -> list[CannedView]:
        """Active replies, those tagged with ``program`` (or with no program) first."""
        with self._sessions() as db:
            rows = db.execute(
                select(CannedReply, Staff.display_name).outerjoin(Staff, Staff.id == CannedReply.updated_by)
                .where(CannedReply.active.is_(True)).order_by(CannedReply.title, CannedReply.id)
            ).all()
        views = [CannedView(r.id, r.title, r.text, list(r.programs or []), author or "", r.updated_at) for r, author in rows]
        if program:
            views.sort(key=lambda v: 0 if program in v.programs else 1 if not v.programs else 2)
        return views

    def add(self, title: str, text: str, programs: Sequence[str], staff_id: int) -> int:
        title, text, tags = _clean(title, text, programs)
        reply = CannedReply(title=title, text=text, programs=tags, updated_by=staff_id, active=True, updated_at=utcnow())
        with self._sessions.begin() as db:
            db.add(reply)
        return reply.id

    def edit(self, reply_id: int, title: str, text: str, programs: Sequence[str], staff_id: int) -> bool:
        title, text, tags = _clean(title, text, programs)
        with self._sessions.begin() as db:
            return db.execute(update(CannedReply).where(CannedReply.id == reply_id, CannedReply.active.is_(True)).values(
                title=title, text=text, programs=tags, updated_by=staff_id, updated_at=utcnow())).rowcount == 1

    def remove(self, reply_id: int) -> bool:
        with self._sessions.begin() as db:
            return db.execute(update(CannedReply).where(CannedReply.id == reply_id, CannedReply.active.is_(True))
                              .values(active=False)).rowcount == 1
