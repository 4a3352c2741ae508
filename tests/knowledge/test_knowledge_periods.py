"""Periods: a planned project period against the one a notice allows (by its dates or its length),
and the day an acceptance application is handed in against "到期后一个月内" (early is allowed).
Phrasings are written for this test, not taken from the question files."""
from __future__ import annotations

import pytest

from knowledge.periods import find_day, find_project_end, find_span, months_between


@pytest.mark.parametrize(
    ("text", "start", "end", "months"),
    [("准备2019年1月至2020年12月开展研究", (2019, 1), (2020, 12), 24), ("从2018年8月一直干到2021年3月", (2018, 8), (2021, 3), 32),
     ("2018年10月启动、2021年9月结项", (2018, 10), (2021, 9), 36), ("项目实施两年半", None, None, 30),
     ("周期打算定为18个月", None, None, 18)],
)
def test_a_planned_period_is_read_by_its_months_or_its_length(text, start, end, months):
    span = find_span(text)
    assert span is not None and (span.start, span.end, span.months) == (start, end, months)


@pytest.mark.parametrize("text", ["我们已经做了两年", "2023年报过一次", "建设周期到2024年3月"])
def test_time_spent_a_calendar_year_or_an_end_alone_is_no_planned_period(text):
    assert find_span(text) is None


def test_the_end_of_the_project_and_the_day_to_act_are_told_apart():
    text = "项目2024年2月底期满，打算3月下旬提交"
    assert find_project_end(text) == (2024, 2)
    day = find_day(text)
    assert day is not None and (day.month, day.day, day.exact) == (3, 25, False)
    assert months_between((2018, 7), (2021, 6)) == 36


@pytest.mark.parametrize(
    ("question", "verdict", "said"),
    [("智慧医疗专项，研究打算从2018年7月做到2021年3月，行不行", "符合", "2021年3月"),
     ("智慧医疗专项的课题我们想排到2022年1月结束，2018年7月到2022年1月可以吗", "不符合", "结束晚于2021年6月"),
     ("国家5G试点我们想搞三年，能行吗", "原则上不可以", "两年"),
     ("上海5G试点的项目实施18个月可以吗", "符合", "18个月")],
)
def test_a_planned_period_gets_its_verdict_against_the_notice(kb, opens_with, question, verdict, said):
    opens_with(kb.answer(question), verdict, said)


@pytest.mark.parametrize(
    ("turns", "verdict", "said"),
    [(("5G试点项目2023年8月底到期，验收申请9月下旬交算按时吗",), "符合", "2023年9月30日前"),
     (("我们的5G试点2023年8月结束", "验收申请准备11月初再报，来得及吗"), "不符合", "已超过"),
     (("上海5G试点我们项目到2023年8月", "2023年6月就想申请验收，行吗"), "可以", "提前验收")],
)
def test_an_acceptance_application_day_against_one_month_after_the_end(talk, opens_with, turns, verdict, said):
    reply = talk(*turns)
    opens_with(reply, verdict, said, "到期后一个月内")
    assert "转人工" not in reply.text


@pytest.mark.parametrize(
    "question",
    ["5G试点到期以后多长时间内得申请验收？可不可以提前申请验收", "项目结束后验收申请多长时间内交，能不能提前验收啊"],
)
def test_how_long_after_the_end_and_whether_early_are_both_answered(kb, question):
    reply = kb.answer(question)
    assert "到期后一个月内" in reply.text and "提前验收" in reply.text, reply.text
    assert "没有给出所需时长" not in reply.text


def test_a_month_alone_with_what_is_handed_in_is_the_day_to_act():
    day = find_day("项目8月到期，准备10月再交验收申请")
    assert day is not None and (day.month, day.exact) == (10, False)
    assert find_day("每年6月评一次") is None


@pytest.mark.parametrize(
    ("question", "opening"),
    [("验收工作2024年1月还在进行的时间范围内吗", "在时间范围内"), ("要是2024年5月才安排专家评审，还在验收工作期间内吗", "不在时间范围内")],
)
def test_a_month_against_a_window_of_months(kb, opens_with, question, opening):
    opens_with(kb.answer(question), opening, "2023年11月至2024年4月")


def test_the_period_said_ends_the_project_for_the_acceptance_application(talk, opens_with):
    reply = talk("我们项目建设周期是2021年9月到2023年8月", "验收申请准备2023年12月1号交", "这个时间行不行")
    opens_with(reply, "不符合", "2023年9月30日前")


@pytest.mark.parametrize(
    ("question", "due"),
    [
        ("我们5G试点2023年8月建设期满了，下一步要干嘛", "2023年9月30日"),
        ("5G医疗试点项目2023年10月到期了，接下来该做什么", "2023年11月30日"),
        ("上海5G试点项目23年5月就到期了，验收申请要什么时候交", "2023年6月30日"),
    ],
)
def test_by_when_what_follows_the_end_the_applicant_states(kb, question, due):
    reply = kb.answer(question)
    assert f"验收申请应在{due}前" in reply.text, reply.text


def test_an_ended_project_with_work_left_is_unfinished(kb):
    reply = kb.answer("我们5G试点项目已经到期了，可是还有一项任务没做完，怎么办")
    assert "延期" in reply.text and "验收申请应在" not in reply.text, reply.text


@pytest.mark.parametrize(
    "question",
    ["项目2024年2月到期，按那个进一步做好试点工作的通知，验收申请最迟几号交", "建设期到2024年2月结束，验收申请最晚啥时候递交"],
)
def test_a_due_date_the_notices_set_from_a_stated_end_answers_when(kb, question):
    reply = kb.answer(question)
    assert "验收申请应在2024年3月31日前" in reply.text and "通知中没有给出" not in reply.text, reply.text


@pytest.mark.parametrize(
    ("question", "opening"),
    [("智慧医疗专项课题准备2022年3月再结项，研究期限上行吗", "不符合"), ("智慧医疗专项我们2021年底才完成研究，符合研究期限吗", "不符合"),
     ("智慧医疗专项计划2020年底结题，研究期限内吧", "符合")],
)
def test_a_planned_end_alone_against_the_research_period(kb, opens_with, question, opening):
    opens_with(kb.answer(question), opening, "2021年6月")
