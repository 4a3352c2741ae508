"""Eligibility pre-check: rules as data, questions in order, verdicts that cite their clauses."""
from __future__ import annotations

from typing import Any

import pytest

from knowledge.forms.eligibility import (
    EligibilityCheck,
    evaluate,
    get_checks,
    load_checks,
    next_question,
    parse_answer,
    parse_ratio,
    verdict_text,
)
from knowledge.loader import KnowledgeError

CHECKS = get_checks()

ELIGIBLE_SH5G = {"legally_established_in_shanghai": "是", "independent_legal_person": "是", "leads_another_project": "否",
                 "partner_count": "3", "one_direction": "是"}
ELIGIBLE_SMART = {
    "health_system_unit": "是", "independent_legal_person": "是", "unit_applications": "2", "funded_elsewhere": "否",
    "pi_chinese_nationality": "是", "pi_age": "45", "pi_concurrent_projects": "2", "pi_leads_other": "否",
    "pi_applications": "1", "pi_absence_over_six_months": "否", "pi_time_share": "是", "pi_has_patent": "是", "has_enterprise": "是",
    "cofunding_ratio": "1:1",
}


def run(check: EligibilityCheck, typed: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    """Answers the questions as the dialogue would, in the order they are asked; returns answers and keys asked."""
    answers: dict[str, Any] = {}
    asked: list[str] = []
    while (question := next_question(check, answers)) is not None:
        asked.append(question.key)
        checked = parse_answer(question, typed[question.key])
        assert checked.ok, checked.message
        answers[question.key] = checked.value
    return answers, asked


def test_checks_for_the_three_programs() -> None:
    assert {key for key, check in CHECKS.items() if check.pre_check} == {"sh5g", "nat5g", "smart"}
    for check in CHECKS.values():
        assert all("？" in q.prompt and q.example for q in check.questions)


def test_sh5g_eligible_lists_every_rule_met_with_its_clause() -> None:
    answers, asked = run(CHECKS["sh5g"], ELIGIBLE_SH5G)
    assert asked == list(ELIGIBLE_SH5G)
    verdict = evaluate(CHECKS["sh5g"], answers)
    assert verdict.status == "eligible"
    assert all(reason.status == "met" for reason in verdict.reasons)
    clauses = {reason.citation.clause for reason in verdict.reasons}
    assert clauses == {"三、申报要求 > （一）申报资格", "三、申报要求 > （二）申报团队"}
    text = verdict_text(verdict)
    assert text.startswith("预审结果：符合申报条件。")
    assert "联合单位不超过8家" in text and "依据：《上海市经济信息化委" in text


def test_sh5g_stops_at_the_first_definite_failure() -> None:
    answers, asked = run(CHECKS["sh5g"], {**ELIGIBLE_SH5G, "legally_established_in_shanghai": "否"})
    assert asked == ["legally_established_in_shanghai"]
    verdict = evaluate(CHECKS["sh5g"], answers)
    assert verdict.status == "not_eligible"
    assert [r.question for r in verdict.reasons] == ["legally_established_in_shanghai"]
    assert "上海市依法设立" in verdict.reasons[0].citation.quote
    assert "不符合申报条件" in verdict_text(verdict)


@pytest.mark.parametrize(("count", "status", "word"), [("9", "not_eligible", "不超过8家"), ("0", "not_eligible", "联合体"),
                                                        ("8", "eligible", "")])
def test_partner_count_limits(count: str, status: str, word: str) -> None:
    answers, _ = run(CHECKS["sh5g"], {**ELIGIBLE_SH5G, "partner_count": count})
    verdict = evaluate(CHECKS["sh5g"], answers)
    assert verdict.status == status
    if word:
        assert word in verdict.reasons[0].text


def test_unsure_answer_needs_confirmation_with_the_rule() -> None:
    answers, _ = run(CHECKS["sh5g"], {**ELIGIBLE_SH5G, "independent_legal_person": "不确定"})
    assert answers["independent_legal_person"] is None
    verdict = evaluate(CHECKS["sh5g"], answers)
    assert verdict.status == "needs_confirmation"
    assert verdict.reasons[0].text == "需要确认：项目申报单位必须具有独立法人资格。"
    assert "请确认以下事项" in verdict_text(verdict)


def test_nat5g_operator_level_asked_only_when_an_operator_takes_part() -> None:
    typed = {"registered_in_china": "是", "independent_legal_person": "是", "leads_another_project": "否",
             "partner_count": "4", "has_operator": "否", "operator_city_level": "否", "one_direction": "是"}
    answers, asked = run(CHECKS["nat5g"], typed)
    assert "operator_city_level" not in asked
    assert evaluate(CHECKS["nat5g"], answers).status == "eligible"
    answers, asked = run(CHECKS["nat5g"], {**typed, "has_operator": "是"})
    assert "operator_city_level" in asked
    verdict = evaluate(CHECKS["nat5g"], answers)
    assert verdict.status == "needs_confirmation"
    assert verdict.reasons[0].citation.quote == "电信运营企业（地市级以上）"


def test_nat5g_registered_abroad_is_not_eligible() -> None:
    answers, asked = run(CHECKS["nat5g"], {"registered_in_china": "否"})
    assert asked == ["registered_in_china"]
    assert evaluate(CHECKS["nat5g"], answers).status == "not_eligible"


def test_smart_eligible() -> None:
    answers, asked = run(CHECKS["smart"], ELIGIBLE_SMART)
    assert asked == list(ELIGIBLE_SMART)
    assert evaluate(CHECKS["smart"], answers).status == "eligible"


@pytest.mark.parametrize(
    ("key", "typed", "status", "quote_part"),
    [
        ("pi_age", "51", "needs_confirmation", "年龄原则上不超过50岁"),
        ("pi_concurrent_projects", "4", "not_eligible", "不超过3项"),
        ("pi_leads_other", "是", "not_eligible", "只能主持申报一个项目"),
        ("pi_chinese_nationality", "否", "not_eligible", "中国国籍"),
        ("pi_absence_over_six_months", "是", "not_eligible", "不超过6个月"),
        ("pi_time_share", "否", "not_eligible", "60%"),
        ("pi_has_patent", "否", "not_eligible", "专利"),
        ("unit_applications", "4", "not_eligible", "每家单位申报不超过3项"),
        ("health_system_unit", "否", "not_eligible", "卫生计生系统"),
        ("cofunding_ratio", "0.5:1", "needs_confirmation", "1:1配套"),
        ("funded_elsewhere", "是", "not_eligible", "不予受理"),
    ],
)
def test_smart_rules(key: str, typed: str, status: str, quote_part: str) -> None:
    answers, _ = run(CHECKS["smart"], {**ELIGIBLE_SMART, key: typed})
    verdict = evaluate(CHECKS["smart"], answers)
    assert verdict.status == status
    assert quote_part in verdict.reasons[0].citation.quote
    assert verdict.reasons[0].citation.title == "关于组织申报智慧医疗专项研究项目的通知"


def test_smart_without_enterprise_skips_the_co_funding_question() -> None:
    answers, asked = run(CHECKS["smart"], {**ELIGIBLE_SMART, "has_enterprise": "否"})
    assert "cofunding_ratio" not in asked
    assert evaluate(CHECKS["smart"], answers).status == "eligible"


def test_a_soft_failure_keeps_asking_and_is_kept_beside_a_hard_one() -> None:
    answers, asked = run(CHECKS["smart"], {**ELIGIBLE_SMART, "pi_age": "55", "pi_leads_other": "是"})
    assert asked[-1] == "pi_leads_other"  # continued past the age, stopped at the definite failure
    verdict = evaluate(CHECKS["smart"], answers)
    assert verdict.status == "not_eligible"
    assert [r.question for r in verdict.reasons] == ["pi_leads_other", "pi_age"]
    assert "（需确认）" in verdict_text(verdict)


def test_missing_answers_need_confirmation() -> None:
    verdict = evaluate(CHECKS["sh5g"], {"legally_established_in_shanghai": True})
    assert verdict.status == "needs_confirmation"
    assert verdict.reasons[0].text.startswith("尚未回答：贵单位是否具有独立法人资格？")


@pytest.mark.parametrize(("kind_key", "typed", "value"), [("one_direction", "是的", True), ("one_direction", "没有", False),
                                                          ("one_direction", "不清楚", None), ("partner_count", "３家", 3),
                                                          ("partner_count", "不确定", None)])
def test_parse_answer(kind_key: str, typed: str, value: Any) -> None:
    question = next(q for q in CHECKS["sh5g"].questions if q.key == kind_key)
    assert parse_answer(question, typed).value == value


@pytest.mark.parametrize(("kind_key", "typed", "word"), [("one_direction", "也许吧", "不确定"), ("partner_count", "好几家", "整数")])
def test_unclear_answers_say_what_is_expected(kind_key: str, typed: str, word: str) -> None:
    question = next(q for q in CHECKS["sh5g"].questions if q.key == kind_key)
    checked = parse_answer(question, typed)
    assert not checked.ok and word in checked.message


@pytest.mark.parametrize(("typed", "value"), [("1:1", 1.0), ("2比1", 2.0), ("1：2", 0.5), ("1.5", 1.5), ("3倍", 3.0),
                                              ("1:0", None), ("很多", None)])
def test_parse_ratio(typed: str, value: float | None) -> None:
    assert parse_ratio(typed) == value


def test_wrong_rule_file_names_file_and_field(broken_copy) -> None:
    root = broken_copy("eligibility/sh5g.yml", "联合单位不超过8家。}", "联合单位不超过10家。}")
    with pytest.raises(KnowledgeError) as error:
        load_checks(root)
    assert "sh5g.yml" in str(error.value) and "questions.3.rules.1.cite" in str(error.value)


def test_rule_of_the_wrong_shape_names_file_and_field(broken_copy) -> None:
    root = broken_copy("eligibility/sh5g.yml", "max: 8", "fail_on: true")
    with pytest.raises(KnowledgeError, match=r"sh5g.yml: questions.3.rules.1: a yes_no rule needs fail_on"):
        load_checks(root)
