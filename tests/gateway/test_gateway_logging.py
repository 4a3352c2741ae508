"""Applicants' phone numbers, e-mails, ID numbers and credit codes never appear in clear in the
gateway's logs, on any channel (chat, WebSocket, WeChat, FAQ search), nor WeChat's signatures."""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import subprocess
import sys
import time
from urllib.parse import quote

import httpx
import pytest

from gateway.logging_setup import loggable_request_path, uvicorn_log_config
from gateway.settings import REPO_ROOT
from knowledge.privacy import MASKING_FAILED

PHONE = "13812345678"
FULL_WIDTH_PHONE = "１３９１２３４５６７８"
EMAIL = "zhang.san@example.com"
ID_CARD = "11010519901345123X"  # month 13: not a real date, still someone's number
CREDIT_CODE = "91310000MA1FL1234X"
PERSONAL = (PHONE, "13912345678", FULL_WIDTH_PHONE, EMAIL, ID_CARD, CREDIT_CODE, quote(EMAIL), "zhang.san%40")
TEXT = f"我的电话{PHONE}或{FULL_WIDTH_PHONE}，邮箱{EMAIL}，身份证{ID_CARD}，信用代码{CREDIT_CODE}"


def assert_no_personal_data(logged: str) -> None:
    leaked = [value for value in PERSONAL if value.lower() in logged.lower()]
    assert not leaked, f"{leaked} in the log:\n{logged}"


def log_everything(caplog) -> None:
    for name in (None, "gateway", "connectors"):
        caplog.set_level(logging.DEBUG, logger=name)


def logged_text(caplog) -> str:
    return caplog.text + "".join(record.getMessage() for record in caplog.records)


def test_chat_log_masks_every_kind_of_personal_data(client, caplog):
    log_everything(caplog)
    assert client.post("/api/chat", json={"text": TEXT}).status_code == 200

    logged = logged_text(caplog)
    assert "我的电话" in logged  # the message was logged (at DEBUG) ...
    assert "138****5678" in logged and "139****5678" in logged  # ... masked
    assert "z***@example.com" in logged and "110105********123X" in logged and "913100********234X" in logged
    assert_no_personal_data(logged)


def test_websocket_log_masks_personal_data(client, caplog):
    log_everything(caplog)
    session = client.post("/api/session", json={}).json()
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "hello", "session_id": session["session_id"], "token": session["token"], "after": 0})
        assert ws.receive_json()["type"] == "welcome"
        ws.send_json({"type": "message", "client_id": "c-1", "text": TEXT})
        assert ws.receive_json()["sender"] == "user"
        assert ws.receive_json()["sender"] == "bot"
    logged = logged_text(caplog)
    assert "138****5678" in logged
    assert_no_personal_data(logged)


def test_rasa_error_log_masks_pii(client, servers, caplog):
    def failing(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot send {request.content.decode()}", request=request)

    servers.rasa_handler = failing
    caplog.set_level(logging.INFO)
    client.post("/api/chat", json={"text": f"电话{PHONE}"})
    assert "Rasa unavailable" in caplog.text
    assert PHONE not in caplog.text and "138****5678" in caplog.text


def test_any_logger_and_exception_text_are_masked(client, caplog):
    caplog.set_level(logging.INFO)
    other = logging.getLogger("some.library")
    other.info("user %s wrote", PHONE)
    other.info("number as int %d", 13812345678)
    try:
        raise ValueError(f"bad phone {PHONE}")
    except ValueError:
        other.exception("failed")
    assert PHONE not in caplog.text
    assert caplog.text.count("138****5678") == 3


class _Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("broken __str__")


def test_a_record_that_cannot_be_masked_is_hidden_not_logged_raw(client, caplog):
    caplog.set_level(logging.INFO)
    logging.getLogger("some.library").warning("user %s said %s", PHONE, _Unprintable())
    assert MASKING_FAILED in caplog.text
    assert PHONE not in caplog.text


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/wechat?signature=5f3a&timestamp=1700000000&nonce=n1&echostr=hello",
         "/wechat?signature=***&timestamp=1700000000&nonce=***&echostr=***"),
        ("/wechat?msg_signature=77&encrypt_type=aes&openid=oUser", "/wechat?msg_signature=***&encrypt_type=aes&openid=***"),
        ("/api/faq/search?q=%E6%9D%90%E6%96%99&program=nat5g&top_k=3", "/api/faq/search?q=***&program=nat5g&top_k=3"),
        ("/?q=怎么申报&flag", "/?q=***&***"),
        ("/files/Zx9-abc_DEF/申报书.docx", "/files/***/申报书.docx"),
        ("/api/history?session_id=web-1&after=4", "/api/history?session_id=***&after=4"),
        ("/healthz", "/healthz"),
    ],
)
def test_request_paths_in_logs_keep_only_harmless_query_values(path, logged):
    assert loggable_request_path(path) == logged


def test_uvicorn_handlers_carry_the_masking_filters():
    config = uvicorn_log_config()
    assert config["filters"]["pii"]["()"] == "knowledge.privacy.PiiMaskingFilter"
    assert all({"pii", "request_path"} <= set(handler["filters"]) for handler in config["handlers"].values())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _signed(token: str, timestamp: str, nonce: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()


def test_python_m_gateway_access_log_shows_no_personal_data_or_wechat_secrets(tmp_path):
    """``python -m gateway`` as deployed: uvicorn's access log (and everything else it prints)
    after FAQ searches, history reads, a page link and WeChat's signed callbacks."""
    port, dead_port = _free_port(), _free_port()
    wechat_token = "log-test-token"
    env = {
        **os.environ,
        "GATEWAY_PORT": str(port),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'db' / 'assistant.db'}",
        "RASA_URL": f"http://127.0.0.1:{dead_port}",
        "ACTION_SERVER_URL": f"http://127.0.0.1:{dead_port}",
        "PRELOAD_KNOWLEDGE": "false",
        "WECHAT_TOKEN": wechat_token,
        "RASA_TIMEOUT_SECONDS": "1",
    }
    timestamp, nonce, echostr = str(int(time.time())), "nonce4711", "echo-secret-8842"
    signature = _signed(wechat_token, timestamp, nonce)
    wechat_query = f"signature={signature}&timestamp={timestamp}&nonce={nonce}"
    message = (
        f"<xml><ToUserName>gh_demo</ToUserName><FromUserName>oLogUser</FromUserName><CreateTime>{timestamp}"
        f"</CreateTime><MsgType>text</MsgType><Content>{TEXT}</Content><MsgId>{timestamp}1</MsgId></xml>"
    )
    log_path = tmp_path / "gateway.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway"], cwd=REPO_ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(f"{base}/healthz", timeout=5)
                    break
                except httpx.TransportError:
                    assert process.poll() is None, log_path.read_text()
                    assert time.monotonic() < deadline, "gateway did not start"
                    time.sleep(0.2)
            with httpx.Client(base_url=base, timeout=10) as http:
                http.get("/api/faq/search", params={"q": f"邮箱{EMAIL}信用代码{CREDIT_CODE}", "program": "bad"})
                http.get(f"/api/faq/search?q={quote(PHONE)}%20{quote(FULL_WIDTH_PHONE)}&program=bad")
                http.get("/api/history", params={"session_id": PHONE, "after": 0})
                http.get(f"/?q={quote(ID_CARD)}")
                http.get(f"/wechat?{wechat_query}&echostr={echostr}")
                http.post(f"/wechat?{wechat_query}&openid=oLogUser", content=message.encode())
                http.get("/api/history", params={"session_id": "wx-oLogUser", "token": "tok-secret-1"})
        finally:
            process.terminate()
            process.wait(timeout=15)
    output = log_path.read_text(encoding="utf-8")
    assert '"GET /wechat?signature=***&timestamp=' in output, output
    assert "/api/faq/search?q=***&program=bad" in output, output
    for secret in (signature, nonce, echostr, "tok-secret-1", "oLogUser&"):
        assert secret not in output, f"{secret} in the log:\n{output}"
    assert_no_personal_data(output)
