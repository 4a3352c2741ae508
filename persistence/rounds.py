"""Round facts maintained by admins, versioned (table ``round_changes``, migration 0010_rounds).

Each change of one field of one fact (a deadline's 截止时间, a contact's 电话, the address in a
submission statement) is a row: the value before and after, who, when and why. The current value
of a field is its latest row's; a revert is a new row back to the value before. The knowledge
layer (knowledge/overlay.py) applies the current values in every process — the gateway and the
action server read the same database — and rebuilds its base when the latest id moves.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from persistence.staff_accounts import aware
from persistence.helpdesk_models import RoundChange, Staff
from persistence.models import utcnow
from knowledge.loader import KnowledgeData, configured_knowledge
from knowledge.overlay import (
    EditableField,
    FactChange,
    Overlay,
    OverlayError,
    check_change,
    current_value,
    editable_fields,
    field_label,
)

log = logging.getLogger(__name__)

MAX_REASON_CHARS = 500
# A database that cannot be read (no such table yet) is asked again only after this long.
RETRY_SECONDS = 5.0


class RoundInputError(ValueError):
    """A change that cannot be made (message in Chinese)."""


class RoundNotFound(LookupError):
    pass


@dataclass(frozen=True)
class ChangeView:
    id: int
    program: str
    item_id: str
    field: str
    label: str
    old_value: str
    new_value: str
    reason: str
    author: str
    created_at: datetime
    reverts: int | None
    reverted_by: int | None


@dataclass(frozen=True)
class FactView:
    field: EditableField
    notice_value: str
    changed_by: str | None  # None: the notice's value
    changed_at: datetime | None


class RoundRepository:
    def __init__(self, sessions: sessionmaker[Session], knowledge: KnowledgeData | None = None) -> None:
        self._sessions = sessions
        self._knowledge = knowledge

    @property
    def notices(self) -> KnowledgeData:
        """The facts as the program files state them (no change applied)."""
        return self._knowledge or configured_knowledge()

    def version(self) -> int:
        with self._sessions() as db:
            return int(db.scalar(select(func.max(RoundChange.id))) or 0)

    def current(self) -> list[FactChange]:
        """The latest value of every changed field."""
        with self._sessions() as db:
            rows = db.scalars(select(RoundChange).order_by(RoundChange.id)).all()
        latest: dict[tuple[str, str, str], RoundChange] = {}
        for row in rows:
            latest[(row.program, row.item_id, row.field)] = row
        return [FactChange(r.program, r.item_id, r.field, r.new_value, aware(r.created_at).date()) for r in latest.values()]

    def history(self, program: str) -> list[ChangeView]:
        """The changes of a program, newest first."""
        with self._sessions() as db:
            rows = db.execute(
                select(RoundChange, Staff.display_name).outerjoin(Staff, Staff.id == RoundChange.staff_id)
                .where(RoundChange.program == program).order_by(RoundChange.id.desc())
            ).all()
        reverted_by = {change.reverts: change.id for change, _ in rows if change.reverts}
        groups = self._groups(program)
        return [
            ChangeView(c.id, c.program, c.item_id, c.field, field_label(groups.get(c.item_id, ""), c.field) or c.field,
                       c.old_value, c.new_value, c.reason, author or "", aware(c.created_at), c.reverts, reverted_by.get(c.id))
            for c, author in rows
        ]

    def facts(self, program: str) -> list[FactView]:
        """Every field a round may change, with its current value and whether staff set it."""
        notice = self._program(program)
        latest = {(c.item_id, c.field): c for c in reversed(self.history(program))}
        views = []
        for editable in editable_fields(notice):
            change = latest.get((editable.item_id, editable.field))
            if change is None or change.new_value == editable.value:
                views.append(FactView(editable, editable.value, None, None))
                continue
            shown = EditableField(**{**editable.__dict__, "value": change.new_value})
            views.append(FactView(shown, editable.value, change.author, change.created_at))
        return views

    def change(self, program: str, item_id: str, field: str, value: str, reason: str, staff_id: int,
               reverts: int | None = None) -> ChangeView:
        reason = reason.strip()
        if not reason:
            raise RoundInputError("请写明修改原因（例如：2027年度申报通知）")
        if len(reason) > MAX_REASON_CHARS:
            raise RoundInputError(f"修改原因不超过{MAX_REASON_CHARS}字")
        notice = self._program(program)
        try:
            stored = check_change(self.notices, FactChange(program, item_id, field, value, utcnow().date()))
            before = current_value(notice, item_id, field)
        except OverlayError as error:
            raise RoundInputError(str(error)) from None
        with self._sessions.begin() as db:
            last = db.scalar(select(RoundChange.new_value).where(
                RoundChange.program == program, RoundChange.item_id == item_id, RoundChange.field == field,
            ).order_by(RoundChange.id.desc()).limit(1))
            before = before if last is None else last
            if stored == before:
                raise RoundInputError("新值与当前值相同，无需修改")
            row = RoundChange(program=program, item_id=item_id, field=field, old_value=before, new_value=stored,
                              reason=reason, staff_id=staff_id, reverts=reverts, created_at=utcnow())
            db.add(row)
        log.info("round change %d: %s %s %s by staff=%s", row.id, program, item_id, field, staff_id)
        return next(c for c in self.history(program) if c.id == row.id)

    def revert(self, change_id: int, reason: str, staff_id: int) -> ChangeView:
        """Back to the value before ``change_id`` (a new change: the history keeps both)."""
        with self._sessions() as db:
            original = db.get(RoundChange, change_id)
        if original is None:
            raise RoundNotFound(change_id)
        return self.change(original.program, original.item_id, original.field, original.old_value,
                           reason.strip() or f"撤销第{change_id}号修改", staff_id, reverts=change_id)

    def _program(self, program: str):  # noqa: ANN202
        found = self.notices.programs.get(program)
        if found is None:
            raise RoundNotFound(program)
        return found

    def _groups(self, program: str) -> dict[str, str]:
        return {f.item_id: f.group for f in editable_fields(self._program(program))}


# --- every process's change source (knowledge/overlay.py asks it) ------------------------------


class DatabaseChanges:
    """The latest change id and the current changes, read from the database; while the database
    cannot be read (not migrated yet, down), the notices alone are used."""

    def __init__(self, repository: RoundRepository, exists: Callable[[], bool] = lambda: True) -> None:
        self._repository = repository
        self._exists = exists
        self._failed_at: float | None = None
        self._version = 0

    def version(self) -> int:
        if not self._exists():  # the knowledge library without a gateway database (tests, eval)
            return 0
        if self._failed_at is not None and time.monotonic() - self._failed_at < RETRY_SECONDS:
            return self._version
        try:
            self._version = self._repository.version()
            self._failed_at = None
        except Exception as exc:
            if self._failed_at is None:
                log.warning("round changes unavailable: %s: %s", type(exc).__name__, exc)
            self._failed_at = time.monotonic()
        return self._version

    def changes(self) -> list[FactChange]:
        try:
            return self._repository.current()
        except Exception as exc:
            log.warning("round changes unavailable: %s: %s", type(exc).__name__, exc)
            return []

    def overlay(self) -> Overlay:
        return Overlay(self.version, self.changes)


@lru_cache(maxsize=4)
def _overlay_for(url: str) -> Overlay:
    from persistence.database import _sqlite_file, create_db_engine, make_session_factory

    file = _sqlite_file(url) if url.startswith("sqlite") else None
    repository = RoundRepository(make_session_factory(create_db_engine(url)))
    return DatabaseChanges(repository, (lambda: file.exists()) if file else (lambda: True)).overlay()


def database_overlay() -> Overlay:
    """The changes on DATABASE_URL (the action server; the gateway sets its own at start)."""
    from persistence.settings import StoreSettings  # read each time: cheap, and follows DATABASE_URL

    return _overlay_for(StoreSettings().database_url)
