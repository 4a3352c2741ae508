"""Shared fixtures for the knowledge-library tests: the real knowledge base, loaded once per
session (get_knowledge is cached per process), and a way to fix "today"."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest

from knowledge.api import KnowledgeBase, get_knowledge
from knowledge.reply import Context, Reply
from knowledge.settings import get_settings


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return get_knowledge()


@pytest.fixture
def talk(kb: KnowledgeBase) -> Callable[..., Reply]:
    """One conversation, turn by turn as the action server carries it; returns the last reply."""

    def run(*turns: str) -> Reply:
        context, reply = Context(), None
        for turn in turns:
            reply = kb.answer(turn, context=context)
            context = Context(programs=tuple(reply.programs) or context.programs, topic=reply.topic,
                              question=reply.question, situation=reply.situation)
        assert reply is not None
        return reply

    return run


@pytest.fixture
def opens_with() -> Callable[..., None]:
    """Asserts a reply opens (after its program label) with the verdict, and states each fact."""

    def check(reply: Reply, verdict: str, *facts: str) -> None:
        assert reply.text.partition("】")[2].startswith(verdict), reply.text
        for fact in facts:
            assert fact in reply.text, reply.text

    return check


@pytest.fixture
def set_today(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], date]]:
    """Sets ASSISTANT_TODAY (read through the cached settings) for one test; restores it after."""

    def apply(value: str) -> date:
        monkeypatch.setenv("ASSISTANT_TODAY", value)
        get_settings.cache_clear()
        return get_settings().assistant_today

    yield apply
    monkeypatch.undo()
    get_settings.cache_clear()
