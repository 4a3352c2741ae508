"""Fixtures for the rasa-sdk action tests (in the style of RasaHQ financial-demo): a
CollectingDispatcher, trackers built from JSON-like fixtures, and the real knowledge base loaded
once per session."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from knowledge.api import KnowledgeBase, get_knowledge
from knowledge.settings import get_settings

EMPTY_SLOTS: dict[str, Any] = {"programs": None, "topic": None, "last_question": None}


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return get_knowledge()


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ASSISTANT_TODAY", "2026-11-22")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture
def domain() -> dict[str, Any]:
    return {}


def _tracker(
    text: str,
    intent: str | None,
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    confidence: float = 0.95,
) -> Tracker:
    latest_message = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence} if intent else {},
        "entities": entities or [],
    }
    return Tracker(
        sender_id="test-user",
        slots={**EMPTY_SLOTS, **(slots or {})},
        latest_message=latest_message,
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name=None,
    )


@pytest.fixture
def make_tracker(kb: KnowledgeBase) -> Callable[..., Tracker]:
    return _tracker
