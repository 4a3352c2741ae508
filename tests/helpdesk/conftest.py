"""Fixtures for the helpdesk tests: the gateway on a tmp SQLite database with a fake Rasa that
answers "转人工" like action_request_human (a json_message ``handoff``) and echoes the rest with
a citation; staff accounts; logged-in console clients."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS / "gateway"))
sys.path.insert(0, str(TESTS / "web"))

from gateway.app import create_app  # noqa: E402
from gateway.helpdesk.runtime import Helpdesk  # noqa: E402
from gateway.settings import Settings  # noqa: E402
from gateway_fakes import ACTIONS_URL, RASA_URL, FakeServers  # noqa: E402
from web_fakes import CITATION, ListingKnowledge  # noqa: E402

PASSWORD = "correct horse battery"
HANDOFF_WORDS = ("转人工", "人工客服")


def fake_rasa(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    text = body["message"]
    if text in HANDOFF_WORDS or text.startswith("/request_human"):
        return httpx.Response(200, json=[
            {"recipient_id": body["sender"], "text": "好的，您的转人工请求已记录。人工咨询：测试委 021-00000000"},
            {"recipient_id": body["sender"], "custom": {"handoff": {"reason": "user_request"}}},
        ])
    if text.startswith("表单错误"):
        return httpx.Response(200, json=[
            {"recipient_id": body["sender"], "text": "这一项仍未通过校验。"},
            {"recipient_id": body["sender"], "custom": {"handoff": {"reason": "form_validation"}}},
        ])
    return httpx.Response(200, json=[
        {"recipient_id": body["sender"], "text": f"答：{text}"},
        {"recipient_id": body["sender"], "custom": {"citations": [CITATION]}},
    ])


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


def helpdesk_of(client: TestClient) -> Helpdesk:
    return client.app.state.helpdesk


@dataclass
class Console:
    """A logged-in staff member: requests through the app's client with this login's cookie
    and CSRF token (the client's own cookie jar stays empty, like an applicant's)."""

    client: TestClient
    cookie: str
    csrf: str
    display_name: str

    def _headers(self, csrf: bool) -> dict[str, str]:
        headers = {"Cookie": f"shenbao_staff={self.cookie}"}
        if csrf:
            headers["X-CSRF-Token"] = self.csrf
        return headers

    def post(self, url: str, csrf: bool = True, **kwargs) -> httpx.Response:
        return self.client.post(url, headers=self._headers(csrf), **kwargs)

    def get(self, url: str, **kwargs) -> httpx.Response:
        return self.client.get(url, headers=self._headers(False), **kwargs)

    def delete(self, url: str, **kwargs) -> httpx.Response:
        return self.client.delete(url, headers=self._headers(True), **kwargs)


def login(client: TestClient, username: str, password: str = PASSWORD) -> httpx.Response:
    response = client.post("/api/console/login", json={"username": username, "password": password})
    client.cookies.clear()
    return response


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


def applicant_session(client: TestClient) -> tuple[str, str]:
    """A web chat session with its token, as the chat page gets it."""
    body = client.post("/api/session").json()
    return body["session_id"], body["token"]
