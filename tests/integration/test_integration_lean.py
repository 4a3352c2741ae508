"""Lean processes (issue 13), checked on the real three processes of the session's stack: the
action server is one process (no Sanic manager importing every action a second time), and
neither it nor the gateway loads torch to serve answers (the offline embedding is numpy)."""
from __future__ import annotations

from pathlib import Path

import httpx
import psutil

from stack import Stack


def loaded_libraries(pid: int) -> set[str]:
    """File names of the shared libraries a process has mapped."""
    lines = Path(f"/proc/{pid}/maps").read_text().splitlines()
    return {Path(line.split()[-1]).name for line in lines if line.split()[-1].endswith(".so") or ".so." in line.split()[-1]}


def test_an_answered_question_needs_one_action_process_and_no_torch(stack: Stack) -> None:
    reply = httpx.post(f"{stack.url}/api/chat", json={"text": "国家5G试点纸质材料寄到哪里"}, timeout=120)
    assert reply.status_code == 200
    assert "花园北路52号" in reply.text  # answered by the action server's knowledge base
    actions = psutil.Process(stack.processes["actions"].pid)
    assert actions.children(recursive=True) == [], "the action server started worker processes"
    for name in ("actions", "gateway"):
        torch_libraries = {lib for lib in loaded_libraries(stack.processes[name].pid) if "torch" in lib}
        assert not torch_libraries, f"{name} loaded torch: {sorted(torch_libraries)}"
