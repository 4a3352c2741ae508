"""`make bench`: latency and throughput of POST /api/chat at concurrency 1 and 8, resident memory
of each process, and start-up time to a green /healthz; side by side with a Rasa 3.6 bot that
only utters canned replies (same NLU data and pipeline, no actions, no gateway), and with the
start-up of Rasa's own starter bot (`rasa init`, stock pipeline and policies). Then `make cluster`
(scripts/cluster.py) with 1 and 2 replica sets, through nginx, and 2 replica sets with each
tracker store (ours, cached and invalidated; Rasa's stock SQL store); and the answer composition
in-process (`KnowledgeBase.answer`). One summary table at the end, also in var/bench/latest.json.

Bounded and local: every request goes to 127.0.0.1, a fixed number of requests per run."""
from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx
import psutil
import psycopg
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from cluster import CACHED_TRACKER_STORE, DB_USER, HOST, STOCK_SQL_TRACKER_STORE, TRACKER_DATABASE, Cluster, running_cluster  # noqa: E402
from stack import RASA_BIN, REPO, free_port, throwaway_stack  # noqa: E402

QUESTIONS = [
    "上海5G医疗试点材料最晚什么时候交",
    "国家5G试点纸质材料几份",
    "智慧医疗专项负责人年龄要求",
    "验收资料上传网址是什么",
    "上海5G试点联系人电话",
    "国家5G试点有哪些方向",
    "年度总结报告交给谁审核",
    "你好",
]


MESSAGES_PER_SESSION = 5  # an applicant's visit: a few questions, then a new conversation
MEMORY_TARGET_MB = 2048  # every process of one replica set (issue 13)
STARTUP_TARGET_RATIO = 1.5  # the assistant's start against a stock Rasa 3.6 bot's, on the same machine
COMPOSITION_TARGET_MS = 10.0  # p50 of the answer composition (issue 11)
CLUSTER_CONCURRENCY = 8
TYPICAL_QUESTIONS = 50  # single-turn questions of tests/eval/qa.yml, spread over its categories
COMPOSITION_ROUNDS = 3
RESULTS = REPO / "var" / "bench" / "latest.json"


@dataclass(frozen=True)
class ClusterRun:
    label: str
    replicas: int
    tracker_store: str


CLUSTER_RUNS = (
    ClusterRun("cluster 1 replica, cached store", 1, CACHED_TRACKER_STORE),
    ClusterRun("cluster 2 replicas, cached store", 2, CACHED_TRACKER_STORE),
    ClusterRun("cluster 2 replicas, stock SQL store", 2, STOCK_SQL_TRACKER_STORE),
)


def measure(send, concurrency: int, total: int) -> dict:
    def worker(index: int) -> list[float]:
        latencies = []
        with httpx.Client(timeout=60) as client:
            for count, n in enumerate(range(index, total, concurrency)):
                if count % MESSAGES_PER_SESSION == 0:
                    session = f"bench-{uuid.uuid4().hex[:8]}"
                started = time.perf_counter()
                send(client, session, QUESTIONS[(index + count) % len(QUESTIONS)])  # each session varies its questions
                latencies.append(time.perf_counter() - started)
        return latencies

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        latencies = [x for chunk in pool.map(worker, range(concurrency)) for x in chunk]
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "p50_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))],
        "msg_per_s": len(latencies) / elapsed,
        "n": len(latencies),
    }


def rss_mb(pid: int) -> float:
    process = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [process, *process.children(recursive=True)]) / 2**20


def api_chat_sender(url: str) -> Callable[[httpx.Client, str, str], None]:
    """POST /api/chat as an API client does: its first message opens the conversation."""
    conversations: dict[str, tuple[str, str]] = {}  # bench session -> (server's id, token)

    def send(client: httpx.Client, session: str, text: str) -> None:
        if session not in conversations:
            response = client.post(f"{url}/api/chat", json={"text": text})
            response.raise_for_status()
            conversations[session] = (response.json()["session_id"], response.json()["session_token"])
            return
        session_id, token = conversations[session]
        client.post(f"{url}/api/chat", json={"session_id": session_id, "text": text},
                    headers={"X-Session-Token": token}).raise_for_status()

    return send


def bench_assistant(total: int) -> tuple[dict, dict, float]:
    with throwaway_stack(REPO / "var" / "bench" / "assistant") as stack:
        send = api_chat_sender(stack.url)
        measure(send, 2, 16)  # warm-up
        results = {c: measure(send, c, total if c > 1 else total // 2) for c in (1, 8)}
        memory = {name: rss_mb(p.pid) for name, p in stack.processes.items()}
        return results, memory, stack.startup_seconds


def canned_bot_dir() -> Path:
    """A stock bot generated from this project's intents and NLU data: every intent -> a canned reply."""
    intents = []
    for file in sorted((REPO / "bot" / "domain").glob("*.yml")):
        intents += [i for i in yaml.safe_load(file.read_text(encoding="utf-8")).get("intents", []) if i != "nlu_fallback"]
    config_text = (REPO / "bot" / "config.yml").read_text(encoding="utf-8")
    digest = hashlib.sha256(("|".join(intents) + config_text).encode()).hexdigest()[:8]
    target = REPO / "var" / "bench" / f"canned_bot_{digest}"
    target.mkdir(parents=True, exist_ok=True)
    domain = {
        "version": "3.1",
        "intents": intents + ["nlu_fallback"],
        "entities": ["program", "direction", "doc_kind", "topic"],
        "responses": {f"utter_{i}": [{"text": f"收到（{i}）"}] for i in intents + ["nlu_fallback"]},
    }
    rules = {"version": "3.1", "rules": [{"rule": i, "steps": [{"intent": i}, {"action": f"utter_{i}"}]} for i in intents + ["nlu_fallback"]]}
    # The same NLU pipeline; Rasa's own default fallback instead of the project's custom action.
    config = yaml.safe_load((REPO / "bot" / "config.yml").read_text(encoding="utf-8"))
    for policy in config["policies"]:
        policy.pop("core_fallback_action_name", None)
    (target / "config.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    (target / "domain.yml").write_text(yaml.safe_dump(domain, allow_unicode=True), encoding="utf-8")
    (target / "rules.yml").write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    return target


def stock_bot_dir() -> Path:
    """Rasa 3.6's own starter bot (`rasa init`: its default pipeline and policies, English moodbot
    data), trained once: what a stock Rasa bot costs to start on this machine."""
    target = REPO / "var" / "bench" / "stock_bot"
    if not (target / "models").is_dir() or not any((target / "models").glob("*.tar.gz")):
        print("==> training Rasa's stock starter bot (rasa init) ...", flush=True)
        target.mkdir(parents=True, exist_ok=True)
        subprocess.run([str(RASA_BIN), "init", "--no-prompt", "--init-dir", str(target)], cwd=target, check=True,
                       env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}, capture_output=True)
    return target


def train_canned_bot() -> Path:
    bot = canned_bot_dir()
    model = bot / "model.tar.gz"
    if not model.exists():
        print("==> training the canned-reply comparison bot ...", flush=True)
        subprocess.run([str(RASA_BIN), "train", "--config", str(bot / "config.yml"), "--domain", str(bot / "domain.yml"),
                        "--data", "data/nlu", str(bot / "rules.yml"), "--out", str(bot), "--fixed-model-name", "model"],
                       cwd=REPO, check=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}, capture_output=True)
    return model


@contextmanager
def plain_rasa(model: Path, work: Path) -> Iterator[tuple[int, subprocess.Popen, float]]:
    """`rasa run` of a model with the REST channel and nothing else: (port, process, seconds from
    the spawn until its `/status` answers 200, which Rasa does only once the model is loaded)."""
    port = free_port()
    credentials = work / "credentials.yml"
    credentials.write_text("rest:\n", encoding="utf-8")
    log = open(work / "rasa.log", "ab")
    started = time.monotonic()
    process = subprocess.Popen([str(RASA_BIN), "run", "--model", str(model), "--port", str(port), "--interface", "127.0.0.1",
                                "--credentials", str(credentials), "--enable-api"], cwd=work, stdout=log, stderr=subprocess.STDOUT,
                               # PYTHONPATH: our pipeline names rasa_extensions (the bot runs in its own folder)
                               env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(REPO)}, start_new_session=True)
    try:
        deadline = started + 300
        while True:
            try:
                # /status (loopback, --enable-api) is 200 only with a model loaded, 409 when loading it failed
                if httpx.get(f"http://127.0.0.1:{port}/status", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the comparison bot did not start; see " + str(work / "rasa.log"))
                time.sleep(0.5)
        yield port, process, time.monotonic() - started
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)


def stock_startup_seconds() -> float:
    bot = stock_bot_dir()
    model = max((bot / "models").glob("*.tar.gz"), key=lambda path: path.stat().st_mtime)
    with plain_rasa(model, bot) as (_port, _process, seconds):
        return seconds


def bench_canned(total: int) -> tuple[dict, dict, float]:
    model = train_canned_bot()
    with plain_rasa(model, model.parent) as (port, process, seconds):

        def send(client: httpx.Client, session: str, text: str) -> None:
            client.post(f"http://127.0.0.1:{port}/webhooks/rest/webhook", json={"sender": session, "message": text}).raise_for_status()

        measure(send, 2, 16)
        results = {c: measure(send, c, total if c > 1 else total // 2) for c in (1, 8)}
        return results, {"rasa (canned)": rss_mb(process.pid)}, seconds


def install_cluster_servers() -> None:
    """What `make cluster` installs when missing (PostgreSQL, Redis, nginx); quiet when present."""
    for script in ("install_postgres.sh", "install_cluster_deps.sh"):
        subprocess.run([str(REPO / "scripts" / script)], check=True, timeout=600)


def bench_cluster(run: ClusterRun, total: int) -> dict:
    """`make cluster` with this many replica sets and this tracker store, on a fresh PostgreSQL
    (each store writes its own events), measured through nginx at CLUSTER_CONCURRENCY."""
    work = REPO / "var" / "bench" / "cluster"
    shutil.rmtree(work, ignore_errors=True)
    print(f"==> {run.label}: starting ...", flush=True)
    started = time.monotonic()
    with running_cluster(work, replicas=run.replicas, extra_env={"RASA_TRACKER_STORE_TYPE": run.tracker_store}) as cluster:
        startup = time.monotonic() - started
        send = api_chat_sender(cluster.url)
        measure(send, 2, 16)  # warm-up: every replica's first answers
        result = measure(send, CLUSTER_CONCURRENCY, total)
        events = stored_tracker_events(cluster)
    shutil.rmtree(work, ignore_errors=True)
    if not events:  # Rasa falls back to its in-memory store when the configured one fails to start
        raise RuntimeError(f"{run.label}: Rasa stored no tracker events in PostgreSQL; see {work / 'logs'}")
    return {**asdict(run), **result, "concurrency": CLUSTER_CONCURRENCY, "startup_s": startup, "tracker_events": events}


def stored_tracker_events(cluster: Cluster) -> int:
    dsn = f"postgresql://{DB_USER}@{HOST}:{cluster.infra['postgres'].port}/{TRACKER_DATABASE}"
    with psycopg.connect(dsn) as connection:
        return connection.execute("SELECT count(*) FROM events").fetchone()[0]


def typical_questions(count: int = TYPICAL_QUESTIONS) -> list[str]:
    """Single-turn questions of tests/eval/qa.yml, taken evenly through the file (its categories)."""
    cases = yaml.safe_load((REPO / "tests" / "eval" / "qa.yml").read_text(encoding="utf-8"))["cases"]
    single = [case["turns"][0] for case in cases if len(case["turns"]) == 1]
    step = max(1, len(single) // count)
    return single[::step][:count]


def composition_latency(rounds: int = COMPOSITION_ROUNDS) -> dict:
    """`KnowledgeBase.answer` in this process (the library the action server calls, no Rasa, no
    HTTP) over the bench questions and typical ones, after one warm-up pass."""
    from knowledge.api import get_knowledge  # noqa: PLC0415 - loads the knowledge base: only when measured

    knowledge = get_knowledge()
    questions = QUESTIONS + typical_questions()
    for question in questions:
        knowledge.answer(question)
    timings = []
    for _round in range(rounds):
        for question in questions:
            started = time.perf_counter()
            knowledge.answer(question)
            timings.append(time.perf_counter() - started)
    timings.sort()
    return {"p50_ms": 1000 * statistics.median(timings), "p95_ms": 1000 * timings[int(0.95 * (len(timings) - 1))],
            "n": len(timings), "questions": len(questions)}


def print_summary(results: dict) -> None:
    print(f"\n{'measured':<46}{'conc':>5}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'msg/s':>8}")
    for name, by_concurrency in (("single stack (SQLite) /api/chat", results["assistant"]),
                                 ("stock Rasa, canned replies", results["stock_canned"])):
        for concurrency, r in by_concurrency.items():
            print(f"{name:<46}{concurrency:>5}{r['n']:>6}{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}{r['msg_per_s']:>8.1f}")
    for r in results["cluster"]:
        print(f"{r['label'] + ' (nginx)':<46}{r['concurrency']:>5}{r['n']:>6}{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}{r['msg_per_s']:>8.1f}")
    c = results["composition"]
    print(f"{'answer composition (KnowledgeBase.answer)':<46}{1:>5}{c['n']:>6}{c['p50_ms']:>9.1f}{c['p95_ms']:>9.1f}{'':>8}")
    ratios = results["ratios"]
    print(f"\n{'figure':<58}{'value':>10}  target")
    rows = [
        ("single stack / stock bot, msg/s at concurrency 8", f"{ratios['throughput_vs_stock']:.0%}", ">= 50%"),
        ("single stack / stock bot, p95 at concurrency 8", f"{ratios['p95_vs_stock']:.1f}x", "<= 2x"),
        ("cluster 2 replicas / 1 replica, msg/s (cached store)", f"{ratios['two_replicas_vs_one']:.2f}x", "(2 cores: little gain)"),
        ("cluster 2 replicas, stock SQL / cached store, msg/s", f"{ratios['stock_sql_vs_cached']:.2f}x", ""),
        ("answer composition p50", f"{c['p50_ms']:.1f} ms", f"<= {COMPOSITION_TARGET_MS:.0f} ms"),
    ]
    rows += [(f"resident memory: {name}", f"{mb:.0f} MB", "") for name, mb in results["memory_mb"].items()]
    rows.append(("resident memory: assistant, one replica set", f"{results['assistant_memory_mb']:.0f} MB", f"<= {MEMORY_TARGET_MB} MB"))
    startup = results["startup_s"]
    rows += [
        ("start-up: stock Rasa bot (rasa init), /status 200", f"{startup['stock_bot']:.1f} s", ""),
        ("start-up: canned bot (our NLU pipeline), /status 200", f"{startup['canned_bot']:.1f} s", ""),
        ("start-up: assistant (3 processes), /healthz 200", f"{startup['assistant']:.1f} s", ""),
        ("start-up: assistant / stock Rasa bot", f"{ratios['startup_vs_stock']:.2f}x", f"<= {STARTUP_TARGET_RATIO}x"),
    ]
    rows += [(f"start-up: {r['label']}, all healthy", f"{r['startup_s']:.1f} s", "") for r in results["cluster"]]
    for name, value, target in rows:
        print(f"{name:<58}{value:>10}  {target}")
    print(f"\n(written to {RESULTS.relative_to(REPO)})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=400, help="messages per concurrency level on the single stack (bounded)")
    parser.add_argument("--cluster-requests", type=int, default=200, help="messages per cluster run (bounded)")
    parser.add_argument("--quick", action="store_true", help="a try-out: 64 messages on the single stack, 48 per cluster run")
    args = parser.parse_args()
    total = 64 if args.quick else max(16, min(args.requests, 5000))
    cluster_total = 48 if args.quick else max(16, min(args.cluster_requests, 2000))
    install_cluster_servers()
    # One after the other, nothing else of ours running: each start has the machine to itself.
    print("==> answer composition (in-process) ...", flush=True)
    composition = composition_latency()
    print("==> stock starter bot start-up ...", flush=True)
    stock_startup = stock_startup_seconds()
    print("==> the assistant, one stack on SQLite ...", flush=True)
    ours, memory, startup = bench_assistant(total)
    print("==> stock Rasa bot with canned replies ...", flush=True)
    canned, canned_memory, canned_startup = bench_canned(total)
    clusters = [bench_cluster(run, cluster_total) for run in CLUSTER_RUNS]
    by_label = {r["label"]: r for r in clusters}
    one, two, two_sql = (by_label[run.label] for run in CLUSTER_RUNS)
    results = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "quick": args.quick,
        "assistant": ours,
        "stock_canned": canned,
        "cluster": clusters,
        "composition": composition,
        "memory_mb": {**memory, **canned_memory},
        "assistant_memory_mb": sum(memory.values()),
        "startup_s": {"stock_bot": stock_startup, "canned_bot": canned_startup, "assistant": startup},
        "ratios": {
            "throughput_vs_stock": ours[8]["msg_per_s"] / canned[8]["msg_per_s"],
            "p95_vs_stock": ours[8]["p95_ms"] / canned[8]["p95_ms"],
            "two_replicas_vs_one": two["msg_per_s"] / one["msg_per_s"],
            "stock_sql_vs_cached": two_sql["msg_per_s"] / two["msg_per_s"],
            "startup_vs_stock": startup / stock_startup,
        },
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print_summary(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
