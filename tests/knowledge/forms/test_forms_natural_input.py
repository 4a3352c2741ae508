"""Form input as a person types it (issue 15): spoken counts and relative dates, words that name a
choice, a phone number where a title belongs, a counter that does not move, the template's empty
sections at 确认提交, a closed round, and the chat's applicant profile carried into the pre-check."""
from __future__ import annotations

import re
from datetime import date

import pytest

from knowledge.forms.eligibility import get_checks, known_answers, parse_answer
from knowledge.forms.engine import (
    Draft,
    current_step,
    empty_sections,
    handle,
    opening,
    prompt,
    start_draft,
)
from knowledge.forms.loader import get_forms
from knowledge.forms.rounds import closed_round_notice
from knowledge.forms.validators import Checked, check_value, parse_count
from knowledge.situation import read_situation

SH5G = get_forms()["sh5g_application"]
ACCEPT = get_forms()["accept_application"]
RESULTS = get_forms()["accept_results"]
COUNTER = r"（(\d+)/(\d+)）"


# --- counts ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "value"), [("两家", 2), ("两", 2), ("三个", 3), ("十二家", 12), ("共五家", 5),
                                              ("一共8家", 8), ("２家", 2), ("二十五人", 25), ("零", 0)])
def test_a_count_in_words_is_a_number(typed: str, value: int) -> None:
    assert parse_count(typed) == value
    assert check_value(RESULTS.field("iot_terminals"), typed, {}) == Checked(True, value)


@pytest.mark.parametrize("typed", ["两三家", "好几家", "两点五"])
def test_a_vague_count_is_still_refused(typed: str) -> None:
    assert parse_count(typed) is None


def test_the_pre_check_takes_a_count_in_words() -> None:
    partners = next(q for q in get_checks()["sh5g"].questions if q.key == "partner_count")

    assert parse_answer(partners, "两家") == Checked(True, 2)
    assert parse_answer(partners, "八家。") == Checked(True, 8)


# --- dates ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "stored"), [("今天", "2026-11-22"), ("今日", "2026-11-22"), ("明天", "2026-11-23"),
                                               ("后天。", "2026-11-24"), ("昨天", "2026-11-21"), ("1月15日", "2026-01-15")])
def test_a_day_named_relative_to_the_assistants_today(set_today, typed: str, stored: str) -> None:
    set_today("2026-11-22")

    result = check_value(SH5G.field("apply_date"), typed, {})

    assert (result.ok, result.value) == (True, stored)


def test_today_is_told_back_as_the_date_it_became(set_today) -> None:
    set_today("2021-01-15")

    result = check_value(SH5G.field("apply_date"), "今天", {})

    assert result.value == "2021-01-15" and "2021年1月15日" in result.note


# --- choices named in other words -------------------------------------------------------------

NATURE = SH5G.field("partner_nature")


@pytest.mark.parametrize(("typed", "value"), [("医院", "医疗卫生机构"), ("社区卫生服务中心", "医疗卫生机构"),
                                              ("上海市第一人民医院", "医疗卫生机构"), ("运营商", "电信运营企业"),
                                              ("中国移动", "电信运营企业"), ("大学", "高等院校"), ("研究所", "科研院所")])
def test_a_unit_nature_in_everyday_words_is_mapped_and_the_mapping_told(typed: str, value: str) -> None:
    result = check_value(NATURE, typed, {})

    assert (result.ok, result.value) == (True, value)
    assert f"“{typed}”归为“{value}”" in result.note and "上一步" in result.note


def test_the_exact_choice_needs_no_note() -> None:
    assert check_value(NATURE, "医疗卫生机构", {}) == Checked(True, "医疗卫生机构")
    assert check_value(NATURE, "3", {}) == Checked(True, "设备制造企业")


def test_the_other_hint_names_the_field() -> None:
    form, draft = _at(SH5G, "partners.0.partner_nature", partners=1)

    asked = prompt(form, draft).text
    refused = check_value(NATURE, "区块链", {})

    assert "其他：具体单位性质" in asked and "具体方向" not in asked
    assert "其他：具体单位性质" in refused.message


def test_the_alias_note_is_said_when_the_answer_is_accepted() -> None:
    form, draft = _at(SH5G, "partners.0.partner_nature", partners=1)

    outcome = handle(form, draft, "医院")

    assert draft.values["partners"][0]["partner_nature"] == "医疗卫生机构"
    assert "归为“医疗卫生机构”" in outcome.messages[0]
    assert current_step(form, draft) == "partners.0.partner_code"


# --- a phone number is no job title ---------------------------------------------------------------

@pytest.mark.parametrize("typed", ["13812345678", "138 1234 5678", "021-64041990", "+86 138-1234-5678", "６４０４１９９０"])
@pytest.mark.parametrize("key", ["leader_title", "contact_position"])
def test_a_bare_phone_number_is_refused_as_a_title(key: str, typed: str) -> None:
    result = check_value(SH5G.field(key), typed, {})

    assert not result.ok and SH5G.field(key).label in result.message and "电话号码" in result.message


@pytest.mark.parametrize("typed", ["副院长/主任医师", "科研处副处长", "主任医师（二级）", "5G办公室主任"])
def test_real_titles_pass(typed: str) -> None:
    assert check_value(SH5G.field("leader_title"), typed, {}).ok


# --- the progress counter -----------------------------------------------------------------------

def _counter(form, draft) -> tuple[int, int]:
    match = re.search(COUNTER, prompt(form, draft).text)
    assert match, prompt(form, draft).text
    return int(match[1]), int(match[2])


def _at(form, step: str, partners: int | None = None, unit: str = "上海市某某医院") -> tuple:
    """A draft past the pre-check whose next question is ``step`` (examples as answers)."""
    draft = Draft(form_id=form.id, program=form.program, phase="fields")
    if partners is not None:
        draft.eligibility["partner_count"] = partners
    while current_step(form, draft) != step:
        key = current_step(form, draft).split(".")[-1]
        spec = form.field(key)
        answer = {"unit_name": unit, "partner_code": "91310000710935804R"}.get(key) or spec.example or "无"
        outcome = handle(form, draft, answer)
        assert not outcome.messages or "归为" in outcome.messages[0], (key, outcome.messages)
    return form, draft


def test_the_counter_total_stays_while_partners_are_added() -> None:
    form, draft = _at(ACCEPT, "partners.0.partner_name")
    seen: set[tuple[int, int]] = set()
    for number, name in enumerate(("中国移动通信集团上海有限公司", "中国电信股份有限公司上海分公司", "华为技术有限公司")):
        while current_step(form, draft).startswith(f"partners.{number}."):
            seen.add(_counter(form, draft))
            spec = form.field(current_step(form, draft).split(".")[-1])
            handle(form, draft, name if spec.key == "partner_name" else spec.example)
    seen.add(_counter(form, draft))  # the fourth partner's first question
    handle(form, draft, "无")
    after, total = _counter(form, draft)

    assert len(draft.values["partners"]) == 3
    assert len(seen) == 1  # every partner's every field: the same question n of the same total
    ((position, same_total),) = seen
    assert (after, total) == (position + 1, same_total)


# --- the pre-check's answers carry into the form ----------------------------------------------------

def test_the_chats_profile_answers_pre_check_questions_which_are_not_asked_again() -> None:
    profile = read_situation("我们是上海注册的独立法人单位，联合单位两家").profile
    draft = start_draft(SH5G, "sh5g", profile)

    told = opening(SH5G, draft)
    first = prompt(SH5G, draft).text

    assert draft.eligibility == {"legally_established_in_shanghai": True, "independent_legal_person": True, "partner_count": 2}
    assert "不再重复询问" in told.messages[0] and "答：2" in told.messages[0]
    assert "牵头申报了其他项目" in first  # the first question the chat did not answer
    assert "依法设立" not in first and "独立法人" not in first


def test_an_answer_that_would_stop_the_applicant_is_asked_not_assumed() -> None:
    check = get_checks()["sh5g"]

    assert known_answers(check, {"legally_established_in_shanghai": False, "partner_count": 12}) == {}
    assert known_answers(check, {"partner_count": 3.0, "pi_age": 40}) == {"partner_count": 3}


def test_a_fully_answered_pre_check_gives_its_verdict_at_once() -> None:
    profile = {"legally_established_in_shanghai": True, "independent_legal_person": True,
               "leads_another_project": False, "partner_count": 1, "one_direction": True}
    draft = start_draft(SH5G, "sh5g", profile)

    told = opening(SH5G, draft)

    assert draft.phase == "fields" and told.status == "continue"
    assert "预审结果：符合申报条件" in "\n".join(told.messages)


def test_the_pre_checks_partner_count_sets_how_many_partners_are_asked() -> None:
    form, draft = _at(SH5G, "partners.0.partner_name", partners=2)

    first = prompt(form, draft)
    for number, name in enumerate(("中国移动通信集团上海有限公司", "华为技术有限公司")):
        assert current_step(form, draft) == f"partners.{number}.partner_name"
        handle(form, draft, name)
        handle(form, draft, "电信运营企业")
        handle(form, draft, "91310000710935804R" if number == 0 else "914403001922038216")

    assert "按资格预审，共2家联合申报单位，这是第1家" in first.text
    assert "无" not in [button["title"] for button in first.buttons]
    assert len(draft.values["partners"]) == 2
    assert current_step(form, draft) == "direction"  # closed after the two, no “无” needed


# --- empty template sections at 确认提交 -----------------------------------------------------------

def _reviewed(form) -> Draft:
    _, draft = _at(form, "direction", partners=1)
    handle(form, draft, "远程诊断")
    while draft.phase == "fields":
        assert handle(form, draft, "跳过").messages == []
    assert draft.phase == "review"
    return draft


def test_confirming_with_empty_template_sections_warns_once_then_submits() -> None:
    draft = _reviewed(SH5G)

    first = handle(SH5G, draft, "确认提交")
    warning = prompt(SH5G, draft)
    second = handle(SH5G, draft, "确认提交")

    assert first.status == "continue" and draft.phase == "done" and second.status == "completed"
    for heading in ("（一）项目实施方案", "（二）项目效益分析", "（三）项目团队基本情况"):
        assert heading in warning.text
    assert "仍要提交请再次回复“确认提交”" in warning.text
    assert "确认提交" in [button["title"] for button in warning.buttons]


def test_filling_an_empty_section_after_the_warning_leaves_only_the_others() -> None:
    draft = _reviewed(SH5G)
    handle(SH5G, draft, "确认提交")

    handle(SH5G, draft, "修改项目目标和必要性")
    handle(SH5G, draft, "建成覆盖全市急救站点的5G急救网络。")
    while draft.phase == "fields":
        handle(SH5G, draft, "保持")
    handle(SH5G, draft, "确认提交")

    assert draft.phase == "review"  # warned again: two sections are still empty
    assert [section.title for section in empty_sections(SH5G, draft)] == ["（二）项目效益分析", "（三）项目团队基本情况"]
    assert "（一）项目实施方案" not in prompt(SH5G, draft).text


# --- a closed round ------------------------------------------------------------------------------

@pytest.mark.parametrize(("form_id", "dates"), [("sh5g_application", "2021年1月15日至1月19日"),
                                                 ("nat5g_application", "2021年1月18日至1月22日"),
                                                 ("accept_extension", "2024年1月10日")])
def test_a_closed_round_is_named_with_its_dates(form_id: str, dates: str) -> None:
    notice = closed_round_notice(get_forms()[form_id], date(2026, 11, 22))

    assert notice is not None and dates in notice and "截止" in notice and "仍可以继续填写" in notice


def test_an_open_round_says_nothing() -> None:
    assert closed_round_notice(SH5G, date(2021, 1, 16)) is None
    assert closed_round_notice(get_forms()["accept_application"], date(2023, 12, 1)) is None
