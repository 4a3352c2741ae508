"""`make cluster`: every process of the assistant replicated, on PostgreSQL and Redis, behind nginx.

    python scripts/cluster.py [--replicas N]     # REPLICAS=2 by default; Ctrl-C or SIGTERM stops all

On loopback and free ports, with data under var/cluster/: PostgreSQL (a throw-away cluster, initdb
and a `postgres` server of its own) for the gateway database and Rasa's tracker store; Redis for
Rasa's lock store; N replica sets started by `scripts/stack.py`'s `Stack` exactly as `make run`
starts its one (only the environment differs: DATABASE_URL, RASA_ENDPOINTS, RASA_URL and
ACTION_ENDPOINT_URL pointing at nginx; RASA_TRACKER_STORE_TYPE chooses Rasa's tracker store);
nginx balancing the gateways (HTTP and WebSocket), and the gateways' calls to Rasa and Rasa's
calls to the action servers. Writes
var/cluster/processes.json and prints the public URL. Tests start it with `running_cluster`."""
from __future__ import annotations

import argparse
import glob
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack import REPO, STOP_GRACE_SECONDS, Stack, StopRequested, StopSignals, free_port, signal_group, train_if_needed  # noqa: E402

NGINX_TEMPLATE = REPO / "scripts" / "cluster_nginx.conf.template"
RASA_ENDPOINTS = REPO / "scripts" / "cluster_endpoints.yml"
GATEWAY_DATABASE, TRACKER_DATABASE = "assistant", "rasa_tracker"
DB_USER = "postgres"
HOST = "127.0.0.1"
# Rasa's tracker store type in cluster_endpoints.yml (RASA_TRACKER_STORE_TYPE): ours, correct with
# replicas by invalidation, or Rasa's stock SQL store (`make bench` measures both).
CACHED_TRACKER_STORE, STOCK_SQL_TRACKER_STORE = "rasa_extensions.tracker_store.CachedSQLTrackerStore", "sql"
TRACKER_STORE_TYPES = (CACHED_TRACKER_STORE, STOCK_SQL_TRACKER_STORE)


@dataclass(frozen=True)
class Infra:
    """A supporting server (postgres, redis, nginx) run in the foreground as our child."""

    name: str
    process: subprocess.Popen
    port: int


def server_bin(name: str) -> str:
    """A Debian server binary: on PATH, or PostgreSQL's versioned directory, or /usr/sbin."""
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    found = found or (f"/usr/sbin/{name}" if os.access(f"/usr/sbin/{name}", os.X_OK) else None)
    if not found:
        raise RuntimeError(f"{name} is missing: run scripts/install_postgres.sh and scripts/install_cluster_deps.sh (make cluster does)")
    return found


def tracker_store_type(environ: Mapping[str, str] = os.environ) -> str:
    """RASA_TRACKER_STORE_TYPE if set (one of TRACKER_STORE_TYPES), else the cached store."""
    chosen = environ.get("RASA_TRACKER_STORE_TYPE") or CACHED_TRACKER_STORE
    if chosen not in TRACKER_STORE_TYPES:
        raise ValueError(f"RASA_TRACKER_STORE_TYPE must be one of {', '.join(TRACKER_STORE_TYPES)}, not {chosen!r}")
    return chosen


def _postgres_user() -> dict[str, str]:
    """initdb and postgres refuse to run as root: as root they run as Debian's `postgres` user."""
    return {"user": DB_USER, "group": DB_USER} if os.geteuid() == 0 else {}


@dataclass
class Cluster:
    replicas: int = 2
    work: Path = REPO / "var" / "cluster"
    public_port: int = 0  # 0: a free port
    extra_env: dict[str, str] = field(default_factory=dict)
    infra: dict[str, Infra] = field(default_factory=dict)
    stacks: list[Stack] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.infra['nginx'].port}"

    # --- supporting servers ------------------------------------------------------------------

    def _spawn_infra(self, name: str, command: list[str], port: int, **popen: str) -> None:
        logs = self.work / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        log = open(logs / f"{name}.log", "ab")
        process = subprocess.Popen(command, cwd=self.work, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **popen)
        self.infra[name] = Infra(name, process, port)

    def start_postgres(self) -> None:
        data = self.work / "pgdata"
        if os.geteuid() == 0:
            owner = pwd.getpwnam(DB_USER)
            for path in (self.work, self.work / "run"):
                path.mkdir(parents=True, exist_ok=True)
                os.chown(path, owner.pw_uid, owner.pw_gid)
        (self.work / "run").mkdir(parents=True, exist_ok=True)
        if not (data / "PG_VERSION").exists():
            subprocess.run([server_bin("initdb"), "-D", str(data), "-A", "trust", "-U", DB_USER, "--no-sync", "-E", "UTF8"],
                           check=True, capture_output=True, cwd=self.work, **_postgres_user())
        port = free_port()
        self._spawn_infra("postgres", [
            server_bin("postgres"), "-D", str(data), "-p", str(port), "-k", str(self.work / "run"),
            "-c", f"listen_addresses={HOST}", "-c", "max_connections=300", "-c", "fsync=off",
            "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
        ], port, **_postgres_user())
        wait_for(lambda: self._postgres_accepts(port), 60, "PostgreSQL", self.infra["postgres"].process)
        for database in (GATEWAY_DATABASE, TRACKER_DATABASE):
            with psycopg.connect(self._pg_dsn("postgres"), autocommit=True) as connection:
                if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone():
                    connection.execute(f'CREATE DATABASE "{database}"')

    def _pg_dsn(self, database: str) -> str:
        return f"postgresql://{DB_USER}@{HOST}:{self.infra['postgres'].port}/{database}"

    def _postgres_accepts(self, port: int) -> bool:
        try:
            with psycopg.connect(f"postgresql://{DB_USER}@{HOST}:{port}/postgres", connect_timeout=2):
                return True
        except psycopg.OperationalError:
            return False

    def start_redis(self) -> None:
        port = free_port()
        (self.work / "redis").mkdir(parents=True, exist_ok=True)
        self._spawn_infra("redis", [server_bin("redis-server"), "--bind", HOST, "--port", str(port),
                                    "--dir", str(self.work / "redis"), "--save", "", "--appendonly", "no"], port)
        wait_for(lambda: _redis_pings(port), 30, "Redis", self.infra["redis"].process)

    def nginx_conf(self, public_port: int, rasa_port: int, actions_port: int) -> str:
        prefix = self.work / "nginx"

        def servers(ports: list[int]) -> str:
            return "\n".join(f"        server {HOST}:{port} max_fails=1 fail_timeout=3s;" for port in ports)

        fields = {
            "USER_LINE": "user root;" if os.geteuid() == 0 else "",
            "PREFIX": str(prefix), "PUBLIC_PORT": str(public_port), "RASA_PORT": str(rasa_port), "ACTIONS_PORT": str(actions_port),
            "GATEWAY_SERVERS": servers([s.gateway_port for s in self.stacks]),
            "RASA_SERVERS": servers([s.rasa_port for s in self.stacks]),
            "ACTION_SERVERS": servers([s.action_port for s in self.stacks]),
        }
        # @NAME@ fields: nginx's own $variables stay as they are
        return re.sub(r"@([A-Z_]+)@", lambda match: fields[match.group(1)], NGINX_TEMPLATE.read_text())

    def start_nginx(self, public_port: int, rasa_port: int, actions_port: int) -> None:
        prefix = self.work / "nginx"
        (prefix / "tmp").mkdir(parents=True, exist_ok=True)
        conf = prefix / "nginx.conf"
        conf.write_text(self.nginx_conf(public_port, rasa_port, actions_port))
        self._spawn_infra("nginx", [server_bin("nginx"), "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log"),
                                    "-g", "daemon off;"], public_port)

    # --- the replica sets --------------------------------------------------------------------

    def shared_env(self, rasa_port: int, actions_port: int) -> dict[str, str]:
        """What makes a replica set part of the cluster: settings only, the code is `make run`'s."""
        postgres = self.infra["postgres"].port
        return {
            "DATABASE_URL": f"postgresql+psycopg://{DB_USER}@{HOST}:{postgres}/{GATEWAY_DATABASE}",
            "RASA_TRACKER_DB": f"postgresql+psycopg://{DB_USER}@{HOST}:{postgres}/{TRACKER_DATABASE}",
            "RASA_ENDPOINTS": str(RASA_ENDPOINTS),
            "RASA_TRACKER_STORE_TYPE": tracker_store_type({**os.environ, **self.extra_env}),
            "RASA_TRACKER_PG_HOST": HOST, "RASA_TRACKER_PG_PORT": str(postgres),
            "RASA_TRACKER_PG_DB": TRACKER_DATABASE, "RASA_TRACKER_PG_USER": DB_USER,
            "REDIS_HOST": HOST, "REDIS_PORT": str(self.infra["redis"].port),
            "RASA_URL": f"http://{HOST}:{rasa_port}",
            "ACTION_SERVER_URL": f"http://{HOST}:{actions_port}",
            "ACTION_ENDPOINT_URL": f"http://{HOST}:{actions_port}/webhook",
            # one key for every gateway: limits per client address count a client once, whichever gateway it reaches
            "CLIENT_KEY_SECRET": os.environ.get("CLIENT_KEY_SECRET") or secrets.token_hex(32),
            **self.extra_env,
        }

    def start(self, model: Path) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        self.start_postgres()
        self.start_redis()
        public_port = self.public_port or free_port()
        rasa_port, actions_port = free_port(), free_port()
        env = self.shared_env(rasa_port, actions_port)
        self.stacks = [
            Stack(var_dir=REPO / "var", rasa_port=free_port(), action_port=free_port(), gateway_port=free_port(),
                  extra_env=env, log_dir=self.work / "logs", name_suffix=f"-{number}")
            for number in range(1, self.replicas + 1)
        ]
        self.start_nginx(public_port, rasa_port, actions_port)
        for replica in self.stacks:  # each migrates first: the schema is up to date before its processes start
            replica.start(model)
        self.write_processes()

    def wait_healthy(self, timeout: float = 300.0) -> float:
        """Every gateway green (so every Rasa and action server answers through nginx), then nginx."""
        started = time.monotonic()
        for replica in self.stacks:
            replica.wait_healthy(timeout=max(1.0, timeout - (time.monotonic() - started)))
        wait_for(lambda: _healthy(self.url), max(1.0, timeout - (time.monotonic() - started)), "nginx",
                 self.infra["nginx"].process)
        return time.monotonic() - started

    def processes(self) -> list[dict[str, object]]:
        listed: list[dict[str, object]] = []
        for replica in self.stacks:
            ports = {"rasa": replica.rasa_port, "actions": replica.action_port, "gateway": replica.gateway_port}
            for name, process in replica.processes.items():
                kind = name.removesuffix(replica.name_suffix)
                listed.append({"name": name, "kind": kind, "pid": process.pid, "port": ports[kind]})
        for infra in self.infra.values():
            listed.append({"name": infra.name, "kind": infra.name, "pid": infra.process.pid, "port": infra.port})
        return listed

    def write_processes(self) -> Path:
        target = self.work / "processes.json"
        target.write_text(json.dumps({"url": self.url, "processes": self.processes()}, indent=2))
        return target

    def replica_of(self, name: str) -> Stack:
        return next(replica for replica in self.stacks if name in replica.processes or name in replica.commands())

    def running(self) -> bool:
        return all(p.poll() is None for r in self.stacks for p in r.processes.values()) and \
            all(i.process.poll() is None for i in self.infra.values())

    def stop(self) -> None:
        """The assistant's processes first (they hold connections), then nginx, Redis, PostgreSQL."""
        every_replica = Stack(processes={n: p for replica in self.stacks for n, p in replica.processes.items()})
        every_replica.stop()  # all at once, each with Stack's grace
        for replica in self.stacks:
            replica.processes.clear()
        for name in ("nginx", "redis", "postgres"):
            infra = self.infra.pop(name, None)
            if infra is None:
                continue
            signal_group(infra.process, signal.SIGINT if name == "postgres" else signal.SIGTERM)  # postgres: fast shutdown
            try:
                infra.process.wait(timeout=STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                signal_group(infra.process, signal.SIGKILL)
                infra.process.wait()


def _redis_pings(port: int) -> bool:
    import socket  # noqa: PLC0415

    try:
        with socket.create_connection((HOST, port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def wait_for(condition, timeout: float, what: str, process: subprocess.Popen | None = None) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not condition():
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode}; see its log under var/cluster/logs/")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not ready after {timeout:.0f}s")
        time.sleep(0.2)


@contextmanager
def running_cluster(work: Path, replicas: int = 2, extra_env: dict[str, str] | None = None,
                    timeout: float = 300) -> Iterator[Cluster]:
    """The whole cluster under `work` (tests): started, healthy, stopped at the end."""
    cluster = Cluster(replicas=replicas, work=work, extra_env=extra_env or {})
    try:
        cluster.start(train_if_needed(REPO / "var"))
        cluster.wait_healthy(timeout=timeout)
        yield cluster
    finally:
        cluster.stop()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=int(os.environ.get("REPLICAS", 2)))
    args = parser.parse_args(argv[1:])
    if args.replicas < 1:
        print("REPLICAS 须为正整数 / REPLICAS must be at least 1", file=sys.stderr)
        return 2
    try:
        tracker_store_type()
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    cluster = Cluster(replicas=args.replicas)
    signals = StopSignals()
    signals.install()
    try:
        model = train_if_needed(REPO / "var")
        started = time.monotonic()
        with signals.held():
            cluster.start(model)
        cluster.wait_healthy()
        print(f"\n申报助手集群已启动 / cluster of {args.replicas} replica sets ready in {time.monotonic() - started:.0f}s: "
              f"{cluster.url}  (processes: {cluster.work / 'processes.json'})")
        print("按 Ctrl-C 停止 / press Ctrl-C to stop", flush=True)
        while cluster.running():
            time.sleep(1)
        signals.stopping = True
        print("a process exited; stopping the rest (logs under var/cluster/logs/)", file=sys.stderr)
        return 1
    except StopRequested:
        print("\n正在停止所有进程 / stopping every process ...", flush=True)
        return 0
    finally:
        signals.stopping = True
        cluster.stop()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
