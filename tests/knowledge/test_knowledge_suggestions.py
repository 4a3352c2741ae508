"""knowledge.suggestions: up to three related next questions after a cited answer, each one
answered (for the program in focus) by the fact it was taken from."""

from __future__ import annotations

import pytest

from knowledge.reply import Button, Context, Reply
from knowledge.api import KnowledgeBase
from knowledge.suggestions import MAX_SUGGESTIONS, with_suggestions


def suggested(kb: KnowledgeBase, question: str) -> tuple[Reply, Reply]:
    reply = kb.answer(question)
    return reply, with_suggestions(reply, kb)


@pytest.mark.parametrize(
    "question", ["上海5G试点什么时候截止", "上海5G试点材料要交几份？", "智慧医疗专项负责人年龄要求", "国家5G试点联系人是谁"]
)
def test_each_suggestion_asks_a_fact_of_the_same_program_not_already_cited(kb: KnowledgeBase, question: str) -> None:
    reply, with_buttons = suggested(kb, question)
    assert reply.buttons == []  # the plain answer had none
    assert 1 <= len(with_buttons.buttons) <= MAX_SUGGESTIONS
    assert len({b.payload for b in with_buttons.buttons}) == len(with_buttons.buttons)
    assert with_buttons.text == reply.text and with_buttons.citations == reply.citations
    shown = {(c.doc, c.clause) for c in reply.citations}
    context = Context(programs=tuple(reply.programs), topic=reply.topic, question=reply.question)
    for button in with_buttons.buttons:
        assert button.title == button.payload and button.title.endswith("？")
        follow_up = kb.answer(button.payload, context=context)
        assert follow_up.kind == "answer", button.payload
        assert follow_up.programs == reply.programs, button.payload
        assert {(c.doc, c.clause) for c in follow_up.citations} - shown, f"{button.payload} repeats the answer"


def test_after_a_deadline_the_documents_are_suggested(kb: KnowledgeBase) -> None:
    _, with_buttons = suggested(kb, "上海5G试点什么时候截止")
    follow_ups = [kb.answer(b.payload, context=Context(programs=("sh5g",))).topic for b in with_buttons.buttons]
    assert "documents" in follow_ups


def test_a_question_back_keeps_its_own_choices(kb: KnowledgeBase) -> None:
    reply, with_buttons = suggested(kb, "申报需要哪些材料？")  # which program? — a question back
    assert reply.buttons
    assert with_buttons.buttons == reply.buttons


def test_no_suggestions_without_citations_or_for_several_programs(kb: KnowledgeBase) -> None:
    uncited = Reply(text="通知中没有说明。", programs=["sh5g"], topic="deadline", kind="unknown")
    assert with_suggestions(uncited, kb).buttons == []
    cited = kb.answer("上海5G试点什么时候截止")
    both = Reply(text=cited.text, citations=cited.citations, programs=["sh5g", "nat5g"], topic="deadline")
    assert with_suggestions(both, kb).buttons == []
    offered = Reply(text=cited.text, citations=cited.citations, programs=["sh5g"], topic="deadline",
                    buttons=[Button(title="转人工", payload="转人工")])
    assert with_suggestions(offered, kb).buttons == offered.buttons
