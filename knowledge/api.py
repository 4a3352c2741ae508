"""The knowledge base as one object: what actions and the gateway call."""
from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from .answers import AnswerComposer
from .render import overview_reply, units_reply
from .reply import Context, Reply
from .embedding import DenseEncoder, model_is_current, train_static_model
from .forms.loader import load_forms
from .loader import KnowledgeData, load_knowledge
from .models import Citation, Direction
from .overlay import apply_changes, current_overlay
from .programs import ProgramDetector
from .retrieval import HybridRetriever
from .settings import DATA_DIR, KnowledgeSettings, get_settings
from .synonyms import Synonyms
from .text import add_words, tokens
from .units import Unit, build_units
from .verdicts import VerdictEngine

log = logging.getLogger(__name__)
EMBEDDING_RECIPE_VERSION = "static-bpe-jieba-v2"


@dataclass(frozen=True)
class FaqHit:
    question: str | None
    answer: str
    citations: list[Citation]
    score: float
    program: str
    topic: str | None


def knowledge_stamp(data_dir: Path = DATA_DIR) -> str:
    """Hash of every knowledge file: the trained model and indexes are rebuilt when it changes."""
    digest = hashlib.sha256(EMBEDDING_RECIPE_VERSION.encode())
    for path in sorted(data_dir.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(data_dir)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def training_pairs(units: list[Unit]) -> list[tuple[str, str]]:
    """(question-like text, unit text) pairs drawn from the knowledge base itself."""
    pairs = []
    for unit in units:
        body = unit.search_text[:512]
        for question in unit.questions:
            pairs.append((question, body))
        pairs.append((unit.title, body))
        if unit.clause_text:
            sentences = [s for s in unit.clause_text.replace("\n", "。").split("。") if len(s) > 8]
            pairs.extend((s, body) for s in sentences[:6])
    return pairs


def ensure_embedding_model(settings: KnowledgeSettings, units: list[Unit]) -> str:
    """Returns the model location; trains the offline default model when missing or stale."""
    if settings.embedding_model:
        return settings.embedding_model
    stamp = knowledge_stamp()
    output = settings.trained_embedding_dir
    if not model_is_current(output, stamp):
        log.info("training the offline embedding model into %s", output)
        corpus = [u.search_text for u in units]
        train_static_model(training_pairs(units), corpus, output, stamp, segmenter=tokens)
    return str(output)


class KnowledgeBase:
    def __init__(self, data: KnowledgeData, retriever: HybridRetriever, composer: AnswerComposer):
        self.data = data
        self.retriever = retriever
        self.composer = composer
        self.overlay_version: tuple[int, int] = (0, 0)  # (change source, latest change) applied

    @classmethod
    def load(cls, settings: KnowledgeSettings | None = None, with_embeddings: bool = True, prefer_numpy: bool = False) -> "KnowledgeBase":
        """`prefer_numpy`: compute the offline static model without torch (for search-only processes)."""
        settings = settings or get_settings()
        data = load_knowledge()
        add_words(ProgramDetector(data.programs).aliases())  # before the embedding model segments anything
        units = build_units(data, load_forms(knowledge=data))
        encoder = (
            DenseEncoder(ensure_embedding_model(settings, units), segmenter=tokens, prefer_numpy=prefer_numpy)
            if with_embeddings else None
        )
        return cls.assemble(data, encoder, units)

    def with_data(self, data: KnowledgeData) -> "KnowledgeBase":
        """The same base over other facts (staff's round changes applied), reusing the encoder."""
        return self.assemble(data, self.retriever.encoder)

    @classmethod
    def assemble(cls, data: KnowledgeData, encoder: DenseEncoder | None, units: list[Unit] | None = None) -> "KnowledgeBase":
        detector = ProgramDetector(data.programs)
        add_words(detector.aliases())
        units = units if units is not None else build_units(data, load_forms(knowledge=data))
        topic_cues = yaml.safe_load((DATA_DIR / "topics.yml").read_text(encoding="utf-8"))
        synonyms = Synonyms(topic_cues.get("synonyms"), topic_cues.get("synonym_patterns"))
        retriever = HybridRetriever(units, encoder, tokenizer=lambda text: tokens(synonyms.apply(text)))
        retriever.warm_up()
        from .forms.eligibility import load_checks  # the rules of the pre-check: one source for verdicts too

        verdicts = VerdictEngine(data.cite, load_checks(knowledge=data), data.programs)
        return cls(data, retriever, AnswerComposer(data, retriever, detector, topic_cues, synonyms, verdicts))

    def program_keys(self) -> list[str]:
        return list(self.data.programs)

    def answer(self, text: str, intent: str | None = None, nlu_programs: list[str] | None = None, context: Context = Context()) -> Reply:
        return self.composer.answer(text, intent=intent, nlu_programs=nlu_programs, context=context)

    def search_faq(self, query: str, program: str | None = None, top_k: int = 5) -> list[FaqHit]:
        hits = self.retriever.search(query, programs=[program] if program else None, facts_only=True, top_k=top_k)
        results = []
        for hit in hits:
            unit = hit.unit
            owner = self.data.programs[unit.program]
            reply = self.composer.select.answer_one(owner, unit.topic or "overview", query) if unit.topic in ("directions", "overview") else units_reply(owner, [unit], unit.topic or "")
            short_name = self.data.programs[unit.program].short_name
            results.append(
                FaqHit(
                    question=unit.questions[0] if unit.questions else None,
                    answer=f"【{short_name}】{reply.text}",
                    citations=reply.citations,
                    score=round(hit.score, 6),
                    program=unit.program,
                    topic=unit.topic,
                )
            )
        return results

    def list_faq(self, program: str | None = None, topic: str | None = None) -> list[FaqHit]:
        """Every fact as a question and its cited answer, for browsing by program and topic."""
        results = []
        for unit in self.retriever.units:
            if not unit.is_fact or (program and unit.program != program) or (topic and unit.topic != topic):
                continue
            owner = self.data.programs[unit.program]
            if isinstance(unit.item, Direction):
                reply = self.composer.select.describe_directions(owner, [unit.item], "directions")
            elif unit.topic == "directions":
                reply = self.composer.select.answer_directions(owner, "directions", "")
            elif unit.topic == "overview":
                reply = overview_reply(owner, unit)
            else:
                reply = units_reply(owner, [unit], unit.topic or "")
            question = unit.questions[0] if unit.questions else unit.title
            results.append(FaqHit(question, f"【{owner.short_name}】{reply.text}", reply.citations, 1.0, unit.program, unit.topic))
        return results

    def helpdesk_contacts_text(self) -> str:
        return self.composer.helpdesk_contacts_text()


_load_lock = threading.Lock()


@lru_cache(maxsize=1)
def _load_once() -> KnowledgeBase:
    return KnowledgeBase.load(prefer_numpy=True)


_current: KnowledgeBase | None = None


def get_knowledge() -> KnowledgeBase:
    """The process's knowledge base, loaded on first use (thread-safe: a background warm-up and
    the first request never load it twice). The offline static model is computed in numpy, so
    serving needs no torch; a real model (EMBEDDING_MODEL) loads through sentence-transformers.
    Staff's round changes (knowledge/overlay.py) are applied over it, rebuilt when they change."""
    global _current
    with _load_lock:  # held while loading or rebuilding only: answering runs in parallel
        base = _load_once()
    overlay = current_overlay()
    version = overlay.version()
    if version == 0:
        return base
    wanted = (overlay.serial, version)
    current = _current
    if current is not None and current.overlay_version == wanted:
        return current
    with _load_lock:
        if _current is None or _current.overlay_version != wanted:
            rebuilt = base.with_data(apply_changes(base.data, overlay.changes()))
            rebuilt.overlay_version = wanted
            _current = rebuilt
            log.info("knowledge base rebuilt with the round changes up to %d", version)
        return _current


class LiveKnowledge:
    """What the gateway keeps: every call goes to the current base (round changes included)."""

    def __getattr__(self, name: str) -> object:
        return getattr(get_knowledge(), name)

    def snapshot(self) -> KnowledgeBase:
        """The base in use now (one object per set of round changes: callers may cache by it)."""
        return get_knowledge()


def get_search_knowledge() -> LiveKnowledge:
    get_knowledge()  # loaded now, not at the first request
    return LiveKnowledge()
