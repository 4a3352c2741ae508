"""Hybrid retrieval: jieba + BM25 (bm25s) and dense embeddings, fused by reciprocal rank."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import threading

import bm25s
import numpy as np
from tqdm import tqdm

from .embedding import DenseEncoder
from .text import tokens
from .units import Unit

RRF_K = 10  # small k: the rank within a few dozen candidates matters
DENSE_WEIGHT = 0.5  # the offline static model is weaker than BM25 on this small corpus
# Each way applicants ask for a fact is also matched on its own (best variant per fact): a short
# question is like one variant, not like the fact's whole text with every variant joined.
QUESTION_WEIGHT = 0.4
# Rank fusion forgets by how much BM25 preferred a unit. Among units fused almost level with the
# best, one whose words match the query far better (BM25 this many times the best's) goes first.
NEAR_TIE_RATIO = 0.85
CLEAR_LEXICAL_LEAD = 1.5
# A unit of a notice weighed down on purpose (a related notice's, against the program's own) must
# lead by far more.
CLEAR_LEXICAL_LEAD_OTHER_NOTICE = 2.5


@dataclass(frozen=True)
class Hit:
    unit: Unit
    score: float  # fused reciprocal-rank score
    bm25: float
    dense: float


class HybridRetriever:
    """Configured in __init__, heavy work (index, vectors) in warm_up, typed hits from search."""

    def __init__(self, units: Sequence[Unit], encoder: DenseEncoder | None, tokenizer: Callable[[str], list[str]] = tokens):
        self.units = list(units)
        self.encoder = encoder
        self.tokenizer = tokenizer
        self._bm25: bm25s.BM25 | None = None
        self._question_bm25: bm25s.BM25 | None = None
        self._question_owner = np.zeros(0, dtype=np.int64)  # unit index of each question variant
        self._vectors: np.ndarray | None = None

    def warm_up(self) -> None:
        # bm25s shows tqdm bars; tqdm's default lock is a multiprocessing lock, and creating it
        # fixes the process start method, which breaks Sanic (the action server) starting later.
        tqdm.set_lock(threading.RLock())
        if self._bm25 is None:
            self._bm25 = bm25s.BM25(k1=1.2, b=0.5)
            corpus = [self.tokenizer(u.search_text) or ["<empty>"] for u in self.units]
            self._bm25.index(corpus, show_progress=False)
        if self._question_bm25 is None:
            owners, variants = [], []
            for index, unit in enumerate(self.units):
                for question in unit.questions:
                    owners.append(index)
                    variants.append(self.tokenizer(question) or ["<empty>"])
            self._question_owner = np.asarray(owners, dtype=np.int64)
            self._question_bm25 = bm25s.BM25(k1=1.2, b=0.5)
            self._question_bm25.index(variants or [["<empty>"]], show_progress=False)
        if self.encoder is not None and self._vectors is None:
            self._vectors = self.encoder.encode([u.search_text[:512] for u in self.units])

    def _mask(self, programs: Sequence[str] | None, facts_only: bool | None, topics: Sequence[str] | None) -> np.ndarray:
        return np.array(
            [
                (not programs or u.program in programs)
                and (facts_only is None or u.is_fact == facts_only)
                and (not topics or u.topic in topics)
                for u in self.units
            ],
            dtype=bool,
        )

    def bm25_scores(self, query: str) -> np.ndarray:
        self.warm_up()
        query_tokens = [t for t in self.tokenizer(query) if t in self._bm25.vocab_dict]
        if not query_tokens:
            return np.zeros(len(self.units), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(query_tokens), dtype=np.float32)

    def question_scores(self, query: str) -> np.ndarray:
        """Per unit, the BM25 score of its best-matching question variant."""
        self.warm_up()
        best = np.zeros(len(self.units), dtype=np.float32)
        query_tokens = [t for t in self.tokenizer(query) if t in self._question_bm25.vocab_dict]
        if not query_tokens or not len(self._question_owner):
            return best
        scores = np.asarray(self._question_bm25.get_scores(query_tokens), dtype=np.float32)
        np.maximum.at(best, self._question_owner, scores)
        return best

    def dense_scores(self, query: str) -> np.ndarray:
        self.warm_up()
        if self._vectors is None:
            return np.zeros(len(self.units), dtype=np.float32)
        return self._vectors @ self.encoder.encode([query])[0]

    def search(
        self,
        query: str,
        programs: Sequence[str] | None = None,
        top_k: int = 5,
        facts_only: bool | None = None,
        topics: Sequence[str] | None = None,
        topic_boost: dict[str, float] | None = None,
        program_boost: dict[str, float] | None = None,
    ) -> list[Hit]:
        mask = self._mask(programs, facts_only, topics)
        if not mask.any():
            return []
        bm25 = self.bm25_scores(query)
        dense = self.dense_scores(query)
        asked = self.question_scores(query)
        candidates = np.flatnonzero(mask)
        fused = np.zeros(len(self.units), dtype=np.float64)
        for scores, weight in ((bm25, 1.0), (dense, DENSE_WEIGHT), (asked, QUESTION_WEIGHT)):
            order = candidates[np.argsort(-scores[candidates], kind="stable")]
            for rank, index in enumerate(order):
                fused[index] += weight / (RRF_K + rank + 1)
        if topic_boost or program_boost:
            for index in candidates:
                unit = self.units[index]
                fused[index] *= (topic_boost or {}).get(unit.topic or "", 1.0) * (program_boost or {}).get(unit.program, 1.0)
        # A unit that shares no word with the query and is not close in meaning is not a hit.
        relevant = candidates[(bm25[candidates] > 0) | (dense[candidates] > 0.35)]
        ranked = self._lexical_lead_first(relevant[np.argsort(-fused[relevant], kind="stable")], fused, bm25, program_boost or {})[:top_k]
        return [Hit(self.units[i], float(fused[i]), float(bm25[i]), float(dense[i])) for i in ranked]

    def _lexical_lead_first(self, ranked: np.ndarray, fused: np.ndarray, bm25: np.ndarray, program_boost: dict[str, float]) -> np.ndarray:
        if len(ranked) < 2:
            return ranked
        top = ranked[0]

        def clear_lead(i: int) -> bool:
            weighed_down = program_boost.get(self.units[i].program, 1.0) < program_boost.get(self.units[top].program, 1.0)
            needed = CLEAR_LEXICAL_LEAD_OTHER_NOTICE if weighed_down else CLEAR_LEXICAL_LEAD
            return bm25[i] >= needed * max(bm25[top], 1e-6)

        leaders = [i for i in ranked[1:] if fused[i] >= NEAR_TIE_RATIO * fused[top] and clear_lead(i)]
        if not leaders:
            return ranked
        leader = max(leaders, key=lambda i: bm25[i])
        return np.concatenate(([leader], ranked[ranked != leader]))
