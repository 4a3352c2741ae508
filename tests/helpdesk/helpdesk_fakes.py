"""Helpers for the helpdesk tests: a fake Rasa that answers "转人工" like action_request_human
(a json_message ``handoff``) and echoes the rest with a citation (small talk without); logged-in console clients;
web chat sessions with their tokens."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS / "gateway"))
sys.path.insert(0, str(TESTS / "web"))

from gateway.helpdesk.runtime import Helpdesk  # noqa: E402
from gateway_fakes import ACTIONS_URL, RASA_URL, FakeServers  # noqa: E402
from web_fakes import CITATION, ListingKnowledge  # noqa: E402

PASSWORD = "correct horse battery"
HANDOFF_WORDS = ("转人工", "人工客服")
SMALL_TALK = ("在吗", "还要等多久")  # answered without a citation (not a knowledge answer)


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
    if text in SMALL_TALK:
        return httpx.Response(200, json=[{"recipient_id": body["sender"], "text": "我是申报助手，请问有什么可以帮您？"}])
    return httpx.Response(200, json=[
        {"recipient_id": body["sender"], "text": f"答：{text}"},
        {"recipient_id": body["sender"], "custom": {"citations": [CITATION]}},
    ])


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

    def put(self, url: str, **kwargs) -> httpx.Response:
        return self.client.put(url, headers=self._headers(True), **kwargs)

    def delete(self, url: str, **kwargs) -> httpx.Response:
        return self.client.delete(url, headers=self._headers(True), **kwargs)


def login(client: TestClient, username: str, password: str = PASSWORD) -> httpx.Response:
    response = client.post("/api/console/login", json={"username": username, "password": password})
    client.cookies.clear()
    return response


def applicant_session(client: TestClient) -> tuple[str, str]:
    """A web chat session with its token, as the chat page gets it."""
    body = client.post("/api/session").json()
    return body["session_id"], body["token"]
