"""Guessing resume codes through the real stack: the gateway's client key travels through Rasa to
the action server, which locks out a client address (and a conversation) that tried too many.

Each test speaks from its own loopback address (127.0.0.x as the source), so its failures never
lock out the other integration tests, which speak from 127.0.0.1."""
from __future__ import annotations

import re

import httpx
import pytest

pytestmark = pytest.mark.integration

CODE = re.compile(r"填写编号是 ([A-Z0-9]{8})")
LOCKED = "次数过多"


def wrong_code(number: int) -> str:
    """A well-formed code (no 0/1/O/I/L) that is no draft's."""
    return "ZZZZ" + "".join("23456789AB"[int(digit)] for digit in f"{number:04d}")


class Conversation:
    """A conversation opened by its first message, from the loopback address ``source``."""

    def __init__(self, stack, source: str) -> None:
        self.url = f"{stack.url}/api/chat"
        self.http = httpx.Client(transport=httpx.HTTPTransport(local_address=source), timeout=60)
        self.session: str | None = None
        self.token = ""

    def say(self, text: str) -> str:
        body: dict = {"text": text}
        headers = {}
        if self.session is not None:
            body["session_id"], headers["X-Session-Token"] = self.session, self.token
        response = self.http.post(self.url, json=body, headers=headers)
        assert response.status_code == 200, response.text
        if self.session is None:
            self.session, self.token = response.json()["session_id"], response.json()["session_token"]
        return "\n".join(message["text"] for message in response.json()["messages"])


def a_real_code(stack) -> str:
    owner = Conversation(stack, "127.0.0.1")
    return CODE.search(owner.say("项目要延期，帮我填延期申请表")).group(1)


def test_twenty_wrong_codes_from_one_address_lock_it_even_for_a_right_code(stack):
    code = a_real_code(stack)
    for number in range(20):  # a new conversation for every guess, as a script would
        said = Conversation(stack, "127.0.0.5").say(f"继续填写 {wrong_code(number)}")
        assert "没有找到编号" in said, said

    refused = Conversation(stack, "127.0.0.5").say(f"继续填写 {code}")

    assert LOCKED in refused and "已找到编号" not in refused
    assert "已找到编号" in Conversation(stack, "127.0.0.6").say(f"继续填写 {code}")  # other addresses are not


def test_five_wrong_codes_in_one_conversation_lock_it(stack):
    code = a_real_code(stack)
    guesser = Conversation(stack, "127.0.0.7")
    for number in range(5):
        assert "没有找到编号" in guesser.say(f"继续填写 {wrong_code(100 + number)}")

    assert LOCKED in guesser.say(f"继续填写 {code}")


def test_no_process_logs_a_resume_code(stack):
    code = a_real_code(stack)
    Conversation(stack, "127.0.0.8").say(f"继续填写 {code.lower()}")
    Conversation(stack, "127.0.0.8").say(f"继续填写 {wrong_code(200)}")

    logs = {path.name: path.read_text(errors="replace") for path in stack.log_dir.glob("*") if path.is_file()}
    assert logs, "the stack writes logs"
    for name, text in logs.items():
        assert code not in text.upper(), f"{name} shows the code {code}"
        assert wrong_code(200) not in text, f"{name} shows a tried code"
