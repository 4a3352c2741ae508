"""Starts the real three processes (Rasa server, action server, gateway) once for the module,
on free ports and with throw-away databases, exactly as `make run` starts them."""
from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
from stack import Stack, train_if_needed  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Stack:
    work = tmp_path_factory.mktemp("stack")
    running = Stack(
        rasa_port=free_port(),
        action_port=free_port(),
        gateway_port=free_port(),
        log_dir=work / "logs",
        extra_env={
            "DATABASE_URL": f"sqlite:///{work / 'assistant.db'}",
            "RASA_TRACKER_DB": str(work / "tracker.db"),
            "ASSISTANT_TODAY": "2026-11-22",
        },
    )
    running.start(train_if_needed(running.var_dir))
    try:
        running.wait_healthy(timeout=300)
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def db_path(stack: Stack) -> Path:
    return Path(stack.extra_env["DATABASE_URL"].removeprefix("sqlite:///"))
