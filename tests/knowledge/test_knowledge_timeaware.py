"""knowledge.timeaware: dates are stated relative to today (ASSISTANT_TODAY overrides it)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from knowledge.models import CitationRef, Deadline
from knowledge.timeaware import format_date, format_window, status_phrase, today

CITE = CitationRef(clause="五、有关事宜 > （三）", quote="集中受理截止时间")


def deadline(**fields) -> Deadline:
    return Deadline(id="t.deadline", title="集中受理", kind="集中受理", cite=CITE, **fields)


# The Shanghai pilot's window as in sh5g.yml: 2021-01-15 to 01-19, 9:00-17:00 every day.
CENTRAL = deadline(start=datetime(2021, 1, 15, 9), end=datetime(2021, 1, 19, 17), daily_hours="9:00-17:00")
UPLOAD = deadline(end=datetime(2024, 1, 10, 17))  # single end with time of day
EXTENSION = deadline(end=datetime(2024, 1, 10), end_precision="day")
PERIOD = deadline(start=datetime(2023, 11, 1), end=datetime(2024, 4, 30), start_precision="month", end_precision="month")


def test_assistant_today_overrides_today(set_today) -> None:
    assert set_today("2021-01-16") == date(2021, 1, 16)
    assert today() == date(2021, 1, 16)
    set_today("2030-05-01")
    assert today() == date(2030, 5, 1)


def test_past_deadline_says_when_it_closed(set_today) -> None:
    set_today("2026-11-22")
    assert status_phrase(CENTRAL) == "已于2021年1月19日17:00截止"
    assert status_phrase(UPLOAD) == "已于2024年1月10日17:00截止"


def test_open_window_says_open_with_days_left(set_today) -> None:
    set_today("2021-01-16")
    phrase = status_phrase(CENTRAL)
    assert "正在进行中" in phrase
    assert "2021年1月19日17:00" in phrase
    assert "还剩3天" in phrase
    assert "截止" in phrase and "已于" not in phrase


def test_window_not_started_says_so(set_today) -> None:
    set_today("2021-01-10")
    phrase = status_phrase(CENTRAL)
    assert phrase.startswith("尚未开始")
    assert "5天" in phrase  # 1月10日 -> 1月15日


def test_today_changes_the_phrase_for_the_same_deadline(set_today) -> None:
    set_today("2021-01-10")
    before = status_phrase(CENTRAL)
    set_today("2021-01-16")
    during = status_phrase(CENTRAL)
    set_today("2021-01-20")
    after = status_phrase(CENTRAL)
    assert "尚未开始" in before and "正在进行中" in during and after.startswith("已于")


def test_explicit_now_argument_wins_over_settings(set_today) -> None:
    set_today("2026-11-22")
    assert "正在进行中" in status_phrase(CENTRAL, now=date(2021, 1, 18))


def test_day_precision_deadline_is_open_for_the_whole_last_day(set_today) -> None:
    set_today("2024-01-10")
    assert "正在进行中" in status_phrase(EXTENSION)
    set_today("2024-01-11")
    assert status_phrase(EXTENSION) == "已于2024年1月10日截止"  # no invented time of day


def test_month_precision_deadline_counts_the_whole_month(set_today) -> None:
    set_today("2024-04-30")
    phrase = status_phrase(PERIOD)
    assert "正在进行中" in phrase and "2024年4月" in phrase
    assert "30日" not in phrase  # the notice only says 4月
    set_today("2024-05-01")
    assert status_phrase(PERIOD) == "已于2024年4月截止"
    set_today("2023-10-20")
    assert status_phrase(PERIOD).startswith("尚未开始")


def test_december_month_precision_rolls_into_next_year(set_today) -> None:
    item = deadline(end=datetime(2024, 12, 31), end_precision="month")
    set_today("2024-12-31")
    assert "正在进行中" in status_phrase(item)
    set_today("2025-01-01")
    assert status_phrase(item) == "已于2024年12月截止"


def test_deadline_without_end_has_no_status() -> None:
    assert status_phrase(deadline(note="建设周期原则上不超过两年")) == ""


def test_format_window_range_with_daily_hours() -> None:
    text = format_window(CENTRAL)
    assert text.startswith("2021年1月15日")
    assert "1月19日" in text
    assert "（每天9:00-17:00）" in text
    assert text.count("2021年") == 1  # same year is not repeated


def test_format_window_range_ending_at_a_time_of_day() -> None:
    item = deadline(start=datetime(2018, 3, 19), end=datetime(2018, 4, 10, 16))
    text = format_window(item)
    assert text.startswith("2018年3月19日")
    assert text.endswith("4月10日16:00")


def test_format_window_month_precision() -> None:
    assert format_window(PERIOD) == "2023年11月至2024年4月"
    same_year = deadline(start=datetime(2021, 3, 1), end=datetime(2021, 4, 30), start_precision="month", end_precision="month")
    text = format_window(same_year)
    assert "2021年3月" in text and "4月" in text
    assert "日" not in text  # month precision never shows a day


def test_format_window_single_end_and_single_start() -> None:
    assert format_window(UPLOAD) == "2024年1月10日17:00前"
    assert format_window(EXTENSION) == "2024年1月10日前"
    assert format_window(deadline(start=datetime(2021, 9, 1), start_precision="month")) == "2021年9月起"
    assert format_window(deadline()) == ""


@pytest.mark.parametrize(
    ("value", "precision", "expected"),
    [
        (datetime(2021, 1, 19, 17, 0), "minute", "2021年1月19日17:00"),
        (datetime(2021, 1, 19, 9, 5), "minute", "2021年1月19日9:05"),
        (datetime(2021, 1, 19, 17, 0), "day", "2021年1月19日"),
        (date(2020, 12, 29), "day", "2020年12月29日"),
        (datetime(2024, 4, 30), "month", "2024年4月"),
    ],
)
def test_format_date(value, precision: str, expected: str) -> None:
    assert format_date(value, precision) == expected
