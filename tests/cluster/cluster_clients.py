"""What the cluster tests use to talk to it: applicants over HTTP (with Idempotency-Key and one
retry, as a careful API client does), the chat page over /ws, a staff member's console, and
signed WeChat requests."""
from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable

import httpx
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

ANSWER_TIMEOUT = 90.0
RETRYABLE = (502, 503, 504, 409)


def new_session(base_url: str) -> tuple[str, str]:
    response = httpx.post(f"{base_url}/api/session", timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["session_id"], response.json()["token"]


def history(base_url: str, session_id: str, token: str) -> list[dict]:
    response = httpx.get(f"{base_url}/api/history", params={"session_id": session_id},
                         headers={"X-Session-Token": token}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["messages"]


def turns(messages: list[dict]) -> list[tuple[str, list[str]]]:
    """Each user message with the texts of the replies stored after it (before the next one)."""
    result: list[tuple[str, list[str]]] = []
    for message in messages:
        if message["sender"] == "user":
            result.append((message["text"], []))
        elif result:
            result[-1][1].append(message["text"])
    return result


class ApiApplicant:
    """An API client: every message carries a fresh Idempotency-Key; after a dropped connection or
    a 5xx/409 it retries once (after a pause) with the same key, as the README tells clients to."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session_id, self.token = new_session(base_url)
        self.retries = 0

    def post(self, text: str, key: str, base_url: str | None = None) -> httpx.Response:
        return httpx.post(f"{base_url or self.base_url}/api/chat", json={"session_id": self.session_id, "text": text},
                          headers={"X-Session-Token": self.token, "Idempotency-Key": key}, timeout=ANSWER_TIMEOUT)

    def say(self, text: str, base_url: str | None = None, retry_pause: float = 4.0) -> list[dict]:
        key = uuid.uuid4().hex
        try:
            response = self.post(text, key, base_url)
            if response.status_code not in RETRYABLE:
                assert response.status_code == 200, response.text
                return response.json()["messages"]
        except httpx.TransportError:
            pass
        self.retries += 1
        time.sleep(retry_pause)  # a killed gateway's lease on the key runs out meanwhile
        response = self.post(text, key, base_url)
        assert response.status_code == 200, response.text
        return response.json()["messages"]

    def history(self) -> list[dict]:
        return history(self.base_url, self.session_id, self.token)


class Page:
    """The chat page (gateway/static/chat.js) over /ws: `hello` with the last id it has, then the
    replay; messages are kept by id, so a replayed one is not shown twice."""

    def __init__(self, base_url: str, session_id: str, token: str) -> None:
        self.url = base_url.replace("http://", "ws://") + "/ws"
        self.session_id = session_id
        self.token = token
        self.shown: dict[int, dict] = {}
        self.ws: ClientConnection | None = None

    @property
    def last_id(self) -> int:
        return max(self.shown, default=0)

    def connect(self) -> None:
        self.ws = connect(self.url, open_timeout=30)
        self.ws.send(json.dumps({"type": "hello", "session_id": self.session_id, "after": self.last_id, "token": self.token}))
        self.read_until(lambda frame: frame["type"] == "welcome")

    def send(self, client_id: str, text: str) -> None:
        assert self.ws is not None
        self.ws.send(json.dumps({"type": "message", "client_id": client_id, "text": text}))

    def _receive(self, timeout: float) -> dict:
        assert self.ws is not None
        frame = json.loads(self.ws.recv(timeout=timeout))
        if frame["type"] == "message":
            self.shown[frame["id"]] = frame
        assert frame["type"] != "error", frame
        return frame

    def read_until(self, done: Callable[[dict], bool], timeout: float = ANSWER_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"waited {timeout:.0f}s; the page shows {self.transcript()}")
            try:
                if done(self._receive(left)):
                    return
            except TimeoutError:
                continue

    def connection_lost(self, timeout: float = 10.0) -> bool:
        """Whether the socket is closed (the gateway holding it died) within `timeout`."""
        assert self.ws is not None
        try:
            while True:
                self._receive(timeout)
        except ConnectionClosed:
            self.ws = None
            return True
        except TimeoutError:
            return False

    def answered(self, text: str) -> bool:
        """The page shows the user's `text` and a reply after it."""
        asked = [i for i, m in self.shown.items() if m["sender"] == "user" and m["text"] == text]
        return bool(asked) and any(i > asked[-1] and m["sender"] == "bot" for i, m in self.shown.items())

    def transcript(self) -> list[tuple[int, str, str]]:
        return [(i, m["sender"], m["text"][:30]) for i, m in sorted(self.shown.items())]

    def close(self) -> None:
        if self.ws is not None:
            self.ws.close()
            self.ws = None


class Console:
    """A staff member logged in to the console API (cookie + CSRF token), through any entry point."""

    def __init__(self, base_url: str, username: str, password: str) -> None:
        response = httpx.post(f"{base_url}/api/console/login", json={"username": username, "password": password}, timeout=30)
        assert response.status_code == 200, response.text
        self.cookies = {"shenbao_staff": response.cookies["shenbao_staff"]}
        self.csrf = response.json()["csrf_token"]

    def get(self, base_url: str, path: str) -> dict:
        response = httpx.get(base_url + path, cookies=self.cookies, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    def post(self, base_url: str, path: str, body: dict | None = None) -> dict:
        response = httpx.post(base_url + path, json=body, cookies=self.cookies, headers={"X-CSRF-Token": self.csrf}, timeout=60)
        assert response.status_code == 200, response.text
        return response.json()
