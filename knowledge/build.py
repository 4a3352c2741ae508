"""`python -m knowledge.build`: validate the knowledge files, train the offline embedding model
when the knowledge changed, and warm the index. Safe to run repeatedly (skips what is current)."""
from __future__ import annotations

import logging
import sys
import time

from .api import KnowledgeBase
from .loader import KnowledgeError


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    started = time.perf_counter()
    try:
        kb = KnowledgeBase.load()
    except KnowledgeError as error:
        print(f"知识库文件有误 / knowledge file error: {error}", file=sys.stderr)
        return 1
    units = kb.retriever.units
    facts = sum(1 for u in units if u.is_fact)
    print(f"knowledge ready: {len(kb.data.programs)} programs, {facts} facts, {len(units) - facts} clauses, "
          f"model {kb.retriever.encoder.model_location}, {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
