"""`make bench`: latency and throughput of POST /api/chat at concurrency 1 and 8, resident memory
of each process, and start-up time to a green /healthz; side by side with a Rasa 3.6 bot that
only utters canned replies (same NLU data and pipeline, no actions, no gateway), and with the
start-up of Rasa's own starter bot (`rasa init`, stock pipeline and policies).

Bounded and local: every request goes to 127.0.0.1, a fixed number of requests per run."""
from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import psutil
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
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


MESSAGES_PER_SESSION = 5
MEMORY_TARGET_MB = 2048  # every process of one replica set (issue 13)
STARTUP_TARGET_RATIO = 1.5  # the assistant's start against a stock Rasa 3.6 bot's, on the same machine  # an applicant's visit: a few questions, then a new conversation


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


def bench_assistant(total: int) -> tuple[dict, dict, float]:
    with throwaway_stack(REPO / "var" / "bench" / "assistant") as stack:

        conversations: dict[str, tuple[str, str]] = {}  # bench session -> (server's id, token)

        def send(client: httpx.Client, session: str, text: str) -> None:
            if session not in conversations:  # an API client's first message opens the conversation
                response = client.post(f"{stack.url}/api/chat", json={"text": text})
                response.raise_for_status()
                conversations[session] = (response.json()["session_id"], response.json()["session_token"])
                return
            session_id, token = conversations[session]
            client.post(f"{stack.url}/api/chat", json={"session_id": session_id, "text": text},
                        headers={"X-Session-Token": token}).raise_for_status()

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=400, help="messages per concurrency level (bounded)")
    args = parser.parse_args()
    total = max(16, min(args.requests, 5000))
    # One after the other, nothing else of ours running: each start has the machine to itself.
    stock_startup = stock_startup_seconds()
    ours, memory, startup = bench_assistant(total)
    canned, canned_memory, canned_startup = bench_canned(total)
    print(f"\n{'system':<26}{'conc':>5}{'p50 ms':>9}{'p95 ms':>9}{'msg/s':>9}")
    for name, results in (("assistant /api/chat", ours), ("stock Rasa, canned", canned)):
        for concurrency, r in results.items():
            print(f"{name:<26}{concurrency:>5}{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}{r['msg_per_s']:>9.1f}")
    ratio = ours[8]["msg_per_s"] / canned[8]["msg_per_s"]
    p95_ratio = ours[8]["p95_ms"] / canned[8]["p95_ms"]
    print(f"\nat concurrency 8: throughput {ratio:.0%} of the stock bot (target >= 50%), p95 {p95_ratio:.1f}x (target <= 2x)")
    print("\nresident memory (MB):")
    for name, mb in {**memory, **canned_memory}.items():
        print(f"  {name:<16}{mb:>8.0f}")
    print(f"  {'assistant total':<16}{sum(memory.values()):>8.0f}   (target <= {MEMORY_TARGET_MB})")
    print("\nstart-up (set up already), spawn to ready:")
    print(f"  {'stock Rasa bot (rasa init), /status 200':<44}{stock_startup:>7.1f} s")
    print(f"  {'canned bot (our NLU pipeline), /status 200':<44}{canned_startup:>7.1f} s")
    print(f"  {'assistant (3 processes), /healthz 200':<44}{startup:>7.1f} s   "
          f"{startup / stock_startup:.2f}x the stock bot (target <= {STARTUP_TARGET_RATIO}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
