"""Fixtures for the WeChat connector tests: the gateway app on a tmp SQLite database with the
fake Rasa of tests/gateway/gateway_fakes.py (optionally slow), the stand-in WeChat API on
loopback, and a WeChat server that signs (and encrypts) what it posts."""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "gateway"))

from gateway.app import create_app  # noqa: E402
from gateway.settings import Settings  # noqa: E402
from gateway_fakes import ACTIONS_URL, RASA_URL, FakeKnowledge, FakeServers  # noqa: E402
from wechat_fakes import AES_KEY, APP_ID, APP_SECRET, REPLY_BUDGET_SECONDS, TOKEN, StandInWeChatApi, WeChatServer  # noqa: E402


class SlowServers(FakeServers):
    """FakeServers whose Rasa takes ``rasa_delay`` seconds to answer, or holds its answer until
    ``rasa_gate`` is set (without blocking the loop); ``rasa_started`` counts the turns begun."""

    def __init__(self) -> None:
        super().__init__()
        self.rasa_delay = 0.0
        self.rasa_gate: threading.Event | None = None
        self.rasa_started = 0

    async def handle_async(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/webhooks/rest/webhook":
            self.rasa_started += 1
            if self.rasa_delay:
                await asyncio.sleep(self.rasa_delay)
            gate = self.rasa_gate
            while gate is not None and not gate.is_set():
                await asyncio.sleep(0.01)
        return self.handle(request)


@pytest.fixture(scope="session")
def wechat_api() -> Iterator[StandInWeChatApi]:
    server = StandInWeChatApi().start()
    yield server
    server.stop()


@pytest.fixture
def standin(wechat_api: StandInWeChatApi) -> StandInWeChatApi:
    """The stand-in, emptied for this test."""
    with wechat_api._lock:
        wechat_api.sent.clear()
        wechat_api.token_requests.clear()
        wechat_api.valid_tokens.clear()
        wechat_api.refuse_with = None
    return wechat_api


@pytest.fixture
def settings(tmp_path, standin: StandInWeChatApi) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'db' / 'assistant.db'}",
        rasa_url=RASA_URL,
        action_server_url=ACTIONS_URL,
        preload_knowledge=False,
        rasa_timeout_seconds=5,
        max_message_chars=50,
        wechat_token=TOKEN,
        wechat_app_id=APP_ID,
        wechat_app_secret=APP_SECRET,
        wechat_encoding_aes_key=AES_KEY,
        wechat_api_base_url=standin.url,
        wechat_reply_budget_seconds=REPLY_BUDGET_SECONDS,
        wechat_public_base_url="https://zixun.example.gov.cn",
    )


@pytest.fixture
def servers() -> SlowServers:
    return SlowServers()


def make_app(settings: Settings, servers: SlowServers) -> FastAPI:
    return create_app(settings, transport=httpx.MockTransport(servers.handle_async), knowledge_loader=FakeKnowledge)


@pytest.fixture
def app(settings: Settings, servers: SlowServers) -> FastAPI:
    return make_app(settings, servers)


@pytest.fixture
def new_app(settings: Settings, servers: SlowServers) -> Callable[[], FastAPI]:
    """Another gateway on the same database (a restart, or a second process)."""
    return lambda: make_app(settings, servers)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def wechat(client: TestClient) -> WeChatServer:
    """Posts plain-mode messages (signed with the token)."""
    return WeChatServer(client)


@pytest.fixture
def wechat_aes(client: TestClient) -> WeChatServer:
    """Posts safe-mode messages (AES-encrypted, msg_signature)."""
    return WeChatServer(client, aes=True)
