"""The question files of `make eval` (format of ../shared/eval/dev_qa.yml), their checker, the
refusal-only baseline, and answering a case through the knowledge library without Rasa.

Used by scripts/eval.py (through /api/chat) and tests/eval/test_eval_floor.py (library only)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from knowledge.reply import Reply
    from knowledge.api import KnowledgeBase

REPO = Path(__file__).resolve().parent.parent
EVAL_DIR = REPO / "tests" / "eval"
SHARED_SAMPLE = REPO.parent / "shared" / "eval" / "dev_qa.yml"
DEFAULT_FILES = [*sorted(EVAL_DIR.glob("*.yml")), SHARED_SAMPLE]
# Categories whose right answer is a refusal or "the notices do not say": a refusal may pass them.
REFUSAL_CATEGORIES = frozenset({"oos", "unknown", "unanswerable"})


@dataclass(frozen=True)
class Case:
    id: str
    cat: str
    turns: tuple[str, ...]
    expect: tuple[str, ...]
    reject: tuple[str, ...]
    file: str


def question_files() -> list[Path]:
    """Every tests/eval/*.yml except the floors, plus the shared sample when present."""
    return [f for f in DEFAULT_FILES if f.exists() and f.name != "floors.yml"]


def load_cases(path: Path) -> list[Case]:
    raw: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
    return [
        Case(
            id=str(c["id"]), cat=c["cat"], turns=tuple(c["turns"]), expect=tuple(c["expect"]),
            reject=tuple(c.get("reject") or ()), file=path.name,
        )
        for c in raw
    ]


def passes(case: Case, text: str) -> bool:
    """Every `expect` regex matches the reply to the last turn and no `reject` regex does."""
    return all(re.search(p, text) for p in case.expect) and not any(re.search(p, text) for p in case.reject)


def shown_text(text: str, button_titles: list[str]) -> str:
    """What the checker reads: the message text and the button titles, one per line."""
    return "\n".join([text, *button_titles])


def reply_shown_text(reply: "Reply") -> str:
    return shown_text(reply.text, [b.title for b in reply.buttons])


def refusal_texts(kb: "KnowledgeBase") -> list[str]:
    """The replies the assistant gives instead of an answer, exactly as built by the actions:
    out of scope (action_out_of_scope) and not understood, once and twice (action_fallback)."""
    from messaging import NOT_UNDERSTOOD, NOT_UNDERSTOOD_AGAIN

    leads = ({}, {"lead": NOT_UNDERSTOOD}, {"lead": NOT_UNDERSTOOD_AGAIN})
    return [reply_shown_text(kb.composer.out_of_scope(**lead)) for lead in leads]


def refusal_passes(case: Case, refusals: list[str]) -> bool:
    """A refusal-only assistant would get this case right."""
    return any(passes(case, text) for text in refusals)


def answer_with_library(kb: "KnowledgeBase", case: Case) -> str:
    """The reply to the last turn as action_answer_question composes it (no Rasa: no NLU intent or
    entities, no staff FAQ), carrying its slots (programs, topic, last_question) between turns."""
    from knowledge.reply import Context

    context = Context()
    text = ""
    for turn in case.turns:
        reply = kb.answer(turn, context=context)
        context = Context(programs=tuple(reply.programs) or context.programs, topic=reply.topic, question=reply.question,
                          situation=reply.situation)
        text = reply_shown_text(reply)
    return text
