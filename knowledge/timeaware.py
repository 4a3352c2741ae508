"""Dates stated relative to today: "已于2021年1月19日17:00截止" rather than a bare date."""
from __future__ import annotations

from datetime import date, datetime

from .models import Deadline
from .settings import get_settings


def today() -> date:
    return get_settings().assistant_today or date.today()


def format_date(value: datetime | date, precision: str = "day", with_year: bool = True) -> str:
    if precision == "month":
        return f"{value.year}年{value.month}月"
    text = f"{value.year}年{value.month}月{value.day}日" if with_year else f"{value.month}月{value.day}日"
    if precision == "minute" and isinstance(value, datetime):
        text += f"{value.hour}:{value.minute:02d}"
    return text


def format_window(item: Deadline) -> str:
    """The window as written: '2021年1月15日-1月19日（每天9:00-17:00）' or a single end date."""
    if item.start and item.end:
        same_year = item.start.year == item.end.year
        start = format_date(item.start, item.start_precision)
        end = format_date(item.end, item.end_precision if not item.daily_hours else "day", with_year=not same_year)
        text = f"{start}至{end}"
        if item.daily_hours:
            text += f"（每天{item.daily_hours}）"
        elif item.end_precision == "minute":
            text = f"{start}至{format_date(item.end, 'minute', with_year=not same_year)}"
        return text
    if item.end:
        return f"{format_date(item.end, item.end_precision)}前"
    if item.start:
        return f"{format_date(item.start, item.start_precision)}起"
    return ""


def _end_moment(item: Deadline) -> datetime | None:
    if item.end is None:
        return None
    if item.end_precision == "month":
        # the whole month counts
        next_month = date(item.end.year + item.end.month // 12, item.end.month % 12 + 1, 1)
        return datetime.combine(next_month, datetime.min.time())
    if item.end_precision == "day" and not item.daily_hours:
        return datetime.combine(item.end.date(), datetime.max.time())
    return item.end


def status_phrase(item: Deadline, now: date | None = None) -> str:
    """'已于2021年1月19日17:00截止' / '尚未开始' / '正在进行中，截止到…'."""
    current = datetime.combine(now or today(), datetime.min.time())
    end = _end_moment(item)
    if end is None:
        return ""
    closing = format_date(item.end, "minute" if item.end_precision == "minute" or item.daily_hours else item.end_precision)
    if item.daily_hours and item.end:
        closing = f"{format_date(item.end, 'day')}{item.daily_hours.split('-')[-1]}"
    if current >= end:
        return f"已于{closing}截止"
    if item.start and current < datetime.combine(item.start.date(), datetime.min.time()):
        days = (item.start.date() - current.date()).days
        return f"尚未开始，距开始还有{days}天"
    days_left = (end.date() - current.date()).days
    return f"正在进行中，将于{closing}截止（还剩{days_left}天）"
