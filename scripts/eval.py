"""`make eval`: asks the questions of one or more files in the format of shared/eval/dev_qa.yml
through POST /api/chat and prints accuracy per category, per file and overall, each beside a
refusal-only baseline: how many cases the assistant's own refusal (the out-of-scope and
not-understood replies, built by the same code as the actions) would pass under the same checker.
A fact question must not be passable by a refusal; only out-of-scope and unanswerable cases
(categories oos, unknown) may be.

    python scripts/eval.py [--url URL] [FILE ...]

Without --url it starts the assistant itself (as `make run` does) and stops it afterwards.
Defaults: every tests/eval/*.yml plus ../shared/eval/dev_qa.yml when present."""
from __future__ import annotations

import argparse
import sys
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eval_cases import (  # noqa: E402
    REFUSAL_CATEGORIES, Case, load_cases, passes, question_files, refusal_passes, refusal_texts, shown_text,
)
from stack import REPO, Stack, train_if_needed  # noqa: E402


def reply_text(messages: list[dict]) -> str:
    """Each message's text and button titles, as the checker reads them (eval_cases.shown_text)."""
    return "\n".join(shown_text(m.get("text") or "", [b["title"] for b in m.get("buttons") or []]) for m in messages)


def run_case(client: httpx.Client, url: str, case: Case) -> tuple[Case, bool, str]:
    """One fresh conversation: the first turn opens it (the gateway returns its id and token), the
    next turns continue it. A gateway that wants the client to name the session gets one."""
    session: str | None = None
    headers: dict[str, str] = {}
    text = ""
    for turn in case.turns:
        body = {"text": turn} if session is None else {"session_id": session, "text": turn}
        response = client.post(f"{url}/api/chat", json=body, headers=headers, timeout=60)
        if response.status_code == 422 and session is None:
            session = f"eval-{case.id}-{uuid.uuid4().hex[:8]}"
            response = client.post(f"{url}/api/chat", json={"session_id": session, "text": turn}, timeout=60)
        response.raise_for_status()
        data = response.json()
        session = data.get("session_id") or session
        if data.get("session_token"):
            headers = {"X-Session-Token": data["session_token"]}
        text = reply_text(data["messages"])
    return case, passes(case, text), text


def load_refusals() -> list[str]:
    from knowledge.api import get_knowledge

    return refusal_texts(get_knowledge())


def evaluate(url: str, files: list[Path]) -> float:
    cases = [case for f in files for case in load_cases(f)]
    refusals = load_refusals()
    # [correct, total, passed by the refusal]
    per_category: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    per_file: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    failures, refusal_passed_facts = [], []
    with httpx.Client() as client, ThreadPoolExecutor(max_workers=4) as pool:
        for case, ok, text in pool.map(lambda c: run_case(client, url, c), cases):
            refused_ok = refusal_passes(case, refusals)
            for tally in (per_category[case.cat], per_file[case.file]):
                tally[0] += ok
                tally[1] += 1
                tally[2] += refused_ok
            if not ok:
                failures.append(f"FAIL {case.file} {case.id} {list(case.turns)} expect={list(case.expect)}\n     -> {text[:300]!r}")
            if refused_ok and case.cat not in REFUSAL_CATEGORIES:
                refusal_passed_facts.append(f"{case.file} {case.id}")
    report = Path(REPO / "var" / "eval" / "failures.txt")
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text("\n".join(failures), encoding="utf-8")
    header = f"{'':<32}{'correct':>8}{'total':>7}{'accuracy':>10}{'refusal':>9}{'baseline':>10}"
    print(header)
    for category, tally in sorted(per_category.items()):
        print(row(f"category {category}", tally))
    for name, tally in per_file.items():
        print(row(f"file {name}", tally))
    overall = [sum(t[i] for t in per_category.values()) for i in range(3)]
    print(row("overall", overall))
    print(f"refusal baseline: cases the assistant's own refusal reply would pass (only {', '.join(sorted(REFUSAL_CATEGORIES))} should)")
    if refusal_passed_facts:
        print(f"fact questions a refusal passes (fix their expectations): {', '.join(refusal_passed_facts)}")
    print(f"files: {', '.join(str(f) for f in files)}; failures listed in {report}")
    return overall[0] / overall[1]


def row(label: str, tally: list[int]) -> str:
    good, total, refused = tally
    return f"{label:<32}{good:>8}{total:>7}{good / total:>10.1%}{refused:>9}{refused / total:>10.1%}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--url", help="a running assistant, e.g. http://127.0.0.1:8000")
    args = parser.parse_args()
    files = args.files or question_files()
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
