"""Applicants' words mapped to the notices' words, on questions and indexed facts alike."""
from __future__ import annotations

import pytest

from knowledge.api import KnowledgeBase
from knowledge.synonyms import Synonyms


def test_the_longest_applicant_word_is_replaced_first() -> None:
    synonyms = Synonyms({"没交": "未提交", "没交齐": "未交齐", "ＣＤ": "光盘"})

    assert synonyms.apply("材料没交齐，cd要吗") == "材料未交齐,光盘要吗"


def test_facts_are_indexed_in_the_notices_words(kb: KnowledgeBase) -> None:
    # a fact's example question "没交验收材料会怎样" is indexed as 未提交, as a question is asked
    assert {"未", "提交"} <= set(kb.retriever.tokenizer("没交验收材料会怎样"))


@pytest.mark.parametrize(
    ("question", "length"),
    [
        ("5G试点验收想延两年可以吗", "两年"),
        ("项目打算往后延长8个月，行不行", "8个月"),
        ("验收能不能顺延半年", "半年"),
        ("5G验收我们想推迟一年半，能批吗", "一年半"),
    ],
)
def test_a_length_after_the_applicants_word_for_extending_asks_about_the_extension(kb: KnowledgeBase, question: str, length: str) -> None:
    reply = kb.answer(question if "5G" in question else f"5G试点验收{question}")
    assert "延期时间不超过一年" in reply.text and f"您说的是{length}" in reply.text, reply.text


def test_a_delay_of_days_is_no_extension_of_the_project() -> None:
    synonyms = Synonyms(None, {"(?:延长|推迟|延)(?!期)(?=\\s*(?:[0-9]+|[一二两三四五六七八九十]+|半)\\s*(?:个月|年))": "延期"})
    assert synonyms.apply("推迟两天交") == "推迟两天交"
    assert synonyms.apply("延18个月") == "延期18个月"


@pytest.mark.parametrize(
    ("question", "fact"),
    [("上海5G试点的智能疾控方向是干嘛的", "传染病"), ("上海5G试点 远程查房这个方向干啥的", "查房"), ("智慧医疗 信息安全那个方向是做啥的", "安全")],
)
def test_asking_what_a_thing_is_for_in_the_applicants_words(kb: KnowledgeBase, question: str, fact: str) -> None:
    reply = kb.answer(question)
    assert reply.kind == "answer" and fact in reply.text and "没有提到" not in reply.text, reply.text
