"""A yes/no question answered by the rule of the fact that answers it (knowledge/rulings.py).

Phrasings are written for these tests, not taken from the question files."""
from __future__ import annotations

import pytest

from knowledge.models import Ruling
from knowledge.rulings import verdict_by_ruling

MAY, MAY_NOT, SOFT_NOT, MUST = Ruling(says="may"), Ruling(says="may_not"), Ruling(says="may_not", soft=True), Ruling(says="must")


@pytest.mark.parametrize(
    ("question", "ruling", "opening"),
    [
        ("项目能提前验收吗", MAY, "可以："),
        ("交了以后还能补充成果吗", MAY, "可以："),
        ("可以不提前验收吗", MAY, None),  # leaving out what is allowed: the rule does not say
        ("牵头单位能换吗", SOFT_NOT, "原则上不可以："),
        ("牵头单位能不能换掉", SOFT_NOT, "原则上不可以："),  # 能不能 is asking, not leaving out
        ("课题组自己报送行吗", MAY_NOT, "不可以："),
        ("纸质版没寄可以吗", MUST, "不可以："),
        ("只在网上报了，行不行", MUST, "不可以："),
        ("光盘可以不交吗", MUST, "不可以："),
        ("纸质材料还非得寄吗", MUST, "需要："),
        ("要不要同步交纸质版", MUST, "需要："),
        ("纸质版寄到哪", MUST, None),  # not a yes/no about the rule
    ],
)
def test_the_rule_gives_the_verdict(question, ruling, opening):
    assert verdict_by_ruling(question, ruling) == opening


@pytest.mark.parametrize(
    ("question", "opening", "fact"),
    [
        ("年度总结交完了，后面有新成果还可以更新上去吗", "可以", "实时更新"),
        ("咱们试点做得快，能不能早点申请验收", "可以", "提前验收"),
        ("5G试点的牵头单位中途能不能换掉", "原则上不可以", "牵头单位不允许调整"),
        ("验收材料只在网上传了，纸质版可以不交吗", "不可以", "纸质版"),
        ("5G试点验收，纸质版还要不要交", "需要", "同步报送纸质版"),
        ("5G试点项目申请了延期，还能推荐成典型试点项目吗", "不可以", "不参与典型试点项目推荐"),
        ("智慧医疗专项我们课题组单独把材料送过去可以吗", "不可以", "单位统一报送"),
    ],
)
def test_the_composer_opens_with_the_rules_verdict(kb, question, opening, fact):
    reply = kb.answer(question)
    body = reply.text.split("】", 1)[1]
    assert body.startswith(opening) and fact in reply.text, reply.text


def test_a_soft_limit_is_never_a_hard_no(kb):
    reply = kb.answer("5G试点验收没按期完成，打算延期两年，行吗")
    body = reply.text.split("】", 1)[1]
    assert body.startswith("原则上不可以") and "一年" in body, reply.text


def test_a_rule_question_without_yes_or_no_gets_no_verdict(kb):
    reply = kb.answer("5G试点牵头单位调整有什么规定")
    assert not reply.text.split("】", 1)[1].startswith(("可以", "不可以", "原则上不可以")), reply.text


@pytest.mark.parametrize("question", ["国家5G试点我们报远程查房方向行不行", "国家那个试点可以选移动医护方向吗"])
def test_a_direction_the_notice_does_not_list_is_a_no(kb, question):
    body = kb.answer(question).text.split("】", 1)[1]
    assert body.startswith("不可以") and "8个方向" in body, body


def test_what_the_notices_do_not_mention_is_said_plainly(kb):
    assert "没有提到" in kb.answer("国家5G医疗试点申报要不要交押金").text


@pytest.mark.parametrize(
    ("turns", "fact"),
    [
        (["我们5G试点的建设任务到期也做不完了", "这种情况要怎么处理"], "延期或终止申请"),
        (["5G试点项目目标没能按期完成，该怎么办"], "2024年1月10日前"),
        (["试点项目原来的合作方不干了，我们想新增一家参与单位", "需要走什么手续"], "牵头单位提出申请"),
        (["我们项目负责人下个月退休", "找谁申请调整"], "备案"),
    ],
)
def test_what_to_do_in_a_projects_state(kb, turns, fact):
    from knowledge.reply import Context

    context = Context()
    for turn in turns:
        reply = kb.answer(turn, context=context)
        context = Context(programs=tuple(reply.programs), topic=reply.topic, question=reply.question, situation=reply.situation)
    assert fact in reply.text, reply.text


@pytest.mark.parametrize("question", ["项目做完了，可以不等到期直接申请验收吗", "5G试点能不等项目到期就先验收吗", "能不能不等到期，现在就申请验收"])
def test_not_waiting_for_the_end_is_asking_to_act_early(kb, question):
    reply = kb.answer(question if "5G" in question else f"5G试点{question}")
    assert reply.text.partition("】")[2].startswith("可以"), reply.text
