"""A unit that joins a consortium rather than applies, and a university asking to apply: the
verdicts come from the rules (the invitation to join in data/eligibility/<program>.yml
``partners_welcome``; 本市卫生计生系统 for 智慧医疗专项). Phrasings are written for this test."""
from __future__ import annotations

import pytest

from knowledge.api import KnowledgeBase
from knowledge.situation import read_situation


@pytest.mark.parametrize(
    ("text", "partner"),
    [("我们公司想参与上海这个5G试点", True), ("医疗器械企业能不能参与到智慧医疗的项目里", True),
     ("我们医院想牵头参与申报上海5G试点", False), ("我们想申报国家5G试点", False)],
)
def test_taking_part_is_read_as_joining(text, partner):
    assert (read_situation(text).profile.get("role") == "partner") is partner


@pytest.mark.parametrize(
    ("question", "opening", "reason"),
    [("做手术机器人的企业可以参与国家5G试点吗", "可以（作为联合单位参与）", "设备制造企业"),
     ("我们是一家AI软件企业，能参与智慧医疗专项研究吗", "可以（作为联合单位参与）", "1:1"),
     ("我们是交大计算机系，学校想作为申请单位报智慧医疗专项，行吗", "不可以", "卫生计生系统"),
     ("本市一所高校能不能自己申报智慧医疗专项", "不可以", "卫生计生系统")],
)
def test_partners_and_universities_get_their_verdict(kb: KnowledgeBase, opens_with, question, opening, reason):
    opens_with(kb.answer(question), opening, reason)


@pytest.mark.parametrize(
    ("question", "opening", "reason"),
    [("我们负责人还没有专利，智慧医疗专项能报吗", "不可以", "专利"),
     ("我拥有两项发明专利，可以申报智慧医疗专项吗", "可以", "专利"),
     ("公司注册地在香港，国家5G试点能牵头吗", "不可以", "境内"),
     ("我们医疗器械公司想和区中心医院联合申报智慧医疗专项，可以吗", "可以（作为联合单位参与）", "1:1"),
     ("我们是软件公司，能不能自己作为申请单位报智慧医疗专项", "不可以", "联合申报")],
)
def test_patent_abroad_and_a_company_with_a_hospital(kb: KnowledgeBase, opens_with, question, opening, reason):
    opens_with(kb.answer(question), opening, reason)


@pytest.mark.parametrize(
    "turns",
    [
        ("我们单位已经牵头报了一个国家5G试点", "又有别家邀请我们做他们的参与单位", "可以参加吗"),
        ("上海5G试点我们已经牵头了一个，还能去别人的联合体里当合作单位吗",),
        ("我院已以医院名义牵头1个上海5G试点项目", "兄弟单位想请我们作为联合单位加入", "允许吗"),
    ],
)
def test_a_unit_leading_one_project_asking_to_join_another_is_told_the_notice_is_silent(talk, opens_with, turns):
    """The notices limit leading (各单位仅可牵头申报1个项目); on joining others as a partner they say nothing."""
    opens_with(talk(*turns), "需进一步确认", "各单位仅可牵头申报1个项目", "通知未规定")


def test_a_partner_leading_nothing_may_join(talk, opens_with):
    opens_with(talk("我们是一家软件公司", "想作为联合单位参加国家5G试点", "可以吗"), "可以（作为联合单位参与）")
