"""Decide, over a selected answer (knowledge/decide.py): each step on hand-made answers, so a step
is tested apart from retrieval. Phrasings are written for this test."""
from __future__ import annotations

import pytest

from knowledge.decide import against_limit, by_ruling, confirmed_or_corrected, decide, verdict_first, who_files
from knowledge.models import Ruling
from knowledge.reply import Reply
from knowledge.situation import Situation, read_situation


def answer(text: str, ruling: Ruling | None = None) -> Reply:
    return Reply(text=f"【某试点】{text}", programs=["sh5g"], ruling=ruling)


def opening(reply: Reply) -> str:
    return reply.text.partition("】")[2]


LIMIT = "项目须以联合体方式申报，牵头单位为1家，联合单位不超过8家。"
FILED_BY_LEAD = "出现项目负责人调整等情况，由试点项目牵头单位提出申请，主管部门审核批复。"


@pytest.mark.parametrize(("question", "verdict"), [("联合单位找了9家，行不行", "不符合"), ("我们拉了6家联合单位，够格吗", "符合")])
def test_a_quantity_against_the_limit(question, verdict):
    assert opening(against_limit(question, answer(LIMIT))).startswith(verdict)


def test_no_quantity_no_verdict():
    assert against_limit("联合单位有什么要求吗", answer(LIMIT)).text == answer(LIMIT).text


@pytest.mark.parametrize(
    ("question", "fact", "lead"),
    [("联合单位最多10家，是吧", LIMIT, "不对，不是10家"), ("纸质材料要交6份，对吗", "申报材料一式6份。", "是的"),
     ("联合单位最多1家，对吧", LIMIT, "项目须")],  # 1家 is the lead unit's: whose value is unclear, not confirmed
)
def test_a_value_assumed_is_confirmed_or_corrected(question, fact, lead):
    assert opening(confirmed_or_corrected(question, answer(fact))).startswith(lead)


@pytest.mark.parametrize(
    ("question", "ruling", "verdict"),
    [
        ("我们想早点验收，可以吗", Ruling(says="may"), "可以："),
        ("牵头单位中途能换吗", Ruling(says="may_not", soft=True), "原则上不可以："),
        ("纸质版可以不交吗", Ruling(says="must"), "不可以："),
        ("纸质版还要交吗", Ruling(says="must"), "需要："),
    ],
)
def test_the_facts_own_rule_opens_a_yes_no_answer(question, ruling, verdict):
    assert opening(by_ruling(question, answer("规定的原文。", ruling))).startswith(verdict)


def test_a_rule_does_not_answer_a_question_for_a_value():
    assert by_ruling("纸质版交几份", answer("须同步报送纸质版。", Ruling(says="must"))).text == "【某试点】须同步报送纸质版。"


def test_a_partner_may_not_file_what_the_lead_files():
    said = read_situation("我们是项目的参与单位")
    assert opening(who_files("负责人要换，我们能直接提申请吗", said, answer(FILED_BY_LEAD))).startswith("不能：须由牵头单位")
    assert who_files("负责人要换，我们能直接提申请吗", Situation(), answer(FILED_BY_LEAD)).text == answer(FILED_BY_LEAD).text


def test_the_steps_run_in_order_and_leave_other_answers_alone():
    plain = answer("申报材料一式六份。")
    assert decide("材料几份", Situation(), plain).text == "【某试点】申报材料一式六份。"


def test_a_verdict_is_followed_by_what_the_answer_adds_never_a_sentence_twice():
    verdict = Reply(text="【某试点】不可以：联合单位不超过8家。", programs=["sh5g"])
    combined = verdict_first(verdict, answer("联合单位不超过8家。鼓励医疗卫生机构共同参与。"))
    assert combined.text.count("联合单位不超过8家") == 1 and "鼓励医疗卫生机构共同参与" in combined.text
