"""Fixtures for the web chat tests: the gateway app on a tmp SQLite database with the fake Rasa
and action servers of tests/gateway/gateway_fakes.py, and a knowledge fake that can list FAQs."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "gateway"))

from gateway.app import create_app  # noqa: E402
from gateway.settings import Settings  # noqa: E402
from gateway.helpdesk.applicants import TOKEN_HEADER
from gateway_fakes import ACTIONS_URL, RASA_URL, TEST_TOKEN, bind_test_sessions, FakeServers  # noqa: E402
from web_fakes import ListingKnowledge  # noqa: E402


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
        max_message_chars=50,
    )


@pytest.fixture
def servers() -> FakeServers:
    return FakeServers()


@pytest.fixture
def kb() -> ListingKnowledge:
    return ListingKnowledge()


@pytest.fixture
def app(settings: Settings, servers: FakeServers, kb: ListingKnowledge) -> FastAPI:
    return create_app(settings, transport=httpx.MockTransport(servers.handle), knowledge_loader=lambda: kb)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, headers={TOKEN_HEADER: TEST_TOKEN}) as test_client:
        bind_test_sessions(str(app.state.settings.database_url))
        yield test_client
