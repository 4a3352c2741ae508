"""Applicants' words mapped to the notices' words, on questions and indexed facts alike."""
from __future__ import annotations

from knowledge.api import KnowledgeBase
from knowledge.synonyms import Synonyms


def test_the_longest_applicant_word_is_replaced_first() -> None:
    synonyms = Synonyms({"没交": "未提交", "没交齐": "未交齐", "ＣＤ": "光盘"})

    assert synonyms.apply("材料没交齐，cd要吗") == "材料未交齐,光盘要吗"


def test_facts_are_indexed_in_the_notices_words(kb: KnowledgeBase) -> None:
    # a fact's example question "没交验收材料会怎样" is indexed as 未提交, as a question is asked
    assert {"未", "提交"} <= set(kb.retriever.tokenizer("没交验收材料会怎样"))
