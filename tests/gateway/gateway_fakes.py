"""Test doubles for gateway tests: a fake Rasa/action server behind httpx.MockTransport and,
for tests that are not about the knowledge base, a small fake knowledge service."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import BaseModel


RASA_URL = "http://rasa.test:5005"
ACTIONS_URL = "http://actions.test:5055"
FAKE_CONTACTS = "人工咨询：测试委 张老师 021-00000000"


class FakeCitation(BaseModel):
    doc: str
    title: str
    clause: str
    quote: str


@dataclass
class FakeHit:
    question: str | None
    answer: str
    citations: list[FakeCitation]
    score: float


@dataclass
class FakeKnowledge:
    """Stands in for knowledge.api.KnowledgeBase where the test is not about its content."""

    calls: list[tuple[str, str | None, int]] = field(default_factory=list)

    def search_faq(self, query: str, program: str | None = None, top_k: int = 5) -> list[FakeHit]:
        self.calls.append((query, program, top_k))
        hit = FakeHit(
            question="申报截止时间是什么时候？",
            answer="【测试】截止时间为2021年1月19日17:00。",
            citations=[FakeCitation(doc="sh5g", title="测试通知", clause="三、时间", quote="截止时间为…")],
            score=0.87,
        )
        return [hit, FakeHit(question=None, answer="条款原文……", citations=[], score=0.5)][:top_k]

    def helpdesk_contacts_text(self) -> str:
        return FAKE_CONTACTS

    def program_keys(self) -> list[str]:
        return ["sh5g", "nat5g", "accept", "annual", "smart"]


Handler = Callable[[httpx.Request], httpx.Response]


class FakeServers:
    """Rasa (REST channel) and the action server, answered in-process via httpx.MockTransport."""

    def __init__(self) -> None:
        self.rasa_replies: list[dict[str, Any]] = [{"recipient_id": "x", "text": "你好"}]
        self.rasa_handler: Handler | None = None  # overrides rasa_replies when set
        self.rasa_up = True
        self.actions_up = True
        self.rasa_root_status = 200
        self.actions_health_status = 200
        self.webhook_requests: list[dict[str, Any]] = []
        self.webhook_metadata: list[dict[str, Any] | None] = []  # the gateway's metadata, kept apart

    def handle(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        if url.startswith(RASA_URL):
            if not self.rasa_up:
                raise httpx.ConnectError("connection refused", request=request)
            if request.url.path == "/":
                return httpx.Response(self.rasa_root_status, text="Hello from Rasa: 3.6.21")
            if request.url.path == "/webhooks/rest/webhook" and request.method == "POST":
                body = json.loads(request.content)
                self.webhook_metadata.append(body.pop("metadata", None))
                self.webhook_requests.append(body)
                if self.rasa_handler is not None:
                    return self.rasa_handler(request)
                return httpx.Response(200, json=self.rasa_replies)
        if url.startswith(ACTIONS_URL):
            if not self.actions_up:
                raise httpx.ConnectError("connection refused", request=request)
            if request.url.path == "/health":
                return httpx.Response(self.actions_health_status, json={"status": "ok"})
        return httpx.Response(404)


# Conversations the tests name directly ("s1", ...). The server creates real ones (POST
# /api/session); these ids are bound to one known token in the database, exactly as an issued
# session is, so that tests can keep readable ids and still pass the real token check.
TEST_TOKEN = "test-session-token-0123456789"
TEST_SESSIONS = ("s1", "s2", "s3", "s9", "s", "demo", "web-1", "13812345678", "alice", "bob")


def bind_test_sessions(db_url: str, session_ids: tuple[str, ...] = TEST_SESSIONS, token: str = TEST_TOKEN) -> None:
    """Store ``token`` as the secret of each of ``session_ids`` (after the app created its tables)."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from persistence.staff_accounts import token_digest
    from persistence.helpdesk_models import ApplicantToken

    engine = create_engine(db_url)
    try:
        with Session(engine) as db, db.begin():
            for session_id in session_ids:
                db.merge(ApplicantToken(session_id=session_id, token_hash=token_digest(token)))
    finally:
        engine.dispose()
