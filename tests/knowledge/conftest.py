"""Shared fixtures for the knowledge-library tests: the real knowledge base, loaded once per
session (get_knowledge is cached per process), and a way to fix "today"."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest

from knowledge.api import KnowledgeBase, get_knowledge
from knowledge.settings import get_settings


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return get_knowledge()


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
