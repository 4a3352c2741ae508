"""The question files of `make eval`, answered through the knowledge library (no Rasa), may not
fall below the floor kept in tests/eval/floors.yml: a rebuild cannot silently lose what works.

Each case is answered as action_answer_question answers it, the slots it sets (programs, topic,
last question) carried between the turns of a multi-turn case. Without Rasa there is no NLU intent
and no routing to the out-of-scope action, so the library scores differ from `make eval` (which
goes through /api/chat); the floor is the library's own accuracy. Raise a floor when quality rises;
never lower one to pass."""
from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from knowledge.api import KnowledgeBase, get_knowledge
from knowledge.settings import get_settings

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from eval_cases import (  # noqa: E402
    EVAL_DIR, REFUSAL_CATEGORIES, Case, answer_with_library, load_cases, passes, refusal_passes, refusal_texts,
)

FLOORS_FILE = EVAL_DIR / "floors.yml"
QUESTION_FILES = sorted(p for p in EVAL_DIR.glob("*.yml") if p != FLOORS_FILE)
TODAY = "2026-11-22"  # the day the held-out sets were written for ("today" in their comments)


def read_floors() -> dict[str, int]:
    return yaml.safe_load(FLOORS_FILE.read_text(encoding="utf-8"))["floors"]


def stack_only() -> dict[str, list[str]]:
    """Per file, the multi-turn cases the library alone cannot reproduce (measured by `make eval`)."""
    return yaml.safe_load(FLOORS_FILE.read_text(encoding="utf-8")).get("stack_only") or {}


def library_cases(path: Path) -> list[Case]:
    skipped = set(stack_only().get(path.name, []))
    return [case for case in load_cases(path) if case.id not in skipped]


@pytest.fixture(scope="module")
def kb() -> Iterator[KnowledgeBase]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ASSISTANT_TODAY", TODAY)
        get_settings.cache_clear()
        yield get_knowledge()  # cached per process: shared with the knowledge tests
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def misses(kb: KnowledgeBase) -> dict[str, list[tuple[Case, str]]]:
    """Per file, the cases the library gets wrong, with its reply."""
    result: dict[str, list[tuple[Case, str]]] = {}
    for path in QUESTION_FILES:
        answered = ((case, answer_with_library(kb, case)) for case in library_cases(path))
        result[path.name] = [(case, text) for case, text in answered if not passes(case, text)]
    return result


def describe(miss: tuple[Case, str]) -> str:
    case, text = miss
    return f"  {case.id} {list(case.turns)} expect={list(case.expect)}\n    -> {text[:200]!r}"


@pytest.mark.parametrize("path", QUESTION_FILES, ids=lambda p: p.name)
def test_accuracy_stays_at_or_above_the_floor(path: Path, misses: dict[str, list[tuple[Case, str]]]) -> None:
    total = len(library_cases(path))
    wrong = misses[path.name]
    accuracy = 100 * (total - len(wrong)) / total
    floor = read_floors().get(path.name)
    assert floor is not None, f"{path.name} has no floor: add it to {FLOORS_FILE.name} (today's accuracy {accuracy:.1f}%, rounded down)"
    assert accuracy >= floor, (
        f"{path.name}: {accuracy:.1f}% ({total - len(wrong)}/{total}) is below its floor {floor}%; "
        f"{len(wrong)} misses:\n" + "\n".join(describe(m) for m in wrong)
    )


def test_every_floor_names_a_question_file() -> None:
    names = {p.name for p in QUESTION_FILES}
    stale = sorted(set(read_floors()) - names)
    assert not stale, f"floors for files that no longer exist: {stale}"


def test_every_stack_only_case_exists() -> None:
    known = {(p.name, c.id) for p in QUESTION_FILES for c in load_cases(p)}
    stale = sorted((name, case_id) for name, ids in stack_only().items() for case_id in ids if (name, case_id) not in known)
    assert not stale, f"stack_only names cases that no longer exist: {stale}"


@pytest.mark.parametrize("path", QUESTION_FILES, ids=lambda p: p.name)
def test_no_fact_question_passes_with_the_refusal(path: Path, kb: KnowledgeBase) -> None:
    """A refusal is a right answer only to out-of-scope and unanswerable questions; any other
    expectation it meets does not check the fact (e.g. a number found inside a phone number of
    the refusal's contact list, or a word of its boilerplate)."""
    refusals = refusal_texts(kb)
    passed = [c.id for c in load_cases(path) if c.cat not in REFUSAL_CATEGORIES and refusal_passes(c, refusals)]
    assert not passed, f"{path.name}: the assistant's refusal passes these fact questions: {passed}"
