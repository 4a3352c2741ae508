"""How long between two dates: "网上申报一共开放多少天", "两个申报通知哪个先截止，差几天",
"通知7月28号发的，离截止还有多久".

The dates are the notices' (a window's start and end, a deadline's end, in the composed answer's
first lines) and the applicant's (a day named in the question). The arithmetic is the calendar's;
nothing is estimated: a window's length counts both its first and last day.
"""
from __future__ import annotations

import re
from datetime import date

from .text import CALENDAR_DAY, normalize

# a length or a gap asked: 多少天 / 几个月 / 多久, with a word that says between what
ASKS_INTERVAL = re.compile(
    r"(?:间隔|相隔|隔了|相差|差了?|之间|中间|离[^，。？?]{0,10}(?:还有|剩|有)|到[^，。？?]{0,14}(?:还剩|还有|剩)|一共|总共|开放|持续|准备时间|哪个先|谁先)"
    r"[^。？?]{0,12}?(?:多少天|几天|几个月|多少个月|多长时间|多久|多长)|哪个先截止|哪个更早截止|谁先截止"
)
_ASKS_LENGTH = re.compile(r"一共|总共|开放|持续|为期")
_WINDOW = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日(?:[（(][^）)]*[）)])?\s*(?:至|到|-|—|～|~)\s*(?:(\d{1,2})月)?(\d{1,2})日")


def asks_interval(question: str) -> bool:
    return bool(ASKS_INTERVAL.search(normalize(question)))


def interval_line(question: str, blocks: list[tuple[str, str]]) -> str | None:
    """The sentence that answers the interval asked, from the question's day and the first line of
    each program's block of the answer (its name, its first line); None when the dates needed are
    not both there."""
    text = normalize(question)
    named = [(name, w) for name, line in blocks if (w := _window(line)) is not None]
    windows = [w for _, w in named]
    if not windows:
        return None
    year = windows[0][1].year
    asked_days = [_day(m, year) for m in CALENDAR_DAY.finditer(text)]
    asked_days = [d for d in asked_days if d is not None]
    if len(windows) == 1 and _ASKS_LENGTH.search(text) and not asked_days:
        start, end = windows[0]
        return f"共{(end - start).days + 1}天（{_shown(start)}至{_shown(end)}，首尾两天都算）。"
    if len(windows) == 1 and len(asked_days) == 1:
        said, end = asked_days[0], windows[0][1]
        days = abs((end - said).days)
        return f"从{_shown(said)}到{_shown(end)}相隔{days}天{_in_months(days)}。"
    if len(windows) >= 2:
        (_, first_end), (_, second_end) = windows[0], windows[1]
        if first_end == second_end:
            return f"两者同一天截止（{_shown(first_end)}）。"
        (first, _), (second, _) = named[0], named[1]
        if first == second:
            return f"相差{abs((second_end - first_end).days)}天（{_shown(min(first_end, second_end))}与{_shown(max(first_end, second_end))}）。"
        (early, earlier), (late, later) = sorted([(first, first_end), (second, second_end)], key=lambda pair: pair[1])
        return f"{early}先截止（{_shown(earlier)}），{late}{_shown(later)}截止，相差{(later - earlier).days}天。"
    return None


def _window(line: str) -> tuple[date, date] | None:
    """A line's dated window (its start and end), or a single day as both."""
    found = _WINDOW.search(line)
    if found:
        year = int(found.group(1) or 0)
        if not year:
            return None
        start = date(year, int(found.group(2)), int(found.group(3)))
        end = date(year, int(found.group(4) or found.group(2)), int(found.group(5)))
        return (start, end) if end >= start else None
    day = CALENDAR_DAY.search(line)
    if day and day.group(1):
        single = date(int(day.group(1)), int(day.group(2)), int(day.group(3)))
        return single, single
    return None


def _day(found: re.Match[str], year: int) -> date | None:
    try:
        return date(int(found.group(1) or year), int(found.group(2)), int(found.group(3)))
    except ValueError:
        return None


def _shown(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _in_months(days: int) -> str:
    months = round(days / 30.4, 1)
    return f"（约{months:g}个月）" if days >= 45 else ""
