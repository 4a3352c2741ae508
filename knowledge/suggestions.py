"""Suggested next questions after an answer: up to three related facts of the same program, as
buttons whose payload asks that fact's own question (answered for the program in focus).

Related means: another fact on the topic just answered, then a fact of each topic an applicant
usually asks next (after a deadline, the documents and where to send them; after the documents,
how to submit them…), one per topic. Facts the answer already cites are never suggested, and a
question is offered only if asking it is really answered by its fact (answering costs ~6 ms).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from .reply import Button, Context, Reply
from .api import KnowledgeBase
from .models import Citation
from .units import Unit

MAX_SUGGESTIONS = 3
NEXT_TOPICS: dict[str, tuple[str, ...]] = {
    "deadline": ("documents", "submission", "eligibility"),
    "eligibility": ("documents", "deadline", "directions"),
    "documents": ("submission", "deadline", "contact"),
    "submission": ("deadline", "contact", "documents"),
    "contact": ("submission", "deadline", "procedure"),
    "procedure": ("deadline", "documents", "contact"),
    "directions": ("eligibility", "documents", "deadline"),
    "overview": ("deadline", "eligibility", "documents"),
}
_END_PUNCTUATION = "？?。！!"


def _cites(unit: Unit, citations: Iterable[Citation]) -> bool:
    return any(c.doc == unit.citation.doc and c.clause == unit.citation.clause for c in citations)


def _as_question(text: str) -> str:
    return text if text.endswith(tuple(_END_PUNCTUATION)) else text + "？"


def _candidates(units: Sequence[Unit], program: str, topic: str, citations: Sequence[Citation]) -> list[Unit]:
    """Facts of ``program`` not cited by the answer: same topic first, then the next topics."""
    facts = [u for u in units if u.is_fact and u.program == program and u.questions and not _cites(u, citations)]
    ordered = [u for u in facts if u.topic == topic]
    for next_topic in NEXT_TOPICS.get(topic, ()):
        ordered += [u for u in facts if u.topic == next_topic]
    return ordered


def suggest(knowledge: KnowledgeBase, reply: Reply) -> list[Button]:
    """Up to three questions about facts related to ``reply``, one per topic, each kept only if
    asking it next (with the program in focus) is answered by that fact."""
    program, topic = reply.programs[0], reply.topic or ""
    context = Context(programs=(program,), topic=reply.topic, question=reply.question)
    buttons: list[Button] = []
    topics_used: set[str | None] = set()
    for unit in _candidates(knowledge.retriever.units, program, topic, reply.citations):
        if len(buttons) == MAX_SUGGESTIONS:
            break
        if unit.topic in topics_used:
            continue
        question = _as_question(unit.questions[0])
        follow_up = knowledge.answer(question, context=context)
        if follow_up.kind == "answer" and follow_up.programs == [program] and _cites(unit, follow_up.citations):
            buttons.append(Button(title=question, payload=question))
            topics_used.add(unit.topic)
    return buttons


def with_suggestions(reply: Reply, knowledge: KnowledgeBase) -> Reply:
    """The reply with suggested next questions as its buttons, when it is a cited answer about
    one program and offers no buttons of its own (a question back keeps its choices)."""
    if reply.kind != "answer" or reply.buttons or not reply.citations or len(reply.programs) != 1 or not reply.topic:
        return reply
    buttons = suggest(knowledge, reply)
    return replace(reply, buttons=buttons) if buttons else reply
