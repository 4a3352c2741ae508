"""Understand: each message's form of question (knowledge/frame.py). Several phrasings per form,
written for this test (not taken from the question files)."""
from __future__ import annotations

import pytest

from knowledge.frame import Form, question_form, understand

PHRASINGS = {
    Form.WHEN: ["国家试点纸质材料最晚哪天交", "验收资料几点之前传完", "智慧医疗网上填报啥时候开始"],
    Form.WHERE: ["上海5G的申报材料寄到哪里", "验收资料在哪个平台传", "年度报告交到哪儿"],
    Form.WHO: ["智慧医疗这块找谁咨询", "国家试点的联系人是哪位，电话多少", "验收有疑问问谁"],
    Form.HOW_MANY: ["国家试点纸质版要几份", "一家单位最多牵头几个项目", "专家组至少多少人"],
    Form.YES_NO: ["国家试点要不要附光盘", "验收需要现场答辩吗", "年度报告是不是每年都要交"],
    Form.ALLOWED: ["我们是外地注册的公司，能报上海的试点吗", "负责人五十三岁了还能申请吗", "我们打算单面打印申报书，行吗"],
    Form.ON_TIME: ["我们1月19号晚上十点才提交网上申报，来得及吗", "材料4月13号下午三点送到，算按时吗"],
    Form.COMPARE: ["上海和国家试点的方向一样吗", "网上申报和书面材料截止是同一天吗", "两个试点的联系人有什么区别"],
    Form.WHAT_IF: ["没按期完成任务会怎样", "验收不通过有什么后果"],
    Form.WHAT_TO_DO: ["项目做不完了该怎么办", "想换项目负责人要走什么流程", "申请延期怎么申请"],
    Form.STILL_OPEN: ["现在还能报智慧医疗专项吗", "上海5G试点过期了吗", "这会儿还收材料不", "现在还能补交证明材料吗", "还可以重新上传吗"],
    Form.WHAT: ["智慧医疗专项是干什么的", "上海5G试点重点支持哪些方向", "验收要交哪几个材料"],
}


@pytest.mark.parametrize(("form", "text"), [(form, text) for form, texts in PHRASINGS.items() for text in texts])
def test_the_form_of_each_question(form, text):
    assert question_form(text) is form


def test_a_frame_keeps_the_applicants_words_and_what_they_say_of_themselves():
    frame = understand("我们准备胶装，可以吗", "我们准备装订,可以吗")
    assert frame.as_asked == "我们准备胶装，可以吗" and frame.text == "我们准备装订,可以吗"
    assert frame.wants_verdict


def test_a_comparison_frame_carries_the_plain_question_each_side_answers():
    frame = understand("国家的方向跟上海的一样多吗", "国家的方向跟上海的一样多吗")
    assert frame.form is Form.COMPARE and frame.compared and "有多少个" in frame.plain


def test_the_reply_says_what_was_asked(kb):
    assert kb.answer("上海5G试点材料最晚哪天交").form is Form.WHEN
    assert kb.answer("我们是杭州注册的公司，能报上海5G试点吗").form is Form.ALLOWED
