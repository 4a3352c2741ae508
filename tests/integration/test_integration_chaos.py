"""Processes killed with SIGKILL (an out-of-memory kill, a crash) in the middle of a conversation,
then started again the way `make run` starts them: the web chat's page reconnects and nothing is
lost or doubled; a handoff to staff keeps its place and every message of both sides.
(Forms surviving restarts: test_integration_forms.py.)"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from stack import REPO, Stack, throwaway_stack

pytestmark = pytest.mark.integration

APP_PYTHON = REPO / ".venv" / "bin" / "python"
STAFF_PASSWORD = "chaos-test-password"
ANSWER_TIMEOUT = 60.0


@pytest.fixture(scope="module")
def chaos_stack(tmp_path_factory) -> Iterator[Stack]:
    """A stack of its own: these tests kill its processes."""
    work = tmp_path_factory.mktemp("chaos")
    env = {"ASSISTANT_TODAY": "2026-11-22", "EXPORTS_DIR": str(work / "exports"), "HELPDESK_OFFICE_HOURS": "always"}
    with throwaway_stack(work, env) as running:
        yield running


def kill_9(stack: Stack, name: str) -> None:
    process = stack.processes[name]
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def bring_back(stack: Stack, name: str) -> None:
    stack.restart([name])
    stack.wait_healthy()


def new_session(stack: Stack) -> tuple[str, str]:
    response = httpx.post(f"{stack.url}/api/session", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["session_id"], response.json()["token"]


def history(stack: Stack, session_id: str, token: str) -> list[dict]:
    response = httpx.get(f"{stack.url}/api/history", params={"session_id": session_id},
                         headers={"X-Session-Token": token}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["messages"]


class Page:
    """What the chat page (gateway/static/chat.js) does over /ws: `hello` with the last id it has,
    the replay, messages typed meanwhile kept in an outbox until their echo and sent after
    `welcome`; messages are kept by id, so a replayed one is not shown twice."""

    def __init__(self, stack: Stack, session_id: str, token: str) -> None:
        self.url = stack.url.replace("http://", "ws://") + "/ws"
        self.session_id = session_id
        self.token = token
        self.shown: dict[int, dict] = {}
        self.outbox: list[dict] = []
        self.ws: ClientConnection | None = None

    @property
    def last_id(self) -> int:
        return max(self.shown, default=0)

    def connect(self) -> None:
        self.ws = connect(self.url, open_timeout=10)
        self.ws.send(json.dumps({"type": "hello", "session_id": self.session_id, "after": self.last_id, "token": self.token}))
        self.read_until(lambda frame: frame["type"] == "welcome")
        for item in self.outbox:
            self._transmit(item)

    def type(self, client_id: str, text: str) -> None:
        item = {"client_id": client_id, "text": text}
        self.outbox.append(item)
        if self.ws is not None:
            self._transmit(item)

    def _transmit(self, item: dict) -> None:
        assert self.ws is not None
        self.ws.send(json.dumps({"type": "message", **item}))

    def _receive(self, timeout: float) -> dict:
        assert self.ws is not None
        frame = json.loads(self.ws.recv(timeout=timeout))
        if frame["type"] == "message":
            self.shown[frame["id"]] = frame
            self.outbox = [item for item in self.outbox if item["client_id"] != frame.get("client_id")]
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

    def lost_connection(self) -> None:
        """The gateway died: the socket closes (the page then waits and reconnects)."""
        assert self.ws is not None
        with pytest.raises(ConnectionClosed):
            while True:
                self._receive(ANSWER_TIMEOUT)
        self.ws = None

    def answered(self, client_id: str) -> bool:
        ids = [i for i, m in self.shown.items() if m.get("client_id") == client_id]
        return bool(ids) and any(i > ids[0] and m["sender"] == "bot" for i, m in self.shown.items())

    def wait_answered(self, client_id: str) -> None:
        if not self.answered(client_id):
            self.read_until(lambda frame: self.answered(client_id))

    def transcript(self) -> list[tuple[int, str, str]]:
        return [(i, m["sender"], m["text"][:30]) for i, m in sorted(self.shown.items())]


def turns(messages: list[dict]) -> list[tuple[str, list[str]]]:
    """Each user message with the texts of the replies stored after it (before the next one)."""
    result: list[tuple[str, list[str]]] = []
    for message in messages:
        if message["sender"] == "user":
            result.append((message["text"], []))
        elif result:
            result[-1][1].append(message["text"])
    return result


QUESTIONS = {
    "c-1": "上海5G试点纸质材料要交几份",
    "c-2": "国家5G试点纸质材料要交几份",
    "c-3": "智慧医疗专项书面材料交几份",
}


def test_gateway_killed_mid_websocket_conversation_loses_and_doubles_nothing(chaos_stack: Stack):
    session_id, token = new_session(chaos_stack)
    page = Page(chaos_stack, session_id, token)
    page.connect()
    page.type("c-1", QUESTIONS["c-1"])
    page.wait_answered("c-1")

    page.type("c-2", QUESTIONS["c-2"])
    page.read_until(lambda frame: frame.get("client_id") == "c-2")  # stored; the bot is answering ...
    kill_9(chaos_stack, "gateway")  # ... when the gateway dies
    page.lost_connection()
    page.type("c-3", QUESTIONS["c-3"])  # typed while it is down
    bring_back(chaos_stack, "gateway")
    page.connect()
    page.wait_answered("c-3")  # answered after c-2 (one message at a time per conversation)

    stored = history(chaos_stack, session_id, token)
    assert [text for text, _ in turns(stored)] == list(QUESTIONS.values())  # each stored once
    for question, replies in turns(stored):
        assert replies, f"{question!r} was never answered"
        assert len(replies) == len(set(replies)), f"{question!r} answered twice: {replies}"
    assert "六份" in "".join(turns(stored)[0][1]) and "三份" in "".join(turns(stored)[1][1])
    assert sorted(page.shown) == [m["id"] for m in stored]  # the page shows exactly what is stored


class Console:
    """A staff member logged in to the console API (cookie + CSRF token)."""

    def __init__(self, stack: Stack, username: str) -> None:
        self.stack = stack
        response = httpx.post(f"{stack.url}/api/console/login", json={"username": username, "password": STAFF_PASSWORD}, timeout=10)
        assert response.status_code == 200, response.text
        self.cookies = {"shenbao_staff": response.cookies["shenbao_staff"]}
        self.csrf = response.json()["csrf_token"]

    def get(self, path: str) -> dict:
        response = httpx.get(self.stack.url + path, cookies=self.cookies, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    def post(self, path: str, body: dict | None = None) -> dict:
        response = httpx.post(self.stack.url + path, json=body, cookies=self.cookies,
                              headers={"X-CSRF-Token": self.csrf}, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()


class Applicant:
    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.session_id, self.token = new_session(stack)

    def say(self, text: str) -> list[dict]:
        response = httpx.post(f"{self.stack.url}/api/chat", json={"session_id": self.session_id, "text": text},
                              headers={"X-Session-Token": self.token}, timeout=60)
        assert response.status_code == 200, response.text
        return response.json()["messages"]


@pytest.fixture(scope="module")
def console(chaos_stack: Stack) -> Console:
    username = f"chaos{uuid.uuid4().hex[:6]}"
    created = subprocess.run(
        [str(APP_PYTHON), "-m", "gateway.helpdesk.staff", "create", "--username", username, "--display-name", "李老师",
         "--password-stdin"],
        input=STAFF_PASSWORD + "\n", text=True, capture_output=True, cwd=REPO,
        env={**os.environ, **chaos_stack.extra_env}, timeout=60,
    )
    assert created.returncode == 0, created.stderr
    return Console(chaos_stack, username)


def test_a_handoff_survives_kill_9_of_each_process(chaos_stack: Stack, console: Console):
    applicant = Applicant(chaos_stack)
    assert "六份" in applicant.say("上海5G试点纸质材料要交几份")[0]["text"]
    notice = applicant.say("转人工")
    assert "人工客服" in notice[0]["text"], notice
    waiting = [h for h in console.get("/api/console/queue")["waiting"] if h["session_id"] == applicant.session_id]
    assert len(waiting) == 1
    handoff_id = waiting[0]["id"]
    said, replied = ["转人工"], []

    kill_9(chaos_stack, "rasa")  # while it waits in the queue
    said.append("材料可以晚几天交吗？")
    assert "工作人员" in applicant.say(said[-1])[0]["text"]  # the helpdesk answers: Rasa is not asked
    bring_back(chaos_stack, "rasa")
    queue = console.get("/api/console/queue")
    assert [h["id"] for h in queue["waiting"] if h["session_id"] == applicant.session_id] == [handoff_id]

    assert console.post(f"/api/console/handoffs/{handoff_id}/claim")["status"] == "active"

    kill_9(chaos_stack, "actions")  # a person owns the conversation
    said.append("我们单位是三级医院，可以牵头吗？")
    assert applicant.say(said[-1]) == []  # the bot stays silent while staff own it
    replied.append("可以牵头，请准备医院资质证明。")
    assert console.post(f"/api/console/handoffs/{handoff_id}/reply", {"text": replied[-1]})["delivered"] is True
    bring_back(chaos_stack, "actions")

    kill_9(chaos_stack, "gateway")  # still owned
    bring_back(chaos_stack, "gateway")  # the staff's login survives too
    said.append("好的，谢谢，还需要盖章吗？")
    assert applicant.say(said[-1]) == []
    replied.append("需要加盖单位公章。")
    assert console.post(f"/api/console/handoffs/{handoff_id}/reply", {"text": replied[-1]})["delivered"] is True

    detail = console.get(f"/api/console/handoffs/{handoff_id}")
    assert detail["handoff"]["status"] == "active" and detail["handoff"]["staff_name"] == "李老师"
    transcript = [(m["sender"], m["text"]) for m in detail["messages"]]
    for text in said:
        assert transcript.count(("user", text)) == 1, (text, transcript)
    for text in replied:
        assert transcript.count(("staff", text)) == 1, (text, transcript)
    seen_by_applicant = [(m["sender"], m["text"]) for m in history(chaos_stack, applicant.session_id, applicant.token)]
    assert [t for t in seen_by_applicant if t[0] == "staff"] == [("staff", text) for text in replied]
