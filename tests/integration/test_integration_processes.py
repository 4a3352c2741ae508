"""`make run` (scripts/stack.py run) as an operator sees it: what listens where, how it stops when
signalled (Ctrl-C, `kill`, `kill` of the process group, a service manager, make forwarding the
signal — often two in quick succession) and how it refuses to start on ports that are taken."""
from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest

from stack import REPO, Stack, free_port, train_if_needed

pytestmark = pytest.mark.integration

APP_PYTHON = REPO / ".venv" / "bin" / "python"
READY = "assistant ready"
START_TIMEOUT = 240.0
STOP_TIMEOUT = 60.0
REFUSE_TIMEOUT = 60.0


def listening_addresses(processes: list[psutil.Process]) -> set[tuple[str, int, str]]:
    """(address, port, process name) of every listening TCP socket of these processes."""
    found = set()
    for process in processes:
        try:
            for connection in process.net_connections(kind="inet"):
                if connection.status == psutil.CONN_LISTEN:
                    found.add((connection.laddr.ip, connection.laddr.port, process.name()))
        except psutil.NoSuchProcess:
            continue
    return found


def process_tree(pid: int) -> list[psutil.Process]:
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def test_rasa_and_the_action_server_listen_on_loopback_only(stack: Stack):
    """The action server's endpoints are unauthenticated: nothing but the gateway may be reachable
    from another machine, and the gateway is on 127.0.0.1 unless GATEWAY_HOST says otherwise."""
    processes = [p for process in stack.processes.values() for p in process_tree(process.pid)]

    listening = listening_addresses(processes)

    ports = {port for _, port, _ in listening}
    assert {stack.rasa_port, stack.action_port, stack.gateway_port} <= ports, listening
    exposed = {entry for entry in listening if entry[0] != "127.0.0.1"}
    assert not exposed, f"listening beyond loopback: {exposed}"


@dataclass
class MakeRun:
    """`python scripts/stack.py run` in its own process group, as `make run` starts it."""

    process: subprocess.Popen
    ports: dict[str, int]
    lines: queue.Queue[str]
    output: list[str]
    seen: list[psutil.Process] = field(default_factory=list)

    def started_processes(self) -> list[psutil.Process]:
        """Every process it started, children of children included (remembered for the clean-up)."""
        self.seen = process_tree(self.process.pid)[1:]
        return self.seen

    def wait_for(self, needle: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    return False
                continue
            if needle in line:
                return True
        return False

    @property
    def text(self) -> str:
        return "".join(self.output)


@pytest.fixture(scope="module")
def trained_models() -> Path:
    """The repository's trained models (nothing is retrained for these tests)."""
    train_if_needed(REPO / "var")
    return REPO / "var" / "models"


@pytest.fixture
def make_run(tmp_path: Path, trained_models: Path) -> Iterator[Callable[..., MakeRun]]:
    started: list[MakeRun] = []

    def start(ports: dict[str, int] | None = None) -> MakeRun:
        var_dir = tmp_path / "var"
        var_dir.mkdir(exist_ok=True)
        if not (var_dir / "models").exists():
            (var_dir / "models").symlink_to(trained_models)
        ports = ports or {"GATEWAY_PORT": free_port(), "RASA_PORT": free_port(), "ACTION_PORT": free_port()}
        env = {
            **os.environ,
            **{name: str(port) for name, port in ports.items()},
            "VAR_DIR": str(var_dir),
            "DATABASE_URL": f"sqlite:///{var_dir / 'db' / 'assistant.db'}",
            "RASA_TRACKER_DB": str(var_dir / "db" / "tracker.db"),
            "EXPORTS_DIR": str(var_dir / "exports"),
            "PYTHONUNBUFFERED": "1",
        }
        process = subprocess.Popen(
            [str(APP_PYTHON), str(REPO / "scripts" / "stack.py"), "run"], cwd=REPO, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        )
        run = MakeRun(process, ports, queue.Queue(), [])

        def read() -> None:
            for line in process.stdout:
                run.output.append(line)
                run.lines.put(line)

        threading.Thread(target=read, daemon=True).start()
        started.append(run)
        return run

    yield start
    for run in started:  # whatever a failing test left behind, orphans included
        remaining = run.seen + (process_tree(run.process.pid) if run.process.poll() is None else [])
        for process in remaining:
            try:
                process.kill()
            except psutil.NoSuchProcess:
                pass
        run.process.wait(timeout=30)


def alive(processes: list[psutil.Process]) -> list[str]:
    _, still = psutil.wait_procs(processes, timeout=10)
    described = []
    for process in still:
        try:
            if process.status() != psutil.STATUS_ZOMBIE:
                described.append(f"{process.pid} {' '.join(process.cmdline()[:4])}")
        except psutil.NoSuchProcess:
            pass
    return described


# One start, stopped the hardest way seen in practice: Ctrl-C reaches the whole process group
# (every child gets SIGINT at once), then a service manager or make sends SIGTERM to make run
# while it is still stopping. (Each signal alone takes the same handler; starting a stack per
# signal kind would only cost CI time.)
def test_repeated_signals_to_the_group_and_to_make_run_end_every_process_and_free_the_ports(make_run):
    run = make_run()
    assert run.wait_for(READY, START_TIMEOUT), run.text
    started = run.started_processes()
    assert len(started) >= 3, started  # Rasa, the action server and the gateway (and their children)

    os.killpg(run.process.pid, signal.SIGINT)
    time.sleep(0.3)  # the second one arrives while it is stopping
    os.kill(run.process.pid, signal.SIGTERM)
    time.sleep(0.3)
    os.kill(run.process.pid, signal.SIGTERM)

    run.process.wait(timeout=STOP_TIMEOUT)
    assert alive(started) == [], run.text
    taken = [name for name, port in run.ports.items() if not port_is_free(port)]
    assert taken == [], run.text


@pytest.mark.parametrize("taken_name", ["GATEWAY_PORT", "RASA_PORT", "ACTION_PORT"])
def test_start_refuses_with_a_clear_message_when_a_port_is_taken(make_run, taken_name):
    with socket.socket() as occupant:
        occupant.bind(("127.0.0.1", 0))
        occupant.listen()
        port = occupant.getsockname()[1]
        ports = {"GATEWAY_PORT": free_port(), "RASA_PORT": free_port(), "ACTION_PORT": free_port(), taken_name: port}

        run = make_run(ports)
        code = run.process.wait(timeout=REFUSE_TIMEOUT)

    assert code != 0
    assert f"端口 {port} 已被占用" in run.text and taken_name in run.text, run.text
    assert READY not in run.text
