"""FAQ entries written by staff ("Add to FAQ"): question variants, an answer, and the clause it
relies on or the staff member as its source.

They live in the gateway database, so every process sees a new entry at once, without a
restart: the gateway's FAQ search merges them into its results (:class:`StaffFaqKnowledge`),
and the action server asks :func:`answer_for` (a small read-only query on DATABASE_URL) before
composing an answer from the notices. Matching compares the content words of the question
with each variant (jieba tokens of ``knowledge.text``, Dice coefficient).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from persistence.helpdesk_models import FaqEntry, Staff
from persistence.models import utcnow

log = logging.getLogger(__name__)

MAX_QUESTIONS = 10
MAX_QUESTION_CHARS = 200
MAX_ANSWER_CHARS = 2000
BOT_THRESHOLD = 0.72  # the bot answers with a staff entry only when the question is close
SEARCH_THRESHOLD = 0.35
STAFF_DOC = "staff"
CITATION_FIELDS = ("doc", "title", "clause", "quote")


class FaqInputError(ValueError):
    """An FAQ entry that cannot be saved (message in Chinese)."""


@dataclass(frozen=True)
class StaffCitation:
    doc: str
    title: str
    clause: str
    quote: str

    def model_dump(self) -> dict[str, str]:
        return {"doc": self.doc, "title": self.title, "clause": self.clause, "quote": self.quote}


@dataclass(frozen=True)
class StaffFaqHit:
    """Shaped like knowledge.api.FaqHit, so that the FAQ search renders it the same way."""

    question: str
    answer: str
    citations: list[StaffCitation]
    score: float
    program: str
    topic: str | None = "staff"
    entry_id: int = 0


@dataclass(frozen=True)
class EntryView:
    id: int
    questions: list[str]
    answer: str
    program: str | None
    citation: dict[str, Any] | None
    author: str
    created_at: datetime
    tokens: list[frozenset[str]] = field(default_factory=list, compare=False)

    def citations(self) -> list[StaffCitation]:
        if self.citation:
            return [StaffCitation(**{k: str(self.citation.get(k) or "") for k in CITATION_FIELDS})]
        who = f"工作人员{self.author}" if self.author else "工作人员"
        return [StaffCitation(STAFF_DOC, "人工客服解答", f"{who}，{self.created_at:%Y年%m月%d日}", self.answer)]

    def hit(self, score: float) -> StaffFaqHit:
        program = self.program or ""
        return StaffFaqHit(self.questions[0], self.answer, self.citations(), round(score, 6), program, "staff", self.id)


def _tokens(text: str) -> frozenset[str]:
    from knowledge.text import normalize, tokens  # jieba with the domain dictionary

    words = frozenset(tokens(text))
    return words or frozenset(normalize(text))


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def clean_questions(raw: Sequence[str]) -> list[str]:
    questions = list(dict.fromkeys(q.strip() for q in raw if isinstance(q, str) and q.strip()))
    if not questions:
        raise FaqInputError("请至少填写一个问题")
    if len(questions) > MAX_QUESTIONS:
        raise FaqInputError(f"问题写法最多{MAX_QUESTIONS}个")
    if any(len(q) > MAX_QUESTION_CHARS for q in questions):
        raise FaqInputError(f"每个问题不超过{MAX_QUESTION_CHARS}字")
    return questions


def clean_citation(raw: dict[str, Any] | None) -> dict[str, str] | None:
    if not raw:
        return None
    citation = {key: str(raw.get(key) or "").strip()[:2000] for key in CITATION_FIELDS}
    if not citation["title"] or not citation["clause"]:
        raise FaqInputError("引用依据需包含文件标题和条款位置")
    return citation


class StaffFaqRepository:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._token_cache: dict[tuple[int, str], frozenset[str]] = {}
        self._lock = threading.Lock()

    def add(self, questions: Sequence[str], answer: str, *, program: str | None = None,
            citation: dict[str, Any] | None = None, staff_id: int | None = None,
            handoff_id: int | None = None) -> FaqEntry:
        cleaned = clean_questions(questions)
        answer = answer.strip()
        if not answer:
            raise FaqInputError("答案不能为空")
        if len(answer) > MAX_ANSWER_CHARS:
            raise FaqInputError(f"答案不超过{MAX_ANSWER_CHARS}字")
        entry = FaqEntry(questions=cleaned, answer=answer, program=(program or None), citation=clean_citation(citation),
                         staff_id=staff_id, handoff_id=handoff_id, active=True, created_at=utcnow())
        with self._sessions.begin() as db:
            db.add(entry)
        log.info("staff FAQ entry %d added by staff=%s (%d variants)", entry.id, staff_id, len(cleaned))
        return entry

    def deactivate(self, entry_id: int) -> bool:
        with self._sessions.begin() as db:
            return db.execute(update(FaqEntry).where(FaqEntry.id == entry_id, FaqEntry.active.is_(True))
                              .values(active=False)).rowcount == 1

    def entries(self) -> list[EntryView]:
        """The active entries, newest first, with their tokens (cached per entry)."""
        with self._sessions() as db:
            rows = db.execute(
                select(FaqEntry, Staff.display_name).outerjoin(Staff, Staff.id == FaqEntry.staff_id)
                .where(FaqEntry.active.is_(True)).order_by(FaqEntry.id.desc())
            ).all()
        views = []
        for entry, author in rows:
            tokens = [self._tokens_of(entry.id, q) for q in entry.questions or []]
            views.append(EntryView(entry.id, list(entry.questions or []), entry.answer, entry.program,
                                   entry.citation, author or "", entry.created_at, tokens))
        return views

    def _tokens_of(self, entry_id: int, question: str) -> frozenset[str]:
        key = (entry_id, question)
        with self._lock:
            cached = self._token_cache.get(key)
        if cached is None:
            cached = _tokens(question)
            with self._lock:
                self._token_cache[key] = cached
        return cached

    def search(self, question: str, program: str | None = None, threshold: float = SEARCH_THRESHOLD) -> list[StaffFaqHit]:
        """Entries whose question variants resemble ``question``, best first."""
        asked = _tokens(question)
        hits = []
        for view in self.entries():
            if program and view.program and view.program != program:
                continue
            score = max((similarity(asked, variant) for variant in view.tokens), default=0.0)
            if score >= threshold:
                hits.append(view.hit(score))
        return sorted(hits, key=lambda h: h.score, reverse=True)


class StaffFaqKnowledge:
    """A knowledge service whose FAQ search also returns the staff entries (first, when they
    match); everything else is the wrapped service's."""

    def __init__(self, base: Any, repository: Callable[[], StaffFaqRepository | None]) -> None:
        self._base = base
        self._repository = repository

    def __getattr__(self, name: str) -> Any:
        return getattr(self._base, name)

    def search_faq(self, query: str, program: str | None = None, top_k: int = 5) -> list[Any]:
        hits = list(self._base.search_faq(query, program, top_k))
        repository = self._repository()
        if repository is None:
            return hits
        try:
            staff_hits = repository.search(query, program)
        except Exception:
            log.exception("staff FAQ entries unavailable")
            return hits
        return (staff_hits + hits)[:top_k]


def with_staff_faq(loader: Callable[[], Any], repository: Callable[[], StaffFaqRepository | None]) -> Callable[[], Any]:
    """Wrap a knowledge loader (see gateway.knowledge_service.KnowledgeProvider)."""
    return lambda: StaffFaqKnowledge(loader(), repository)


# --- the action server's side: a read-only look-up on DATABASE_URL -----------------------------


@lru_cache(maxsize=1)
def _repository_for(url: str) -> StaffFaqRepository:
    from persistence.database import create_db_engine, make_session_factory

    engine: Engine = create_db_engine(url)
    return StaffFaqRepository(make_session_factory(engine))


def answer_for(question: str, programs: Sequence[str] = ()) -> StaffFaqHit | None:
    """The staff answer to ``question`` if a saved entry matches it closely (else None, also
    when the database cannot be read: the bot then answers from the notices). ``programs``:
    the programs the question names (an entry about another program does not answer it)."""
    from persistence.settings import StoreSettings  # read each time: cheap, and follows DATABASE_URL

    if not question or question.startswith("/"):
        return None
    program = programs[0] if len(programs) == 1 else None
    try:
        hits = _repository_for(StoreSettings().database_url).search(question, program, BOT_THRESHOLD)
    except Exception as exc:
        log.warning("staff FAQ look-up failed: %s: %s", type(exc).__name__, exc)
        return None
    return hits[0] if hits else None
