"""Office hours of the helpdesk: "mon-fri 09:00-12:00,13:30-17:30; sat 09:00-12:00", or "always".

Rules are separated by ";"; each names a day or a range of days and one or more time ranges
(24:00 allowed as an end). Times are local to the configured zone (IANA name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
_RULE = re.compile(r"^(?P<days>[a-z]{3}(?:-[a-z]{3})?)\s+(?P<times>\S+)$")
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


class OfficeHoursError(ValueError):
    """The office-hours setting cannot be read (message says where)."""


@dataclass(frozen=True)
class Span:
    start: int  # minutes after midnight
    end: int


@dataclass(frozen=True)
class OfficeHours:
    spans: dict[int, tuple[Span, ...]]  # weekday (0 = Monday) -> spans
    zone: ZoneInfo
    always: bool = False
    text: str = ""

    def is_open(self, moment: datetime) -> bool:
        if self.always:
            return True
        local = moment.astimezone(self.zone)
        minute = local.hour * 60 + local.minute
        return any(span.start <= minute < span.end for span in self.spans.get(local.weekday(), ()))

    def describe(self) -> str:
        """Chinese description, e.g. "周一至周五 09:00-12:00、13:30-17:30"."""
        if self.always:
            return "全天"
        return self.text


def _minutes(hours: str, minutes: str, setting: str) -> int:
    value = int(hours) * 60 + int(minutes)
    if int(minutes) > 59 or value > 24 * 60:
        raise OfficeHoursError(f"工作时间设置有误：{setting!r} 中的时间不正确")
    return value


def _days(spec: str, setting: str) -> list[int]:
    first, _, last = spec.partition("-")
    if first not in DAYS or (last and last not in DAYS):
        raise OfficeHoursError(f"工作时间设置有误：{setting!r} 中的星期应为 {'/'.join(DAYS)}")
    start, end = DAYS.index(first), DAYS.index(last or first)
    if end < start:
        raise OfficeHoursError(f"工作时间设置有误：{setting!r} 中的星期范围颠倒")
    return list(range(start, end + 1))


def _fmt(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_office_hours(setting: str, zone_name: str = "Asia/Shanghai") -> OfficeHours:
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise OfficeHoursError(f"时区设置有误：{zone_name!r}") from None
    cleaned = " ".join(setting.lower().split())
    if cleaned in ("always", "24/7"):
        return OfficeHours({}, zone, always=True)
    spans: dict[int, list[Span]] = {}
    described = []
    for rule in filter(None, (part.strip() for part in cleaned.split(";"))):
        match = _RULE.match(rule.replace(", ", ","))
        if not match:
            raise OfficeHoursError(f"工作时间设置有误：{rule!r}，格式如 mon-fri 09:00-17:00")
        ranges = []
        for piece in match["times"].split(","):
            numbers = _RANGE.match(piece)
            if not numbers:
                raise OfficeHoursError(f"工作时间设置有误：{piece!r}，时间段格式如 09:00-17:00")
            span = Span(_minutes(numbers[1], numbers[2], rule), _minutes(numbers[3], numbers[4], rule))
            if span.end <= span.start:
                raise OfficeHoursError(f"工作时间设置有误：{piece!r} 结束时间应晚于开始时间")
            ranges.append(span)
        days = _days(match["days"], rule)
        for day in days:
            spans.setdefault(day, []).extend(ranges)
        day_text = DAY_NAMES[days[0]] + (f"至{DAY_NAMES[days[-1]]}" if len(days) > 1 else "")
        described.append(f"{day_text} " + "、".join(f"{_fmt(s.start)}-{_fmt(s.end)}" for s in ranges))
    if not spans:
        raise OfficeHoursError("工作时间设置为空：请设置如 mon-fri 09:00-17:00，或 always")
    return OfficeHours({day: tuple(s) for day, s in spans.items()}, zone, text="；".join(described))
