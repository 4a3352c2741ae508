"""Starts the real three processes (Rasa server, action server, gateway) once for the session,
on free ports and with throw-away databases, exactly as `make run` starts them."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
from stack import Stack, throwaway_stack  # noqa: E402


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Stack:
    work = tmp_path_factory.mktemp("stack")
    with throwaway_stack(work, {"ASSISTANT_TODAY": "2026-11-22", "EXPORTS_DIR": str(work / "exports"), "WECHAT_TOKEN": "integration-token"}) as running:
        yield running


@pytest.fixture(scope="session")
def db_path(stack: Stack) -> Path:
    return Path(stack.extra_env["DATABASE_URL"].removeprefix("sqlite:///"))
