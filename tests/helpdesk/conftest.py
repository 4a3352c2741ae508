"""Fixtures for the helpdesk tests: the gateway on a tmp SQLite database with the fake Rasa of
helpdesk_fakes.py, staff accounts and logged-in consoles."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from gateway.app import create_app
from gateway.settings import Settings
from pg_server import PostgresServer, running_postgres
from helpdesk_fakes import ACTIONS_URL, PASSWORD, RASA_URL, Console, FakeServers, ListingKnowledge, fake_rasa, helpdesk_of, login


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'db' / 'assistant.db'}"


@pytest.fixture
def office_hours() -> str:
    return "always"


@pytest.fixture
def settings(db_url: str, office_hours: str, tmp_path) -> Settings:
    return Settings(
        database_url=db_url,
        rasa_url=RASA_URL,
        action_server_url=ACTIONS_URL,
        preload_knowledge=False,
        rasa_timeout_seconds=2,
        max_message_chars=200,
        helpdesk_office_hours=office_hours,
        rasa_tracker_db=str(tmp_path / "no-tracker.db"),
    )


@pytest.fixture
def servers() -> FakeServers:
    servers = FakeServers()
    servers.rasa_handler = fake_rasa
    return servers


@pytest.fixture
def kb() -> ListingKnowledge:
    return ListingKnowledge()


@pytest.fixture
def make_app(settings: Settings, servers: FakeServers, kb: ListingKnowledge) -> Callable[[], FastAPI]:
    return lambda: create_app(settings, transport=httpx.MockTransport(servers.handle), knowledge_loader=lambda: kb)


@pytest.fixture
def client(make_app) -> Iterator[TestClient]:
    with TestClient(make_app(), base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def staff_login(client: TestClient) -> Callable[..., Console]:
    """Create a staff account (online unless told otherwise) and log in."""

    def make(username: str = "li", display_name: str = "李老师", online: bool = True) -> Console:
        helpdesk = helpdesk_of(client)
        staff = helpdesk.accounts.create(username, display_name, PASSWORD)
        if online:
            helpdesk.accounts.mark_seen(staff.id)
        response = login(client, username)
        assert response.status_code == 200, response.text
        return Console(client, response.cookies["shenbao_staff"], response.json()["csrf_token"], display_name)

    return make




@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One throw-away PostgreSQL server for the test session (a database per test)."""
    with running_postgres() as server:
        yield server
