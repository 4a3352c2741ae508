"""What decides a project's acceptance, applied to what the applicant says: outside the national
list → not in the acceptance; not built, materials not handed in or untrue → 按不通过处理; a score
below 60 → 原则上不通过, and at 60 or more the notice leaves the outcome to the experts. These rules
live in data/eligibility/accept.yml and decide answers only (no pre-check before the acceptance
forms). Phrasings are written for this test, not taken from the question files."""
from __future__ import annotations

import pytest

from knowledge.api import KnowledgeBase
from knowledge.forms.engine import start_draft
from knowledge.forms.loader import get_forms
from knowledge.situation import read_situation


@pytest.mark.parametrize(
    ("text", "profile"),
    [("我们这个项目不在工信部那批名单里", {"in_national_list": False}),
     ("国家试点名单上没有我们单位", {"in_national_list": False}),
     ("我们进了国家试点名单", {"in_national_list": True}),
     ("项目其实一直没开工", {"project_built": False}),
     ("验收资料还没上传", {"acceptance_materials_submitted": False}),
     ("有几张照片是编的材料", {"acceptance_materials_true": False}),
     ("专家给我们打了72分", {"expert_score": 72.0})],
)
def test_what_is_said_of_a_project_at_acceptance_is_read(text, profile):
    assert read_situation(text).profile == profile


@pytest.mark.parametrize(
    ("question", "opening", "reason"),
    [("我们项目不在国家220号文那批名单里，也要参加上海这次5G试点验收吗", "不属于本次验收范围", "84个"),
     ("5G试点验收，我们验收资料一直没提交，结果会怎样", "不能通过（按不通过处理）", "验收材料未提交"),
     ("5G试点验收材料里有数据造假，被查出来能通过吗", "不能通过（按不通过处理）", "不真实"),
     ("5G试点验收专家评分52分，还能通过验收吗", "原则上不通过验收", "60分"),
     ("5G试点验收打分打了80分，是不是肯定通过了", "需进一步确认", "60分")],
)
def test_the_acceptance_rules_give_the_verdict(kb: KnowledgeBase, opens_with, question, opening, reason):
    opens_with(kb.answer(question), opening, reason)


def test_the_acceptance_forms_start_with_their_fields_not_a_pre_check():
    form = next(f for f in get_forms().values() if f.program == "accept")
    assert start_draft(form, "accept").phase == "fields"
