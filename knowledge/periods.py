"""Periods: the one the applicant plans against the one a notice allows, and a month named against a
deadline that follows the end of the project.

- "计划2018年9月开始、2021年12月结题", "建设3年": a span, compared with the program's window that
  bounds a project (data: ``project_period: true`` on a deadline — 研究期限, 建设周期), by its dates
  or by the length its note limits (原则上不超过两年: soft).
- "项目2023年8月底到期，10月中旬再递交验收申请": a month (or day) compared with a deadline that
  ``follows`` another one's end ``within_months`` (到期后一个月内); before that end it is early,
  which the deadline may allow (``early_allowed``: 可申请提前验收).
The reading is small general patterns over how applicants say months and lengths; no sentence has
its own."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .models import Deadline
from .text import NUMBER, normalize, to_number

YearMonth = tuple[int, int]

_MONTH = r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月"
# "2018年9月到2021年12月", "从2018年9月一直做到2022年6月", "2018年9月开始、2021年5月结题"
_RANGE = re.compile(
    rf"(\d{{4}})\s*年\s*(\d{{1,2}})\s*月(?:份|初)?\s*(?:开始|起|启动)?\s*"
    rf"(?:(?:[到至~～—\-－]|一直(?:做|干|延续|持续)?到|(?:做|干|延续|持续)到)\s*{_MONTH}(?:份|底|末)?"
    rf"|[、，,]\s*{_MONTH}(?:份|底|末)?\s*(?:结题|结束|完成|结项|截止|为止)"
    # "2021年9月开始，建设计划打算做到2024年6月": a clause between the start and the end
    rf"|(?<=开始|启动)[、，,][^。？?\d]{{0,10}}?(?:做到|干到|持续到|延续到|建到|到)\s*{_MONTH}(?:份|底|末)?)"
)
# "计划建设3年", "做三年", "周期定为30个月", "为期两年半" (not "已经做了两年": time spent, not planned)
_LENGTH = re.compile(rf"(?:建设|研究|实施|执行|做|干|周期|期限|为期|搞)(?:[^，,。？?了\d]{{0,5}}?)({NUMBER})\s*(年半?|个月)(?!\s*\d)")
# "项目2023年8月底到期", "建设周期到2023年8月", "8月份结束的": the day the applicant's project ends
# "2023年8月到期", "23年5月就到期了", "2023年8月建设期满了", "建设期到2023年8月"
_END_MONTH = r"(?:(\d{4}|\d{2})\s*年\s*)?(\d{1,2})\s*月"
# "计划2021年底才结题", "想做到2022年3月再结项": the planned end alone
_END_ONLY = re.compile(r"(\d{4})\s*年\s*(?:(\d{1,2})\s*月(?:份|底|末)?|底|末)\s*(?:才|再)?\s*(?:结题|结项|完成研究|做完|完成)")
_PROJECT_END = re.compile(
    rf"{_END_MONTH}(?:份|底|末)?\s*(?:就|才)?\s*(?:建设期|建设周期|周期|项目)?\s*(?:就|已经|已)?\s*(?:到期|结束|期满|满了|截止|结项)"
    rf"|(?:周期|建设期|项目|执行期|研究期)[^，,。？?]{{0,4}}到\s*{_END_MONTH}(?:份|底|末)?"
)
# "9月20号", "10月中旬", "2023年5月": when the applicant means to act, to the day or roughly
_PART_OF_MONTH = {"初": 5, "上旬": 5, "中旬": 15, "下旬": 25, "底": 28, "末": 28}
_ACTS_IN_MONTH = re.compile(r"\s*(?:份)?(?:再|就|才|前|左右|底前)?\s*(?:交|递|报|提|申请|送|寄|上传|验收)")
_WHEN = re.compile(rf"{_MONTH}\s*(?:(\d{{1,2}})\s*[日号]?|(初|上旬|中旬|下旬|底|末))?")


@dataclass(frozen=True)
class Span:
    """A period the applicant plans: its first and last month, or only its length."""

    start: YearMonth | None
    end: YearMonth | None
    months: float | None
    shown: str
    length_said: str = ""  # the applicant's own words for the length (两年半, 18个月)


@dataclass(frozen=True)
class Day:
    """A day the applicant names; ``exact`` is False for 中旬/下旬 or a month alone."""

    year: int | None
    month: int
    day: int
    exact: bool
    shown: str


@dataclass(frozen=True)
class PeriodCheck:
    status: Literal["met", "broken", "soft"]
    text: str
    early: bool = False  # before the project's end, which the deadline allows


_SOFTLY = re.compile(r"原则上|一般")


def find_span(text: str) -> Span | None:
    text = normalize(text)
    if (found := _RANGE.search(text)) is not None:
        start = (int(found.group(1)), int(found.group(2)))
        end_year, end_month = next((found.group(i), found.group(i + 1)) for i in (3, 5, 7) if found.group(i + 1))
        end = (int(end_year) if end_year else start[0], int(end_month))
        if not (1 <= start[1] <= 12 and 1 <= end[1] <= 12) or end < start:
            return None
        return Span(start, end, months_between(start, end), found.group(0))
    if (found := _END_ONLY.search(text)) is not None:
        end = (int(found.group(1)), int(found.group(2)) if found.group(2) else 12)  # 年底: December
        return Span(None, end, None, found.group(0)) if 1 <= end[1] <= 12 else None
    if (found := _LENGTH.search(text)) is not None:
        number = to_number(found.group(1))
        if number is None or len(found.group(1)) == 4:  # 2023年: a calendar year
            return None
        months = number * 12 + (6 if found.group(2) == "年半" else 0) if found.group(2).startswith("年") else number
        return Span(None, None, months, found.group(0), found.group(1) + found.group(2))
    return None


def find_project_end(text: str) -> YearMonth | None:
    found = _PROJECT_END.search(normalize(text))
    if found is None:
        return None
    year, month = (found.group(1), found.group(2)) if found.group(2) else (found.group(3), found.group(4))
    number = int(year) + (2000 if len(year) == 2 else 0) if year else 0
    return (number, int(month)) if 1 <= int(month) <= 12 else None


def find_day(text: str) -> Day | None:
    """The day the applicant means to act on, outside what they say of the project's end."""
    text = normalize(text)
    for said_already in (_PROJECT_END, _RANGE):  # the project's end and a planned period are not the day
        if (found := said_already.search(text)) is not None:
            text = text[: found.start()] + "，" + text[found.end():]
    for found in _WHEN.finditer(text):
        month = int(found.group(2))
        if not 1 <= month <= 12:
            continue
        year = int(found.group(1)) if found.group(1) else None
        if found.group(3):
            return Day(year, month, min(int(found.group(3)), 31), True, found.group(0))
        acts = _ACTS_IN_MONTH.match(text, found.end())  # "11月再递验收申请": the month alone
        if found.group(4) or year is not None or acts:
            return Day(year, month, _PART_OF_MONTH.get(found.group(4) or "", 1), False, found.group(0))
    return None


def months_between(start: YearMonth, end: YearMonth) -> int:
    """Whole months from the first month to the last, both included (2018年7月至2021年6月: 36)."""
    return (end[0] - start[0]) * 12 + end[1] - start[1] + 1


def _month_text(month: YearMonth) -> str:
    return f"{month[0]}年{month[1]}月"


def _length_text(months: float) -> str:
    if months % 12 == 0:
        return f"{months / 12:g}年"
    if months % 6 == 0:
        return f"{months // 12:g}年半"
    return f"{months:g}个月"


_LENGTH_LIMIT = re.compile(rf"(原则上|一般)?\s*(?:不超过|不得超过|最长|为)\s*({NUMBER})\s*(年|个月)")


def check_span(span: Span, window: Deadline) -> PeriodCheck | None:
    """The applicant's period against the program's: inside its dates, within its length."""
    rule = window.note or window.cite.quote
    if span.start and span.end and window.start and window.end:
        allowed = (window.start.year, window.start.month), (window.end.year, window.end.month)
        said = f"您说的是{_month_text(span.start)}至{_month_text(span.end)}"
        if allowed[0] <= span.start and span.end <= allowed[1]:
            return PeriodCheck("met", f"{rule.rstrip('。')}，{said}，在此期限内")
        where = "开始早于" if span.start < allowed[0] else "结束晚于"
        edge = allowed[0] if span.start < allowed[0] else allowed[1]
        status: Literal["broken", "soft"] = "soft" if _SOFTLY.search(rule) else "broken"  # 一般为两年（…）
        return PeriodCheck(status, f"{rule.rstrip('。')}，{said}，{where}{_month_text(edge)}")
    if span.end and not span.start and window.end:
        last = (window.end.year, window.end.month)
        said = f"您说的结束时间是{_month_text(span.end)}"
        if span.end <= last:
            return PeriodCheck("met", f"{rule.rstrip('。')}，{said}，在此期限内")
        return PeriodCheck("broken", f"{rule.rstrip('。')}，{said}，晚于{_month_text(last)}")
    if span.months is None:
        return None
    limit = _LENGTH_LIMIT.search(rule)
    if limit is not None and (number := to_number(limit.group(2))) is not None:
        allowed_months = number * 12 if limit.group(3) == "年" else number
        soft = bool(limit.group(1))
    elif window.start and window.end:
        allowed_months, soft = months_between((window.start.year, window.start.month), (window.end.year, window.end.month)), False
    else:
        return None
    said = f"您说的是{span.length_said or _length_text(span.months)}"
    if span.months <= allowed_months:
        return PeriodCheck("met", f"{rule.rstrip('。')}，{said}，在此期限内")
    return PeriodCheck("soft" if soft else "broken", f"{rule.rstrip('。')}，{said}，超出{_length_text(allowed_months)}")


def check_after_end(day: Day, project_end: YearMonth | None, deadline: Deadline, reference: Deadline) -> PeriodCheck | None:
    """A day against a deadline that follows the project's end (``deadline.follows``): on time, late,
    or early (allowed when ``deadline.early_allowed``). The end is the one the applicant states, else
    the reference window's."""
    if deadline.within_months is None:
        return None
    if project_end is not None and project_end[0]:
        end = project_end
    elif reference.end is not None:
        end = (reference.end.year, project_end[1] if project_end else reference.end.month)
    else:
        return None
    year = day.year or (end[0] + 1 if day.month < end[1] and day.year is None and end[1] - day.month > 6 else end[0])
    said_month = (year, day.month)
    last = _add_months(end, deadline.within_months)
    rule = (deadline.note or deadline.cite.quote).rstrip("。")
    ends = f"按您所说项目{_month_text(end)}到期" if project_end else f"项目按{reference.title}于{_month_text(end)}到期"
    if said_month < end:
        if deadline.early_allowed:
            return PeriodCheck("met", f"{ends}，您说的{day.shown}在到期之前，属于提前验收，通知允许：{rule}", early=True)
        return PeriodCheck("broken", f"{ends}，您说的{day.shown}在到期之前；{rule}")
    if said_month < last or (said_month == last and day.day <= _days_in(end)):
        return PeriodCheck("met", f"{ends}，到期后{deadline.within_months}个月内即{_month_text(last)}{_end_day(end)}前，您说的{day.shown}在此期限内；{rule}")
    return PeriodCheck("broken", f"{ends}，须在到期后{deadline.within_months}个月内（{_month_text(last)}{_end_day(end)}前）递交，您说的{day.shown}已超过；{rule}")


def due_after_end(project_end: YearMonth, deadline: Deadline) -> str | None:
    """"项目2023年8月到期" and 到期后一个月内: the day by which it is due (2023年9月30日)."""
    if deadline.within_months is None or not project_end[0]:
        return None
    last = _add_months(project_end, deadline.within_months)
    return f"{_month_text(last)}{_end_day(project_end)}"


def _add_months(month: YearMonth, count: int) -> YearMonth:
    total = month[0] * 12 + month[1] - 1 + count
    return total // 12, total % 12 + 1


def _days_in(month: YearMonth) -> int:
    """The end day of the month after ``month`` that a one-month deadline reaches (8月底 → 9月30日)."""
    following = _add_months(month, 1)
    return 30 if following[1] in (4, 6, 9, 11) else 28 if following[1] == 2 else 31


def _end_day(end: YearMonth) -> str:
    return f"{_days_in(end)}日"
