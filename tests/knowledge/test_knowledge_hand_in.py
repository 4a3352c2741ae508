"""Handing in: "下一步怎么交" after saying the papers are ready gets the ways, the address and the
number of copies; two questions in one message ("几份，寄给谁", "怎么准备、交到哪儿") get both
answers. Phrasings are written for this test, not taken from the question files."""
from __future__ import annotations

import pytest

from knowledge.api import KnowledgeBase


@pytest.mark.parametrize(
    ("question", "facts"),
    [("上海5G试点的纸质材料打印好了，下一步怎么交", ["金港路", "六份", "线上系统"]),
     ("国家5G试点要准备几份，寄给谁", ["三份", "刘东"]),
     ("智慧医疗专项书面材料要怎么装、送到哪儿", ["档案袋", "建国西路"])],
)
def test_how_to_hand_in_and_two_questions_at_once(kb: KnowledgeBase, question, facts):
    reply = kb.answer(question)
    for fact in facts:
        assert fact in reply.text, reply.text


def test_how_to_write_is_not_how_to_hand_in(kb: KnowledgeBase):
    reply = kb.answer("上海5G试点申报书怎么写")
    assert "金港路" not in reply.text


@pytest.mark.parametrize(("question", "fact"), [("国家5G试点寄材料的收件人手机是多少", "18515943987"),
                                                ("验收的纸质版还用另外交吗", "纸质版")])
def test_applicants_words_for_a_phone_and_handing_in_separately(kb: KnowledgeBase, question, fact):
    assert fact in kb.answer(question).text
