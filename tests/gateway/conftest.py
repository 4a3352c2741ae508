"""Fixtures for gateway tests: a tmp SQLite database, the fake servers and knowledge service
from gateway_fakes, and a TestClient running the app's lifespan (migrations, HTTP client)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from gateway.app import create_app
from gateway.deps import get_knowledge_provider
from gateway.knowledge_service import KnowledgeProvider
from gateway.settings import Settings
from gateway.helpdesk.applicants import TOKEN_HEADER
from gateway_fakes import ACTIONS_URL, RASA_URL, TEST_TOKEN, bind_test_sessions, FakeKnowledge, FakeServers


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'db' / 'assistant.db'}"


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(
        database_url=db_url,
        rasa_url=RASA_URL,
        action_server_url=ACTIONS_URL,
        preload_knowledge=False,
        rasa_timeout_seconds=2,
    )


@pytest.fixture
def servers() -> FakeServers:
    return FakeServers()


@pytest.fixture
def fake_kb() -> FakeKnowledge:
    return FakeKnowledge()


@pytest.fixture
def app(settings: Settings, servers: FakeServers, fake_kb: FakeKnowledge) -> FastAPI:
    app = create_app(settings, transport=httpx.MockTransport(servers.handle))
    provider = KnowledgeProvider(lambda: fake_kb)
    app.dependency_overrides[get_knowledge_provider] = lambda: provider
    return app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, headers={TOKEN_HEADER: TEST_TOKEN}) as test_client:
        bind_test_sessions(str(app.state.settings.database_url))
        yield test_client
