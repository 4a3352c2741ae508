"""How long between two dates (knowledge/intervals.py) and its use by the composer.

Phrasings are written for these tests, not taken from the question files."""
from __future__ import annotations

import pytest

from knowledge.intervals import asks_interval, interval_line


@pytest.mark.parametrize(
    "question",
    ["书面材料一共收几天", "两个截止日之间相差多少天", "离截止还有多久", "哪个先截止", "从发文到截止中间有几个月"],
)
def test_a_length_or_a_gap_is_asked(question):
    assert asks_interval(question)


@pytest.mark.parametrize("question", ["什么时候截止", "延期最长多久", "建设周期多长"])
def test_other_questions_of_time_ask_no_interval(question):
    assert not asks_interval(question)


def test_a_windows_length_counts_its_first_and_last_day():
    line = interval_line("一共开放几天", [("甲", "受理时间：2021年1月15日至1月19日（每天9:00-17:00）")])
    assert line is not None and line.startswith("共5天")


def test_two_programs_ends_say_which_closes_first_and_by_how_many_days():
    line = interval_line("哪个先截止", [("甲", "截止：2021年1月22日17:00"), ("乙", "受理：2021年1月15日至1月19日")])
    assert line == "乙先截止（2021年1月19日），甲2021年1月22日截止，相差3天。"


def test_a_day_the_applicant_names_against_the_end():
    line = interval_line("我们6月1号开始写，离截止还有多久", [("甲", "提交截止：2022年9月30日17:00前")])
    assert line is not None and "相隔121天" in line


def test_no_dates_no_interval():
    assert interval_line("一共多少天", [("甲", "原则上延期时间不超过一年")]) is None


@pytest.mark.parametrize(
    ("question", "said"),
    [("智慧医疗专项书面材料报送一共几天", "共3天"), ("国家5G试点和上海5G试点谁先截止，差几天", "相差3天")],
)
def test_the_composer_puts_the_interval_first(kb, question, said):
    first_line = kb.answer(question).text.split("\n")[0]
    assert said in first_line and not first_line.startswith("【"), first_line
