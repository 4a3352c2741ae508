"""The outcome analytics reads from a stored bot reply agrees with the composer's own Reply.kind,
on the real answers to the project's own question file (and the refusals the actions build)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from messaging import NOT_UNDERSTOOD, NOT_UNDERSTOOD_AGAIN
from gateway.helpdesk.outcomes import reply_outcome

QA = Path(__file__).resolve().parents[1] / "eval" / "qa.yml"
EXPECTED = {"unknown": "not_in_notices", "out_of_scope": "out_of_scope", "answer": "answered", "clarify": "answered"}


@pytest.fixture(scope="module")
def kb():
    from knowledge.api import get_knowledge

    return get_knowledge()


def test_outcomes_match_the_composers_kinds(kb):
    cases = yaml.safe_load(QA.read_text(encoding="utf-8"))["cases"]
    seen: dict[str, int] = {}
    wrong = []
    for case in cases:
        reply = kb.answer(case["turns"][0])
        outcome = reply_outcome(reply.text)
        seen[outcome] = seen.get(outcome, 0) + 1
        # a "not given" reply the composer wraps as an answer still says the notices do not say it
        not_given = reply.kind == "answer" and outcome == "not_in_notices" and "通知中没有给出" in reply.text
        if outcome != EXPECTED[reply.kind] and not not_given:
            wrong.append((case["id"], reply.kind, outcome, reply.text[:60]))
    assert not wrong, wrong
    assert seen["answered"] > 100 and seen["not_in_notices"] >= 10 and seen["out_of_scope"] >= 3


def test_refusals_and_form_steps(kb):
    assert reply_outcome(kb.composer.out_of_scope().text) == "out_of_scope"
    for lead in (NOT_UNDERSTOOD, NOT_UNDERSTOOD_AGAIN):
        assert reply_outcome(kb.composer.out_of_scope(lead=lead).text) == "fallback"
    assert reply_outcome("（3/20）请填写联系人手机\n例：13800000000") == "form_step"
    assert reply_outcome("【上海市5G+医疗健康应用试点】纸质材料一式五份。") == "answered"
