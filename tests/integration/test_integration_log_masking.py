"""The real three processes, started as `make run` starts them (at DEBUG, the most talkative level):
what applicants type reaches no log in clear, neither the gateway's nor Rasa's (which writes the
raw text of messages it cannot parse) nor the action server's."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from stack import Stack, throwaway_stack

pytestmark = pytest.mark.integration

PHONE, FULL_WIDTH_PHONE = "13812345678", "１３９１２３４５６７８"
EMAIL = "zhang.san@example.com"
ID_CARD = "11010519901345123X"
CREDIT_CODE = "91310000MA1FL1234X"
PERSONAL = (PHONE, "13912345678", FULL_WIDTH_PHONE, EMAIL, quote(EMAIL), ID_CARD, CREDIT_CODE)

# Each reaches a different place where Rasa logs the text it got.
MESSAGES = (
    f"/{PHONE}",  # an intent the domain does not know: Rasa warns with its name
    f'/ask_deadline{{"phone": "{PHONE}", "email": "{EMAIL}"}} trailing',  # arguments Rasa cannot parse
    f"/ask_deadline{{broken {ID_CARD}",
    f"我的电话{FULL_WIDTH_PHONE}，邮箱{EMAIL}，身份证{ID_CARD}，统一社会信用代码{CREDIT_CODE}",
)


@pytest.fixture(scope="module")
def logged_stack(tmp_path_factory) -> Stack:
    work = tmp_path_factory.mktemp("log-masking")
    with throwaway_stack(work, {"LOG_LEVEL": "DEBUG", "ASSISTANT_TODAY": "2026-11-22",
                                "EXPORTS_DIR": str(work / "exports")}) as running:
        _send_everything(running)
        yield running


def _send_everything(stack: Stack) -> None:
    with httpx.Client(timeout=60) as http:
        first = http.post(f"{stack.url}/api/chat", json={"text": "你好"}).json()
        headers = {"X-Session-Token": first.get("session_token") or ""}
        for text in MESSAGES:
            http.post(f"{stack.url}/api/chat", json={"session_id": first["session_id"], "text": text}, headers=headers)
            http.post(f"http://127.0.0.1:{stack.rasa_port}/webhooks/rest/webhook",
                      json={"sender": "log-test", "message": text})
        http.get(f"{stack.url}/api/faq/search", params={"q": f"邮箱{EMAIL}电话{PHONE}", "top_k": 1})
        # the action server logs the name of an action it does not have
        http.post(f"http://127.0.0.1:{stack.action_port}/webhook",
                  json={"next_action": f"action {PHONE} {EMAIL}", "sender_id": "log-test",
                        "tracker": {"sender_id": "log-test", "slots": {}, "latest_message": {"text": PHONE},
                                    "events": [], "paused": False, "followup_action": None, "active_loop": {},
                                    "latest_action_name": None},
                        "domain": {}, "version": "3.6.2"})


def _log(stack: Stack, name: str) -> str:
    assert stack.log_dir is not None
    return Path(stack.log_dir / f"{name}.log").read_text(encoding="utf-8", errors="replace")


@pytest.mark.parametrize("process", ["rasa", "actions", "gateway"])
def test_no_personal_data_in_the_log(logged_stack: Stack, process: str):
    log = _log(logged_stack, process)
    decoded = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), log)  # JSON-escaped text too
    leaked = [value for value in PERSONAL if value in log or value in decoded]
    assert not leaked, f"{leaked} in {process}.log"


def test_the_logs_still_say_what_happened(logged_stack: Stack):
    """Masked, not silenced: the records that carried the text are there with it masked."""
    rasa = _log(logged_stack, "rasa")
    assert "Failed to parse arguments in line '/138****5678'" in rasa
    assert "z***@example.com" in rasa
    actions = _log(logged_stack, "actions")
    assert "138****5678" in actions and "z***@example.com" in actions
    gateway = _log(logged_stack, "gateway")
    assert "/api/faq/search?q=***&top_k=1" in gateway
