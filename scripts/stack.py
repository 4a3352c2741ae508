"""Trains the Rasa model when bot/ or data/ changed, and starts/stops the three processes.

    python scripts/stack.py train     # train only if needed
    python scripts/stack.py run       # train if needed, start everything, print the URL; Ctrl-C stops all

Integration tests and benchmarks use `Stack` so they start the processes exactly as a user does."""
from __future__ import annotations

import hashlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from types import FrameType
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
RASA_BIN = REPO / ".venv-rasa" / "bin" / "rasa"
APP_PYTHON = REPO / ".venv" / "bin" / "python"
TRAINING_INPUTS = ("bot", "data", "knowledge/data/jieba")
# Rasa and the action server answer only the gateway (the action server's endpoints have no
# authentication): they listen on loopback; only the gateway's address is a setting (GATEWAY_HOST).
INTERNAL_HOST = "127.0.0.1"
STOP_GRACE_SECONDS = 15.0


def training_hash() -> str:
    digest = hashlib.sha256()
    for top in TRAINING_INPUTS:
        for path in sorted((REPO / top).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(REPO)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def model_path(var_dir: Path) -> Path:
    return var_dir / "models" / "rasa" / f"model-{training_hash()}.tar.gz"


def train_if_needed(var_dir: Path) -> Path:
    target = model_path(var_dir)
    if target.exists():
        print(f"==> Rasa model up to date: {target.relative_to(REPO) if target.is_relative_to(REPO) else target}")
        return target
    print("==> Training the Rasa model (bot/ or data/ changed) ...", flush=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [str(RASA_BIN), "train", "--config", "bot/config.yml", "--domain", "bot/domain", "--data", "data",
         "--out", str(target.parent), "--fixed-model-name", target.name.removesuffix(".tar.gz")],
        cwd=REPO, check=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    for old in target.parent.glob("model-*.tar.gz"):
        if old != target:
            old.unlink()
    return target


@dataclass
class Stack:
    var_dir: Path = field(default_factory=lambda: Path(os.environ.get("VAR_DIR", REPO / "var")))
    rasa_port: int = int(os.environ.get("RASA_PORT", 5005))
    action_port: int = int(os.environ.get("ACTION_PORT", 5055))
    gateway_port: int = int(os.environ.get("GATEWAY_PORT", 8000))
    extra_env: dict[str, str] = field(default_factory=dict)
    log_dir: Path | None = None
    name_suffix: str = ""  # "-2": the processes of one replica set of `make cluster` (rasa-2, …)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    startup_seconds: float | None = None
    model: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    def _env(self) -> dict[str, str]:
        db_dir = self.var_dir / "db"
        db_dir.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "VAR_DIR": str(self.var_dir),
            "RASA_URL": f"http://127.0.0.1:{self.rasa_port}",
            "ACTION_SERVER_URL": f"http://127.0.0.1:{self.action_port}",
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{self.action_port}/webhook",
            "RASA_TRACKER_DB": os.environ.get("RASA_TRACKER_DB", str(db_dir / "rasa_tracker.db")),
            "GATEWAY_PORT": str(self.gateway_port),
            "SANIC_HOST": INTERNAL_HOST,  # rasa-sdk's only bind setting; its default is 0.0.0.0
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": str(REPO),  # Rasa imports its tracker store from rasa_extensions/
            # glibc gives each thread its own malloc arena; with TensorFlow, torch and Sanic
            # threads that multiplies resident memory for nothing on 2 cores.
            "MALLOC_ARENA_MAX": os.environ.get("MALLOC_ARENA_MAX", "2"),
        }
        env.setdefault("DATABASE_URL", f"sqlite:///{db_dir / 'assistant.db'}")
        env.update(self.extra_env)
        return env

    def _spawn(self, name: str, command: list[str]) -> None:
        log_dir = self.log_dir or self.var_dir / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        log = open(log_dir / f"{name}.log", "ab")
        self.processes[name] = subprocess.Popen(
            command, cwd=REPO, env=self._env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def listen_addresses(self) -> dict[str, tuple[str, int]]:
        """Where each process will listen, by the variable that sets its port."""
        return {
            "GATEWAY_PORT": (self._env().get("GATEWAY_HOST", "127.0.0.1"), self.gateway_port),
            "RASA_PORT": (INTERNAL_HOST, self.rasa_port),
            "ACTION_PORT": (INTERNAL_HOST, self.action_port),
        }

    def check_ports_free(self) -> None:
        """Refuse to start on a port that is taken: an assistant still running there would answer
        /healthz in place of ours, and ours would die on its first bind."""
        taken = [(setting, port) for setting, (host, port) in self.listen_addresses().items() if not port_is_free(host, port)]
        if taken:
            raise PortsTaken(taken)

    def migrate(self) -> None:
        """Schema up to date before the processes that share the database start (no race between them)."""
        subprocess.run([str(APP_PYTHON), "-m", "persistence.database"], cwd=REPO, env=self._env(), check=True,
                       stdout=subprocess.DEVNULL)

    def prepare_tracker_db(self) -> None:
        """Put Rasa's SQLite tracker store in write-ahead-log mode before Rasa opens it. The mode is
        stored in the file, so Rasa's own connections use it: one fsync per saved turn instead of
        the rollback journal's several, and reads no longer wait for writes."""
        if "://" in self._env()["RASA_TRACKER_DB"]:
            return  # a database server (make cluster), not a SQLite file
        tracker_db = Path(self._env()["RASA_TRACKER_DB"])
        tracker_db.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(tracker_db)) as connection:
            connection.execute("PRAGMA journal_mode=WAL")

    def commands(self) -> dict[str, list[str]]:
        """How each process is started (the order matters only for the logs)."""
        assert self.model is not None, "start() first"
        endpoints = self._env().get("RASA_ENDPOINTS", "bot/endpoints.yml")
        commands = {
            "actions": [str(APP_PYTHON), "-m", "rasa_extensions.action_server", "--actions", "actions",
                        "--port", str(self.action_port), "--logging-config_file", "rasa_extensions/logging.yml"],
            "rasa": [str(RASA_BIN), "run", "--model", str(self.model), "--endpoints",
                     endpoints, "--credentials", "bot/credentials.yml",
                     "--port", str(self.rasa_port), "--interface", "127.0.0.1",
                     "--logging-config-file", "rasa_extensions/logging.yml"],  # personal data masked
            "gateway": [str(APP_PYTHON), "-m", "gateway"],
        }
        return {f"{kind}{self.name_suffix}": command for kind, command in commands.items()}

    def start(self, model: Path) -> None:
        self.check_ports_free()
        self.model = model
        self.migrate()
        self.prepare_tracker_db()
        for name, command in self.commands().items():
            self._spawn(name, command)

    def restart(self, names: list[str]) -> None:
        """Start again processes that were stopped (tests of outages use it to leave things as found)."""
        self.stop(names)
        commands = self.commands()
        for name in names:
            self._spawn(name, commands[name])

    def wait_healthy(self, timeout: float = 180.0) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited with code {process.returncode}; see its log under var/logs/")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return time.monotonic() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise TimeoutError(f"/healthz not green after {timeout:.0f}s")

    def stop(self, names: list[str] | None = None, grace: float = STOP_GRACE_SECONDS) -> None:
        """SIGTERM to each process's group at once, SIGKILL to whatever of it is left after `grace`
        seconds. Each process leads its own group (start_new_session), which its children (Sanic
        workers) share: they go too, even when the process itself has already died."""
        stopping = [self.processes.pop(name) for name in names or list(self.processes) if name in self.processes]
        for process in stopping:
            signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process in stopping:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for process in stopping:
            signal_group(process, signal.SIGKILL)
            process.wait()


class PortsTaken(RuntimeError):
    def __init__(self, taken: list[tuple[str, int]]) -> None:
        self.taken = taken
        super().__init__("\n".join(
            f"端口 {port} 已被占用（{setting}）：可能已有一个申报助手在运行，请先停止它，或用 {setting}=<其他端口> 换一个。"
            f" / port {port} ({setting}) is already in use: stop what runs there or set another {setting}."
            for setting, port in taken
        ))


def signal_group(process: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass  # nothing of the group is left


def port_is_free(host: str, port: int) -> bool:
    """Whether a server could listen on (host, port) now. SO_REUSEADDR as the servers set it, so
    that a port whose last connections are still in TIME_WAIT counts as free."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def throwaway_stack(work: Path, extra_env: dict[str, str] | None = None, timeout: float = 300) -> Iterator[Stack]:
    """The three processes on free ports with their databases and logs under `work`, for tests
    and benchmarks; `startup_seconds` records the time to a green /healthz."""
    work.mkdir(parents=True, exist_ok=True)
    running = Stack(
        rasa_port=free_port(),
        action_port=free_port(),
        gateway_port=free_port(),
        log_dir=work / "logs",
        extra_env={
            "DATABASE_URL": f"sqlite:///{work / 'assistant.db'}",
            "RASA_TRACKER_DB": str(work / "tracker.db"),
            **(extra_env or {}),
        },
    )
    running.start(train_if_needed(running.var_dir))
    try:
        running.startup_seconds = running.wait_healthy(timeout=timeout)
        yield running
    finally:
        running.stop()


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class StopRequested(Exception):
    """Ctrl-C, `kill`, a service manager or make asked `make run` to stop."""


class StopSignals:
    """SIGINT, SIGTERM and SIGHUP stop `make run`. Only the first one interrupts it: they often
    come in twos (`kill` of the process group while make forwards the same signal, or a second
    Ctrl-C), and a second one must not cut the clean-up short and leave Rasa and the gateway
    running (the three processes run in their own sessions, so no signal reaches them but ours)."""

    def __init__(self) -> None:
        self.stopping = False
        self._holding = False
        self._pending = False

    def install(self) -> None:
        for signum in STOP_SIGNALS:
            signal.signal(signum, self._on_signal)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.stopping or self._pending:
            os.write(2, "正在停止，请稍候 / stopping, please wait\n".encode())
            return
        if self._holding:
            self._pending = True
            return
        self.stopping = True
        raise StopRequested(signal.Signals(signum).name)

    @contextmanager
    def held(self) -> Iterator[None]:
        """A stop asked within the block takes effect after it (a process half started would be
        left behind)."""
        self._holding = True
        try:
            yield
        finally:
            self._holding = False
        if self._pending:
            self.stopping = True
            raise StopRequested("signal during start")


def main(argv: list[str]) -> int:
    stack = Stack()
    if argv[1:2] == ["train"]:
        train_if_needed(stack.var_dir)
        return 0
    signals = StopSignals()
    signals.install()
    try:
        stack.check_ports_free()  # before a training that may take minutes
        model = train_if_needed(stack.var_dir)
        started = time.monotonic()
        with signals.held():
            stack.start(model)
        stack.wait_healthy()
        print(f"\n申报助手已启动 / assistant ready in {time.monotonic() - started:.0f}s: {stack.url}  (API docs: {stack.url}/docs)")
        print("按 Ctrl-C 停止 / press Ctrl-C to stop", flush=True)
        while all(p.poll() is None for p in stack.processes.values()):
            time.sleep(1)
        signals.stopping = True
        down = [n for n, p in stack.processes.items() if p.poll() is not None]
        print(f"process exited: {down}; stopping the rest", file=sys.stderr)
        return 1
    except PortsTaken as taken:
        signals.stopping = True
        print(f"\n{taken}", file=sys.stderr)
        return 2
    except StopRequested:
        print("\n正在停止所有进程 / stopping every process ...", flush=True)
        return 0
    finally:
        signals.stopping = True
        stack.stop()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
