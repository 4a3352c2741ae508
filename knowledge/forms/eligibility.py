"""Eligibility pre-check: questions and rules as data (data/eligibility/<program>.yml), verdicts cited.

A question asks one thing that decides eligibility; each of its rules breaks when a yes/no answer
equals ``fail_on`` or a number is below ``min`` / above ``max``. A broken rule makes the applicant
``not_eligible`` or, for rules the notice softens (原则上, 鼓励), ``needs_confirmation``; an
answer of 不确定 makes every rule of that question need confirmation. Questions are asked in
order, and the check stops at the first definite failure.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from knowledge.loader import KnowledgeData, KnowledgeError, _field_path, check_citations, load_knowledge
from knowledge.models import Citation, CitationRef
from knowledge.settings import DATA_DIR
from knowledge.situation import NUMBER, to_number

from .loader import get_knowledge_data
from .validators import Checked, half_width, is_unsure, parse_count, parse_yes_no

Status = Literal["eligible", "not_eligible", "needs_confirmation"]
Outcome = Literal["not_eligible", "needs_confirmation"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rule(_Strict):
    fail_on: bool | None = None
    min: float | None = None
    max: float | None = None
    outcome: Outcome = "not_eligible"
    reason: str  # the rule, as said whether it is met or not
    advice: str = ""  # what to do when it is not met (said only then)
    # for a unit joining as a partner: the notice does not say whether it must meet the rule
    # ("unclear"), or the rule is only the applying unit's ("exempt"); None: it applies to anyone asking
    partners: Literal["unclear", "exempt"] | None = None
    # False: meeting the rule does not decide the outcome (60分以上 is not yet 通过: the experts decide)
    sufficient: bool = True
    # the verdict's words when broken, where 不可以 would not answer the question (不属于验收范围, 按不通过处理)
    verdict: str = ""
    cite: CitationRef

    def reason_when_broken(self) -> str:
        return f"{self.reason.rstrip('。')}；{self.advice}" if self.advice else self.reason

    def broken_by(self, answer: Any) -> bool:
        if isinstance(answer, bool):
            return self.fail_on is not None and answer == self.fail_on
        return (self.min is not None and answer < self.min) or (self.max is not None and answer > self.max)


class Condition(_Strict):
    key: str
    equals: bool | int | float


class Question(_Strict):
    key: str
    prompt: str
    kind: Literal["yes_no", "integer", "ratio"]
    example: str
    rules: list[Rule] = []
    ask_if: Condition | None = None


class PartnersWelcome(_Strict):
    """Who the notice invites to join a consortium: the reason a partner may take part."""

    reason: str
    cite: CitationRef


class EligibilityCheck(_Strict):
    program: str
    title: str
    partners_welcome: PartnersWelcome | None = None
    # False: the rules decide answers only; the program's forms start with their fields
    pre_check: bool = True
    questions: list[Question]


@dataclass(frozen=True)
class Reason:
    text: str
    citation: Citation
    status: Literal["met", "not_eligible", "needs_confirmation"]
    question: str


@dataclass(frozen=True)
class Verdict:
    status: Status
    reasons: list[Reason]


# --- loading --------------------------------------------------------------------------------

def _check_structure(file: Path, check: EligibilityCheck) -> None:
    keys: list[str] = []
    for index, question in enumerate(check.questions):
        where = f"{file.name}: questions.{index}"
        if question.key in keys:
            raise KnowledgeError(f"{where}.key: duplicate key '{question.key}'")
        if question.ask_if is not None and question.ask_if.key not in keys:
            raise KnowledgeError(f"{where}.ask_if: '{question.ask_if.key}' is not an earlier question")
        for r_index, rule in enumerate(question.rules):
            numeric = rule.min is not None or rule.max is not None
            if (question.kind == "yes_no") != (rule.fail_on is not None) or (question.kind != "yes_no") != numeric:
                raise KnowledgeError(f"{where}.rules.{r_index}: a yes_no rule needs fail_on, a number rule min or max")
        keys.append(question.key)


def load_check(file: Path, knowledge: KnowledgeData) -> EligibilityCheck:
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
        check = EligibilityCheck.model_validate(raw)
    except yaml.YAMLError as error:
        raise KnowledgeError(f"{file.name}: not valid YAML: {error}") from error
    except ValidationError as error:
        first = error.errors()[0]
        raise KnowledgeError(f"{file.name}: {_field_path(first['loc'])}: {first['msg']}") from error
    if check.program != file.stem or check.program not in knowledge.programs:
        raise KnowledgeError(f"{file.name}: program: '{check.program}' must be the file name and a known program")
    _check_structure(file, check)
    check_citations(check, knowledge.sources[knowledge.programs[check.program].source], file)  # type: ignore[arg-type]
    return check


def load_checks(data_dir: Path = DATA_DIR, knowledge: KnowledgeData | None = None) -> dict[str, EligibilityCheck]:
    """The pre-checks by program key."""
    knowledge = knowledge or load_knowledge(data_dir)
    files = sorted((data_dir / "eligibility").glob("*.yml"))
    return {file.stem: load_check(file, knowledge) for file in files}


@lru_cache(maxsize=1)
def get_checks() -> dict[str, EligibilityCheck]:
    return load_checks(knowledge=get_knowledge_data())


# --- answers --------------------------------------------------------------------------------

_RATIO = re.compile(rf"^({NUMBER})\s*(?:[:：比/]\s*({NUMBER}))?(?:\s*倍)?$")


def parse_ratio(text: str) -> float | None:
    """1:1 → 1.0, 2比1 → 2.0, 一比一 → 1.0, 0.5 → 0.5; None when it is not a ratio."""
    match = _RATIO.match(half_width(text))
    if not match:
        return None
    left, right = to_number(match[1]), to_number(match[2] or "1")
    return left / right if left is not None and right else None


def parse_answer(question: Question, text: str) -> Checked:
    """是/否 → True/False, numbers → int/float, 不确定 → None (confirmation needed)."""
    if is_unsure(text):
        return Checked(True, None)
    if question.kind == "yes_no":
        answer = parse_yes_no(text)
        return Checked(True, answer) if answer is not None else Checked(False, message="请回答“是”“否”或“不确定”。")
    value = parse_count(text) if question.kind == "integer" else parse_ratio(text)
    if value is None:
        shape = "一个整数（阿拉伯数字）" if question.kind == "integer" else "比例，如 1:1"
        return Checked(False, message=f"请填写{shape}，例如：{question.example}；不清楚可回复“不确定”。")
    return Checked(True, value)


def _accepted(question: Question, value: Any) -> Any:
    """A value said elsewhere (the chat's applicant profile) as this question's answer, or None."""
    if question.kind == "yes_no":
        return value if isinstance(value, bool) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        return None
    return int(value) if question.kind == "integer" and value == int(value) else float(value) if question.kind == "ratio" else None


def known_answers(check: EligibilityCheck, profile: Mapping[str, Any]) -> dict[str, Any]:
    """The questions the applicant's profile already answers (its attributes are keyed like the
    questions: knowledge.situation reads them from the chat), in the questions' order. An answer
    that would stop the applicant is left out: that question is asked, so they confirm it."""
    known: dict[str, Any] = {}
    for question in check.questions:
        value = _accepted(question, profile.get(question.key))
        if value is not None and not _definitely_fails(question, {question.key: value}):
            known[question.key] = value
    return known


def answer_text(question: Question, value: Any) -> str:
    """An answer as the applicant would say it: 是 / 否 / 不确定 / 2 / 1:1."""
    if value is None:
        return "不确定"
    if question.kind == "yes_no":
        return "是" if value else "否"
    return f"{value:g}:1" if question.kind == "ratio" else f"{value:g}"


def _applies(question: Question, answers: dict[str, Any]) -> bool:
    """Asked unless its condition is answered otherwise (an unsure gate still asks)."""
    gate = question.ask_if
    return gate is None or (gate.key in answers and answers[gate.key] in (gate.equals, None))


def _definitely_fails(question: Question, answers: dict[str, Any]) -> bool:
    answer = answers.get(question.key)
    return answer is not None and any(r.outcome == "not_eligible" and r.broken_by(answer) for r in question.rules)


def next_question(check: EligibilityCheck, answers: dict[str, Any]) -> Question | None:
    """The next question to ask; None when decided (a definite failure, or everything asked)."""
    for question in check.questions:
        if not _applies(question, answers):
            continue
        if question.key not in answers:
            return question
        if _definitely_fails(question, answers):
            return None
    return None


# --- verdict --------------------------------------------------------------------------------

def _cite(check: EligibilityCheck, ref: CitationRef) -> Citation:
    data = get_knowledge_data()
    return data.cite(data.programs[check.program], ref)


def _reasons(check: EligibilityCheck, question: Question, answers: dict[str, Any]) -> list[Reason]:
    reasons = []
    for rule in question.rules:
        citation = _cite(check, rule.cite)
        if question.key not in answers:
            reasons.append(Reason(f"尚未回答：{question.prompt}（{rule.reason}）", citation, "needs_confirmation", question.key))
        elif answers[question.key] is None:
            reasons.append(Reason(f"需要确认：{rule.reason}", citation, "needs_confirmation", question.key))
        elif rule.broken_by(answers[question.key]):
            reasons.append(Reason(rule.reason_when_broken(), citation, rule.outcome, question.key))
        else:
            reasons.append(Reason(rule.reason, citation, "met", question.key))
    return reasons


def evaluate(check: EligibilityCheck, answers: dict[str, Any]) -> Verdict:
    """not_eligible if a hard rule is broken; needs_confirmation if a soft rule is broken or an answer
    is unsure or missing; otherwise eligible. Reasons: the rules that decide (all of them when eligible)."""
    reasons = [reason for q in check.questions if _applies(q, answers) for reason in _reasons(check, q, answers)]
    hard = [reason for reason in reasons if reason.status == "not_eligible"]
    soft = [reason for reason in reasons if reason.status == "needs_confirmation"]
    if hard:  # questions left unasked after a definite failure are not reasons
        return Verdict("not_eligible", hard + [reason for reason in soft if reason.question in answers])
    if soft:
        return Verdict("needs_confirmation", soft)
    return Verdict("eligible", reasons)


_HEADLINES = {
    "eligible": "预审结果：符合申报条件。",
    "not_eligible": "预审结果：不符合申报条件。",
    "needs_confirmation": "预审结果：需要进一步确认。",
}
_REASON_HEADINGS = {"eligible": "已满足的条件：", "not_eligible": "原因：", "needs_confirmation": "请确认以下事项："}


def verdict_text(verdict: Verdict) -> str:
    """The verdict in Chinese, each reason with the clause it rests on."""
    lines = [_HEADLINES[verdict.status], _REASON_HEADINGS[verdict.status]]
    for number, reason in enumerate(verdict.reasons, 1):
        flag = "（需确认）" if verdict.status == "not_eligible" and reason.status == "needs_confirmation" else ""
        lines.append(f"{number}. {reason.text}{flag}")
        lines.append(f"   依据：《{reason.citation.title}》{reason.citation.clause}：“{reason.citation.quote}”")
    lines.append("以上为根据通知条款的自助预审，仅供参考，最终以主管部门审核为准。")
    return "\n".join(lines)
