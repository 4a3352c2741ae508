"""Applicants' phone numbers, e-mails and ID numbers never appear in clear in the gateway's logs."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time

import httpx

from gateway.logging_setup import uvicorn_log_config
from gateway.settings import REPO_ROOT

PHONE = "13812345678"
EMAIL = "zhang.san@example.com"
ID_CARD = "11010519900307123X"


def test_chat_log_masks_phone_email_and_id(client, caplog):
    caplog.set_level(logging.DEBUG, logger="gateway")
    text = f"我的电话{PHONE}，邮箱{EMAIL}，身份证{ID_CARD}"
    assert client.post("/api/chat", json={"session_id": "s1", "text": text}).status_code == 200

    logged = caplog.text + "".join(r.getMessage() for r in caplog.records)
    assert "我的电话" in logged  # the message was logged ...
    assert "138****5678" in logged  # ... masked
    assert PHONE not in logged and EMAIL not in logged and ID_CARD not in logged
    assert "z***@example.com" in logged and "110105********123X" in logged


def test_rasa_error_log_masks_pii(client, servers, caplog):
    def failing(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot send {request.content.decode()}", request=request)

    servers.rasa_handler = failing
    caplog.set_level(logging.INFO)
    client.post("/api/chat", json={"session_id": "s1", "text": f"电话{PHONE}"})
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


def test_uvicorn_handlers_carry_the_masking_filter():
    config = uvicorn_log_config()
    assert config["filters"]["pii"]["()"] == "knowledge.privacy.PiiMaskingFilter"
    assert all("pii" in handler["filters"] for handler in config["handlers"].values())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_python_m_gateway_serves_and_masks_access_log(tmp_path):
    """``python -m gateway`` starts uvicorn on GATEWAY_PORT; its access log masks PII in URLs."""
    port, dead_port = _free_port(), _free_port()
    env = {
        **os.environ,
        "GATEWAY_PORT": str(port),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'db' / 'assistant.db'}",
        "RASA_URL": f"http://127.0.0.1:{dead_port}",
        "ACTION_SERVER_URL": f"http://127.0.0.1:{dead_port}",
        "PRELOAD_KNOWLEDGE": "false",
    }
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
                    health = httpx.get(f"{base}/healthz", timeout=5)
                    break
                except httpx.TransportError:
                    assert process.poll() is None, log_path.read_text()
                    assert time.monotonic() < deadline, "gateway did not start"
                    time.sleep(0.2)
            assert health.status_code == 503
            assert health.json()["detail"] == "Rasa服务、动作服务未响应"
            # requests that fail validation: they never load the knowledge base in the child
            blank = httpx.post(f"{base}/api/chat", json={"session_id": "s1", "text": " "}, timeout=5)
            assert blank.status_code == 422 and blank.json() == {"detail": "消息不能为空"}
            faq = httpx.get(f"{base}/api/faq/search", params={"q": PHONE, "program": "bad"}, timeout=5)
            assert faq.json() == {"detail": "未知的项目：bad"}
        finally:
            process.terminate()
            process.wait(timeout=15)
    output = log_path.read_text(encoding="utf-8")
    assert "/api/faq/search?q=138****5678" in output, output
    assert PHONE not in output
