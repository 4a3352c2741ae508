"""Test helpers for the web chat: a knowledge fake with ``list_faq``, and WebSocket receive with
a time limit (TestClient's own ``receive_json`` waits forever)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import anyio
from starlette.testclient import WebSocketTestSession

from gateway_fakes import TEST_TOKEN, FakeCitation, FakeKnowledge

CITATION = {"doc": "sh5g", "title": "上海市5G+医疗健康应用试点项目申报通知", "clause": "五、有关事宜 > （三）", "quote": "集中受理截止时间：2021年1月15日-2021年1月19日"}


@dataclass
class FaqEntry:
    question: str
    answer: str
    citations: list[FakeCitation]
    score: float
    program: str
    topic: str | None


def entry(program: str, topic: str, question: str) -> FaqEntry:
    return FaqEntry(question, f"【{program}】{question}的答案。", [FakeCitation(**CITATION)], 1.0, program, topic)


@dataclass
class ListingKnowledge(FakeKnowledge):
    """FakeKnowledge plus ``list_faq`` over a few entries; records each call."""

    entries: list[FaqEntry] = field(
        default_factory=lambda: [
            entry("sh5g", "deadline", "上海5G试点什么时候截止"),
            entry("sh5g", "documents", "上海5G试点材料交几份"),
            entry("nat5g", "deadline", "国家试点什么时候截止"),
            entry("smart", "contact", "智慧医疗专项找谁咨询"),
        ]
    )
    list_calls: list[tuple[str | None, str | None]] = field(default_factory=list)

    def list_faq(self, program: str | None = None, topic: str | None = None) -> list[FaqEntry]:
        self.list_calls.append((program, topic))
        return [e for e in self.entries if (not program or e.program == program) and (not topic or e.topic == topic)]


def receive(ws: WebSocketTestSession, timeout: float = 5.0) -> dict[str, Any]:
    """The next frame from the server as JSON; fails the test after ``timeout`` seconds."""

    async def next_message() -> Any:
        with anyio.fail_after(timeout):
            return await ws._send_rx.receive()

    try:
        message = ws.portal.call(next_message)
    except TimeoutError:
        raise AssertionError(f"no frame from the server within {timeout}s") from None
    ws._raise_on_close(message)
    return json.loads(message["text"])


def receive_until(ws: WebSocketTestSession, kind: str, timeout: float = 5.0) -> list[dict[str, Any]]:
    """Frames up to and including the first one of type ``kind``."""
    frames = []
    while True:
        frame = receive(ws, timeout)
        frames.append(frame)
        if frame["type"] == kind:
            return frames


def nothing_within(ws: WebSocketTestSession, seconds: float = 0.3) -> bool:
    """True if the server sends nothing for ``seconds``."""

    async def next_message() -> Any:
        with anyio.fail_after(seconds):
            return await ws._send_rx.receive()

    try:
        message = ws.portal.call(next_message)
    except TimeoutError:
        return True
    raise AssertionError(f"unexpected frame: {message}")


def hello(
    ws: WebSocketTestSession, session_id: str, after: int | None = 0, token: str = TEST_TOKEN
) -> list[dict[str, Any]]:
    """Say hello; returns the replayed message frames (checks the welcome that ends them)."""
    ws.send_json({"type": "hello", "session_id": session_id, "after": after, "token": token})
    frames = receive_until(ws, "welcome")
    assert frames[-1]["session_id"] == session_id
    return frames[:-1]


def say(ws: WebSocketTestSession, client_id: str, text: str, **extra: Any) -> None:
    ws.send_json({"type": "message", "client_id": client_id, "text": text, **extra})
