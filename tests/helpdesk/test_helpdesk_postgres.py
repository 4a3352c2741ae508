"""The helpdesk on a real PostgreSQL server (started by the ``postgres`` fixture): the main
flows again on PostgreSQL, and two gateway processes sharing one database, where a staff
member on one process serves an applicant connected to the other (LISTEN/NOTIFY fan-out)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from pg_server import PostgresServer, free_port
from test_helpdesk_auth import test_wrong_password_locks_the_account_after_repeated_failures as test_pg_lockout  # noqa: F401
from test_helpdesk_faq_and_actions import test_staff_entry_is_searched_first_at_once as test_pg_staff_faq  # noqa: F401
from test_helpdesk_flow import test_escalate_claim_reply_both_ways_hand_back_and_rate as test_pg_flow  # noqa: F401
from test_helpdesk_flow import test_restart_in_the_middle_of_a_handoff_keeps_it as test_pg_restart  # noqa: F401
from test_helpdesk_queue import test_nobody_online_means_leaving_a_message_that_waits_for_staff as test_pg_message  # noqa: F401
from test_helpdesk_queue import test_two_staff_cannot_claim_the_same_conversation as test_pg_claims  # noqa: F401

REPO = Path(__file__).resolve().parents[2]
PYTHON = str(REPO / ".venv" / "bin" / "python")
PASSWORD = "two-process-password"


@pytest.fixture
def db_url(postgres: PostgresServer) -> str:
    """Every test of this module (also those imported above) runs on a fresh PostgreSQL database."""
    return postgres.new_database()


def test_the_database_really_is_postgresql(client, db_url):
    assert db_url.startswith("postgresql+psycopg://")
    store = client.app.state.store
    assert store.engine.dialect.name == "postgresql"
    assert type(client.app.state.helpdesk.bus).__name__ == "PostgresBus"


# --- two gateway processes on one database -------------------------------------------------------


class FakeRasa(BaseHTTPRequestHandler):
    """Rasa's REST channel: "转人工" gets action_request_human's messages, the rest an echo."""

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        if body["message"] == "转人工":
            reply = [{"text": "好的，转人工请求已记录。"}, {"custom": {"handoff": {"reason": "user_request"}}}]
        else:
            reply = [{"text": f"答：{body['message']}"}]
        data = json.dumps(reply, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:  # quiet
        pass


@pytest.fixture
def fake_rasa_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeRasa)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def wait_ready(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gateway exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(f"{url}/api/config", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"gateway at {url} not ready:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture
def two_gateways(postgres: PostgresServer, fake_rasa_url: str, tmp_path) -> Iterator[tuple[str, str, str]]:
    url = postgres.new_database()
    env = {**os.environ, "DATABASE_URL": url, "RASA_URL": fake_rasa_url, "ACTION_SERVER_URL": fake_rasa_url,
           "PRELOAD_KNOWLEDGE": "false", "HELPDESK_OFFICE_HOURS": "always", "PYTHONUNBUFFERED": "1",
           "RASA_TRACKER_DB": str(tmp_path / "none.db")}
    subprocess.run([PYTHON, "-m", "persistence.database"], env=env, cwd=REPO, check=True, capture_output=True)
    subprocess.run([PYTHON, "-m", "gateway.helpdesk.staff", "create", "--username", "li", "--display-name", "李老师",
                    "--password-stdin"], input=f"{PASSWORD}\n", text=True, env=env, cwd=REPO, check=True, capture_output=True)
    processes, urls = [], []
    try:
        for name in ("a", "b"):
            port = free_port()
            log = tmp_path / f"gateway-{name}.log"
            processes.append(subprocess.Popen([PYTHON, "-m", "gateway"], cwd=REPO, env={**env, "GATEWAY_PORT": str(port)},
                                              stdout=open(log, "wb"), stderr=subprocess.STDOUT))
            urls.append(f"http://127.0.0.1:{port}")
            wait_ready(urls[-1], processes[-1], log)
        yield urls[0], urls[1], url
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def next_frame(ws: ClientConnection, kind: str | None = None, timeout: float = 10) -> dict:
    """The next frame (of type ``kind``, skipping others)."""
    deadline = time.monotonic() + timeout
    while True:
        frame = json.loads(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
        if kind is None or frame.get("type") == kind:
            return frame


def test_a_staff_reply_on_one_process_reaches_the_applicant_on_the_other(two_gateways):
    gateway_a, gateway_b, _ = two_gateways
    session = httpx.post(f"{gateway_a}/api/session", timeout=10).json()

    staff = httpx.Client(base_url=gateway_b, timeout=10)
    login = staff.post("/api/console/login", json={"username": "li", "password": PASSWORD})
    assert login.status_code == 200, login.text
    csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
    cookie = f"shenbao_staff={login.cookies['shenbao_staff']}"

    with connect(f"{gateway_b.replace('http', 'ws')}/ws/console", additional_headers={"Cookie": cookie}) as console, \
         connect(f"{gateway_a.replace('http', 'ws')}/ws") as applicant:
        assert next_frame(console)["type"] == "hello"  # the staff member is online (on process b)
        applicant.send(json.dumps({"type": "hello", "session_id": session["session_id"], "after": 0, "token": session["token"]}))
        next_frame(applicant, "welcome")

        applicant.send(json.dumps({"type": "message", "client_id": "c-1", "text": "转人工"}))
        notice = next_frame(applicant, "message")
        while notice["sender"] == "user":
            notice = next_frame(applicant, "message")
        assert "已为您转接人工客服，当前排队第1位" in notice["text"]
        next_frame(console, "queue")  # announced to the console on the other process

        waiting = staff.get("/api/console/queue").json()["waiting"]
        assert [h["session_id"] for h in waiting] == [session["session_id"]]
        assert staff.post(f"/api/console/handoffs/{waiting[0]['id']}/claim", headers=csrf).status_code == 200
        joined = next_frame(applicant, "message")
        assert joined["sender"] == "system" and joined["text"].startswith("工作人员李老师已接入")

        reply = staff.post(f"/api/console/handoffs/{waiting[0]['id']}/reply", headers=csrf, json={"text": "您好，请讲。"})
        assert reply.json() == {"delivered": True}
        answer = next_frame(applicant, "message")
        assert (answer["sender"], answer["text"]) == ("staff", "您好，请讲。")

        applicant.send(json.dumps({"type": "message", "client_id": "c-2", "text": "我的问题是材料份数"}))
        assert next_frame(applicant, "message")["text"] == "我的问题是材料份数"
        assert next_frame(console, "messages") == {"type": "messages", "session_id": session["session_id"]}
        messages = staff.get(f"/api/console/handoffs/{waiting[0]['id']}/messages").json()["messages"]
        assert messages[-1]["text"] == "我的问题是材料份数"
        with pytest.raises(TimeoutError):  # the bot stays silent
            next_frame(applicant, "message", timeout=1)
    staff.close()
