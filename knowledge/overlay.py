"""Round facts changed by staff, applied over the notices' facts (the program files).

A new round of a program changes dates, contacts, addresses and URLs, not the assistant: an admin
changes one field of one fact in the console (persistence/rounds.py stores each change in
the gateway database), and every process applies the current changes over the facts it loaded
from the program files. A changed fact cites "工作人员更新（日期）" instead of the notice, whose
quote states the old value; an unchanged fact keeps citing the notice.

Each process asks its change source for the latest change id before it hands out its knowledge
base (:func:`knowledge.api.get_knowledge`), and rebuilds the base when the id moved.
"""
from __future__ import annotations

import itertools
import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from .loader import KnowledgeData
from .models import Citation, CitationRef, Deadline, Item, Program

log = logging.getLogger(__name__)

STAFF_DOC = "staff"

# What a round changes, per group of facts: field path → label shown in the console.
EDITABLE_FIELDS: dict[str, dict[str, str]] = {
    "deadlines": {"start": "开始时间", "end": "截止时间", "daily_hours": "每日受理时间", "note": "说明"},
    "submission": {"text": "内容（地址、网址等）"},
    "contacts": {"agency": "部门", "people.{n}.name": "联系人", "people.{n}.phone": "电话"},
}
MAX_VALUE_CHARS = 500
YEARS = (2000, 2100)  # a date outside is a typo


class OverlayError(ValueError):
    """A change that cannot be applied (message in Chinese)."""


@dataclass(frozen=True)
class FactChange:
    """The current value of one field of one fact, as set by staff on ``changed_on``."""

    program: str
    item_id: str
    field: str
    value: str
    changed_on: date


@dataclass(frozen=True)
class EditableField:
    program: str
    item_id: str
    group: str
    title: str
    field: str
    label: str
    value: str


class StaffCitationRef(CitationRef):
    """The citation of a fact a person changed: who said it, not the notice."""

    changed_on: date


def staff_title(changed_on: date) -> str:
    return f"工作人员更新（{changed_on.year}年{changed_on.month}月{changed_on.day}日）"


@dataclass(frozen=True)
class OverlaidKnowledgeData(KnowledgeData):
    """Knowledge data with staff changes applied: changed facts cite the staff update."""

    def cite(self, program: Program, ref: CitationRef) -> Citation:
        if isinstance(ref, StaffCitationRef):
            return Citation(doc=STAFF_DOC, title=staff_title(ref.changed_on), clause=ref.clause, quote=ref.quote)
        return super().cite(program, ref)


# --- values -----------------------------------------------------------------------------------


def _field_pattern(field: str) -> str:
    return re.sub(r"\d+", "{n}", field)


def field_label(group: str, field: str) -> str | None:
    return EDITABLE_FIELDS.get(group, {}).get(_field_pattern(field))


def value_text(value: Any) -> str:
    """A field's value as the console shows and stores it (dates ISO, minutes kept)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d" if value.time() == datetime.min.time() else "%Y-%m-%dT%H:%M")
    return str(value)


def spoken_value(value: str) -> str:
    """A stored value as an answer's citation says it (2027-03-31T17:00 → 2027年3月31日17:00)."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    clock = "" if moment.time() == datetime.min.time() else f"{moment.hour}:{moment.minute:02d}"
    return chinese_date(moment) + clock


def chinese_date(moment: datetime) -> str:
    return f"{moment.year}年{moment.month}月{moment.day}日"


def _get(node: Any, path: list[str]) -> Any:
    for part in path:
        node = node[int(part)] if isinstance(node, list) else node.get(part)
    return node


def _set(node: Any, path: list[str], value: Any) -> None:
    for part in path[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    last = path[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def _find(program: Program, item_id: str) -> tuple[str, int, Item]:
    for group in EDITABLE_FIELDS:
        for index, item in enumerate(getattr(program, group)):
            if item.id == item_id:
                return group, index, item
    raise OverlayError(f"没有可修改的事项 {item_id}")


def _path(item: Item, group: str, field: str) -> list[str]:
    if field_label(group, field) is None:
        raise OverlayError(f"这一项不能修改：{field}")
    path = field.split(".")
    if any(part.isdigit() and str(int(part)) != part for part in path):
        raise OverlayError(f"没有这一项：{field}")
    try:
        _get(item.model_dump(), path)
    except (IndexError, KeyError, ValueError, AttributeError):
        raise OverlayError(f"没有这一项：{field}") from None
    return path


def current_value(program: Program, item_id: str, field: str) -> str:
    group, _, item = _find(program, item_id)
    return value_text(_get(item.model_dump(), _path(item, group, field)))


def _mentions_rewritten(raw: dict[str, Any], old: Any, new: Any) -> None:
    """A changed date is also changed where the fact's own texts mention it (note, text)."""
    if not (isinstance(old, datetime) and isinstance(new, datetime)):
        return
    for key in ("note", "text"):
        if isinstance(raw.get(key), str):
            raw[key] = raw[key].replace(chinese_date(old), chinese_date(new))


def _changed_item(item: Item, group: str, change: FactChange) -> Item:
    path = _path(item, group, change.field)
    raw = item.model_dump()
    old = _get(raw, path)
    value: Any = change.value.strip()
    if len(value) > MAX_VALUE_CHARS:
        raise OverlayError(f"内容不超过{MAX_VALUE_CHARS}字")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in value):
        raise OverlayError("内容含有不可见的控制字符，请重新输入")
    _set(raw, path, value or None)  # emptied: an optional field (开始时间, 电话) no longer given
    try:
        changed = type(item).model_validate(raw)
    except ValidationError:
        if not value:
            raise OverlayError(f"{field_label(group, change.field)}不能为空") from None
        raise OverlayError(f"“{value}”不是有效的{field_label(group, change.field)}"
                           + ("（日期写作 2027-03-31 或 2027-03-31T17:00）" if change.field in ("start", "end") else "")) from None
    new_raw = changed.model_dump()
    moment = _get(new_raw, path)
    if isinstance(moment, datetime) and moment.tzinfo is not None:
        raise OverlayError("日期按北京时间填写，不带时区（如 2027-03-31T17:00）")
    if isinstance(moment, datetime) and not YEARS[0] <= moment.year <= YEARS[1]:
        raise OverlayError(f"日期应在{YEARS[0]}年至{YEARS[1]}年之间")
    _mentions_rewritten(new_raw, old, _get(new_raw, path))
    if isinstance(changed, Deadline) and changed.start and changed.end and changed.start > changed.end:
        raise OverlayError("开始时间不能晚于截止时间")
    return type(item).model_validate(new_raw)


def _staff_cite(original: CitationRef, group: str, fields: list[FactChange]) -> StaffCitationRef:
    said = "；".join(f"{field_label(group, c.field)}：{spoken_value(c.value) if c.value else '（无）'}" for c in fields)
    return StaffCitationRef(clause=f"原通知：{original.clause}", quote=said, changed_on=max(c.changed_on for c in fields))


def apply_changes(data: KnowledgeData, changes: list[FactChange]) -> OverlaidKnowledgeData:
    """``data`` with ``changes`` applied (a change to an unknown program or fact is skipped and
    logged: the program files may have moved on since it was made)."""
    programs = dict(data.programs)
    by_item: dict[tuple[str, str], list[FactChange]] = {}
    for change in changes:
        by_item.setdefault((change.program, change.item_id), []).append(change)
    for (key, item_id), item_changes in by_item.items():
        program = programs.get(key)
        if program is None:
            log.warning("round change for unknown program %s skipped", key)
            continue
        try:
            group, index, item = _find(program, item_id)
            # a change back to the notice's value (a revert) is no change: the notice is cited again
            item_changes = [c for c in item_changes if c.value != current_value(program, item_id, c.field)]
            if not item_changes:
                continue
            changed = item
            for change in item_changes:
                changed = _changed_item(changed, group, change)
        except OverlayError as error:
            log.warning("round change of %s %s skipped: %s", key, item_id, error)
            continue
        changed = changed.model_copy(update={"cite": _staff_cite(item.cite, group, item_changes)})
        facts = list(getattr(program, group))
        facts[index] = changed
        programs[key] = program.model_copy(update={group: facts})
    return OverlaidKnowledgeData(programs=programs, sources=data.sources)


def check_change(data: KnowledgeData, change: FactChange) -> str:
    """The value as it will be stored, or OverlayError naming what is wrong."""
    program = data.programs.get(change.program)
    if program is None:
        raise OverlayError(f"没有项目 {change.program}")
    group, _, item = _find(program, change.item_id)
    changed = _changed_item(item, group, change)
    return value_text(_get(changed.model_dump(), change.field.split(".")))


def editable_fields(program: Program) -> list[EditableField]:
    """Every field a round may change, with its value in ``program``."""
    found = []
    for group, fields in EDITABLE_FIELDS.items():
        for item in getattr(program, group):
            raw = item.model_dump()
            for pattern, label in fields.items():
                if "{n}" in pattern:
                    head = pattern.split(".{n}.")[0]
                    paths = [pattern.replace("{n}", str(n)) for n in range(len(raw.get(head) or []))]
                    numbered = len(paths) > 1
                else:
                    paths, numbered = [pattern], False
                for n, path in enumerate(paths):
                    shown = f"{label}{n + 1}" if numbered else label
                    found.append(EditableField(program.key, item.id, group, item.title, path, shown,
                                               value_text(_get(raw, path.split(".")))))
    return found


# --- the facts and forms of this process, changes applied -------------------------------------


def _changed_dates(notices: KnowledgeData, changes: list[FactChange]) -> dict[str, list[tuple[str, str, date]]]:
    """Per program: (the notice's date as written, the new one, when changed) of changed dates."""
    found: dict[str, list[tuple[str, str, date]]] = {}
    for change in changes:
        program = notices.programs.get(change.program)
        if program is None or change.field not in ("start", "end") or not change.value:
            continue
        try:
            old = current_value(program, change.item_id, change.field)
        except OverlayError:
            continue
        if old and old != change.value:
            found.setdefault(change.program, []).append((spoken_value(old), spoken_value(change.value), change.changed_on))
    return found


def _rewritten(text: str, dates: list[tuple[str, str, date]]) -> str:
    for old, new, changed_on in dates:
        day_only = old.split("日")[0] + "日"
        if old in text or day_only in text:
            text = text.replace(old, new) if old in text else text.replace(day_only, new.split("日")[0] + "日")
            text += f"（{staff_title(changed_on)}）"
    return text


def forms_with_changes(forms: dict[str, Any], notices: KnowledgeData, changes: list[FactChange]) -> dict[str, Any]:
    """Forms whose checklists name a changed date name the new one, marked as a staff update."""
    dates = _changed_dates(notices, changes)
    changed = {}
    for key, form in forms.items():
        program_dates = dates.get(form.program, [])
        if not program_dates:
            changed[key] = form
            continue
        checklist = [item.model_copy(update={"text": _rewritten(item.text, program_dates)}) for item in form.checklist]
        changed[key] = form.model_copy(update={"checklist": checklist})
    return changed


@dataclass
class _Cached:
    key: tuple[int, int] = (0, 0)
    value: Any = None


_cache: dict[str, _Cached] = {}


def with_current_changes(name: str, notices: Any, build: Callable[[list[FactChange]], Any]) -> Any:
    """``build(changes)`` for this process's current changes, rebuilt only when they move;
    ``notices`` (no change) while there is none."""
    overlay = current_overlay()
    version = overlay.version()
    if version == 0:
        return notices
    cached = _cache.setdefault(name, _Cached())
    if cached.key != (overlay.serial, version):
        cached.value, cached.key = build(overlay.changes()), (overlay.serial, version)
    return cached.value


# --- where the changes come from --------------------------------------------------------------

ChangeSource = Callable[[], tuple[int, list[FactChange]]]
VersionSource = Callable[[], int]


_serials = itertools.count(1)


@dataclass
class Overlay:
    """The change source of this process: ``version()`` is cheap (the latest change id), and
    ``changes()`` is read only when it moved. ``serial`` tells sources apart (another database
    may have a change with the same id)."""

    version: VersionSource
    changes: Callable[[], list[FactChange]]
    serial: int = field(default_factory=lambda: next(_serials))


def _no_version() -> int:
    return 0


def _no_changes() -> list[FactChange]:
    return []


NO_CHANGES = Overlay(_no_version, _no_changes, serial=0)
_overlay: Overlay | None = None


def current_overlay() -> Overlay:
    return _overlay or NO_CHANGES


def set_overlay(overlay: Overlay | None) -> None:
    """The change source of this process (``None``: the notices alone). The processes that serve
    applicants install the database's (persistence/rounds.py) when they start."""
    global _overlay
    _overlay = overlay
