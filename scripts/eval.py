"""`make eval`: asks the questions of one or more files in the format of shared/eval/dev_qa.yml
through POST /api/chat and prints accuracy per category and overall.

    python scripts/eval.py [--url URL] [FILE ...]

Without --url it starts the assistant itself (as `make run` does) and stops it afterwards.
Defaults: every tests/eval/*.yml plus ../shared/eval/dev_qa.yml when present."""
from __future__ import annotations

import argparse
import re
import sys
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack import REPO, Stack, train_if_needed  # noqa: E402

DEFAULT_FILES = [*sorted((REPO / "tests" / "eval").glob("*.yml")), REPO.parent / "shared" / "eval" / "dev_qa.yml"]


def reply_text(messages: list[dict]) -> str:
    parts = []
    for message in messages:
        parts.append(message.get("text") or "")
        parts.extend(button["title"] for button in message.get("buttons") or [])
    return "\n".join(parts)


def run_case(client: httpx.Client, url: str, case: dict) -> tuple[dict, bool, str]:
    session = f"eval-{case['id']}-{uuid.uuid4().hex[:8]}"
    text = ""
    for turn in case["turns"]:
        response = client.post(f"{url}/api/chat", json={"session_id": session, "text": turn}, timeout=60)
        response.raise_for_status()
        text = reply_text(response.json()["messages"])
    ok = all(re.search(p, text) for p in case["expect"]) and not any(re.search(p, text) for p in case.get("reject", []))
    return case, ok, text


def evaluate(url: str, files: list[Path]) -> float:
    cases = [{**c, "file": f.name} for f in files for c in yaml.safe_load(f.read_text(encoding="utf-8"))["cases"]]
    per_category: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per_file: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    failures = []
    with httpx.Client() as client, ThreadPoolExecutor(max_workers=4) as pool:
        for case, ok, text in pool.map(lambda c: run_case(client, url, c), cases):
            for tally in (per_category[case["cat"]], per_file[case["file"]]):
                tally[0] += ok
                tally[1] += 1
            if not ok:
                failures.append(f"FAIL {case['id']} {case['turns']} expect={case['expect']}\n     -> {text[:300]!r}")
    report = Path(REPO / "var" / "eval" / "failures.txt")
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text("\n".join(failures), encoding="utf-8")
    print(f"{'category':<14}{'correct':>8}{'total':>7}{'accuracy':>10}")
    for category, (good, total) in sorted(per_category.items()):
        print(f"{category:<14}{good:>8}{total:>7}{good / total:>10.1%}")
    for name, (good, total) in per_file.items():
        print(f"{'file ' + name:<30}{good:>6}{total:>7}{good / total:>10.1%}")
    good = sum(v[0] for v in per_category.values())
    total = sum(v[1] for v in per_category.values())
    print(f"{'overall':<14}{good:>8}{total:>7}{good / total:>10.1%}")
    print(f"files: {', '.join(str(f) for f in files)}; failures listed in {report}")
    return good / total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--url", help="a running assistant, e.g. http://127.0.0.1:8000")
    args = parser.parse_args()
    files = args.files or [f for f in DEFAULT_FILES if f.exists()]
    if args.url:
        evaluate(args.url.rstrip("/"), files)
        return 0
    stack = Stack()
    try:
        httpx.get(f"{stack.url}/healthz", timeout=2).raise_for_status()
        evaluate(stack.url, files)
        return 0
    except httpx.HTTPError:
        pass
    stack.start(train_if_needed(stack.var_dir))
    try:
        stack.wait_healthy()
        evaluate(stack.url, files)
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
