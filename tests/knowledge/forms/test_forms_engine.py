"""The guided-filling state machine on the real form schemas: order, validation, commands."""

from __future__ import annotations

import json

from stdnum.cn import uscc

from knowledge.forms.eligibility import get_checks
from knowledge.forms.engine import Draft, current_step, handle, prompt, start_draft, steps
from knowledge.forms.loader import get_forms

def valid_uscc() -> str:
    body = "91310115MA1H7GLU4"
    return body + uscc.calc_check_digit(body)


def passing_answer(question) -> str:
    """An answer that meets every rule of an eligibility question."""
    if question.kind == "yes_no":
        fails_on_yes = any(rule.fail_on is True for rule in question.rules)
        return "否" if fails_on_yes else "是"
    low = max([rule.min for rule in question.rules if rule.min is not None] or [0])
    if question.kind == "ratio":
        return f"{max(low, 1):g}:1"
    return str(int(low) if low else 1)


def eligible_draft(form_id: str) -> tuple:
    form = get_forms()[form_id]
    draft = start_draft(form, form.program)
    check = get_checks().get(form.program)
    while draft.phase == "eligibility":
        question = next(q for q in check.questions if q.key not in draft.eligibility)
        handle(form, draft, passing_answer(question))
    return form, draft


def test_an_application_starts_with_the_eligibility_pre_check():
    form = get_forms()["sh5g_application"]
    draft = start_draft(form, "sh5g")

    first = prompt(form, draft)

    assert draft.phase == "eligibility"
    assert first.text.startswith("【申报资格预审】")
    assert [b["title"] for b in first.buttons] == ["是", "否", "不确定"]


def test_a_failed_rule_stops_with_its_clause_and_offers_a_person():
    form = get_forms()["sh5g_application"]
    draft = start_draft(form, "sh5g")

    outcome = handle(form, draft, "否")  # not legally established in Shanghai

    assert outcome.status == "stopped" and draft.phase == "stopped"
    assert "不符合" in outcome.messages[0] and "依据" in outcome.messages[0]
    assert {"title": "转人工", "payload": "/request_human"} in outcome.buttons


def test_after_the_pre_check_each_field_is_asked_as_the_form_names_it_with_an_example():
    form, draft = eligible_draft("sh5g_application")

    asked = prompt(form, draft)

    assert draft.phase == "fields"
    assert "请填写项目名称" in asked.text and "例：" in asked.text
    assert asked.text.startswith("（1/")


def _fill_until(form, draft, key: str, answers: dict[str, str]) -> None:
    while current_step(form, draft) != key:
        step = current_step(form, draft)
        spec = form.field(step.split(".")[-1])
        answer = answers.get(step) or spec.example or "无"
        outcome = handle(form, draft, answer)
        assert current_step(form, draft) != step or outcome.messages == [], (step, outcome)


def test_a_wrong_check_character_is_refused_and_the_third_failure_offers_a_person():
    form, draft = eligible_draft("sh5g_application")
    _fill_until(form, draft, "org_code", {})
    code = valid_uscc()
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")

    first = handle(form, draft, wrong)
    handle(form, draft, wrong)
    third = handle(form, draft, wrong)

    assert current_step(form, draft) == "org_code"
    assert "校验" in first.messages[0]
    assert {"title": "转人工", "payload": "/request_human"} in third.buttons
    handle(form, draft, code)
    assert draft.values["org_code"] == code and current_step(form, draft) != "org_code"


def test_skip_back_keep_and_edit_by_label():
    form, draft = eligible_draft("sh5g_application")
    _fill_until(form, draft, "contact_fax", {})

    assert not form.field("contact_fax").required
    skipped = handle(form, draft, "跳过")
    after_fax = current_step(form, draft)
    assert skipped.messages == [] and after_fax != "contact_fax" and draft.values.get("contact_fax") is None

    handle(form, draft, "上一步")
    assert current_step(form, draft) == "contact_fax"
    handle(form, draft, "跳过")

    handle(form, draft, "修改联系人手机")
    assert current_step(form, draft) == "contact_mobile"
    assert "当前已填" in prompt(form, draft).text
    handle(form, draft, "13912345678")
    assert draft.values["contact_mobile"] == "13912345678"
    assert current_step(form, draft) == after_fax


def test_a_required_field_cannot_be_skipped():
    form, draft = eligible_draft("sh5g_application")

    outcome = handle(form, draft, "跳过")

    assert "必填" in outcome.messages[0]
    assert current_step(form, draft) == "project_name"


def test_a_pasted_paragraph_fills_several_fields_after_confirmation():
    form, draft = eligible_draft("sh5g_application")
    _fill_until(form, draft, "unit_name", {})
    code = valid_uscc()

    handle(form, draft, f"单位：上海市某某医院，统一社会信用代码{code}，联系人张三 13812345678，邮箱 zhangsan@example.com")
    asked = prompt(form, draft)
    handle(form, draft, "确认")

    assert "识别到" in asked.text and code in asked.text
    assert draft.values["org_code"] == code
    assert draft.values["contact_mobile"] == "13812345678"
    assert draft.values["unit_name"] == "上海市某某医院"
    assert current_step(form, draft) != "unit_name"


def test_partners_are_a_repeatable_group_closed_by_none_and_must_differ_from_the_lead():
    form, draft = eligible_draft("sh5g_application")
    draft.eligibility["partner_count"] = None  # 不确定 in the pre-check: as many partners as they enter
    _fill_until(form, draft, "partners.0.partner_name", {"unit_name": "上海市某某医院"})

    same = handle(form, draft, "上海市某某医院")
    assert same.messages and current_step(form, draft) == "partners.0.partner_name"
    handle(form, draft, "中国移动通信集团上海有限公司")
    while current_step(form, draft).startswith("partners.0."):
        spec = form.field(current_step(form, draft).split(".")[-1])
        handle(form, draft, valid_uscc() if spec.kind == "org_code" else (spec.choices[0] if spec.choices else "企业"))
    assert current_step(form, draft) == "partners.1.partner_name"
    handle(form, draft, "无")

    assert len(draft.values["partners"]) == 1
    assert not current_step(form, draft).startswith("partners")


def test_review_show_and_submit_and_the_draft_survives_json():
    form, draft = eligible_draft("accept_application")
    while draft.phase == "fields":
        step = current_step(form, draft)
        spec = form.field(step.split(".")[-1])
        starts_group_item = "没有（更多）" in prompt(form, draft).text
        outcome = handle(form, draft, "无" if starts_group_item else spec.example or "无")
        assert not outcome.messages, (step, spec.example, outcome.messages)
    review = prompt(form, draft)
    shown = handle(form, draft, "查看已填内容")
    restored = Draft.from_json(json.loads(json.dumps(draft.to_json())))
    submitted = handle(form, restored, "确认提交")

    assert draft.phase == "review" and "确认提交" in review.text
    assert "已填内容" in shown.messages[0]
    assert submitted.status == "completed" and restored.phase == "done"


def test_pause_keeps_the_phase_to_resume():
    form, draft = eligible_draft("sh5g_application")
    handle(form, draft, "某某项目")

    outcome = handle(form, draft, "暂停")

    assert outcome.status == "paused" and draft.phase == "paused" and draft.resume_phase == "fields"
    assert draft.values["project_name"] == "某某项目"


def test_a_program_without_a_form_only_runs_the_pre_check():
    draft = start_draft(None, "smart")
    check = get_checks()["smart"]
    outcome = None
    while draft.phase == "eligibility":
        question = next(q for q in check.questions if q.key not in draft.eligibility)
        outcome = handle(None, draft, passing_answer(question))

    assert outcome is not None and outcome.status == "completed"
    assert "预审结果" in outcome.messages[0]


def test_a_cover_line_repeating_another_field_is_never_asked():
    form, draft = eligible_draft("sh5g_application")

    asked = {step.split(".")[0] for step in steps(form, draft)}

    assert "unit_name" in asked and "direction" in asked
    assert not asked & {spec.key for spec in form.top_fields() if spec.same_as}


def test_every_form_has_steps_in_its_sections_order():
    for form in get_forms().values():
        draft = Draft(form_id=form.id, program=form.program)
        order = [step.split(".")[0] for step in steps(form, draft)]
        top = [spec.key for spec in form.asked_fields()]
        assert [key for key in top if key in order] == list(dict.fromkeys(order))
