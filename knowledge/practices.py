"""How the applicant says they do a thing the notices require one way (双面打印, 纸质版同步报送,
原件盖章…), checked against the sentence of a fact that requires it. The ways are data
(knowledge/data/practices.yml); this module only matches them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

PRACTICES_FILE = Path(__file__).resolve().parent / "data" / "practices.yml"
# Doing it the required way is a verdict only about the asker's own doing ("我们双面打印的，行吗");
# "需要双面打印吗" asks for the rule.
_OWN_DOING = re.compile(r"我|咱|已经|已|打算|准备|计划|想")


@dataclass(frozen=True)
class Practice:
    name: str
    says: str
    required: re.Pattern[str]
    contrary: re.Pattern[str]
    complying: re.Pattern[str]


@dataclass(frozen=True)
class PracticeSaid:
    practice: Practice
    complies: bool


def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\s+", "", text))  # folded YAML may break a long pattern over lines


@lru_cache(maxsize=1)
def load_practices(path: Path = PRACTICES_FILE) -> tuple[Practice, ...]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return tuple(
        Practice(entry["name"], entry["says"], _pattern(entry["required"]), _pattern(entry["contrary"]), _pattern(entry["complying"]))
        for entry in entries
    )


def practice_said(question: str, practices: tuple[Practice, ...] | None = None) -> PracticeSaid | None:
    """The first practice the question says the applicant departs from, else the first it says
    they follow (departing wins: "复印件盖了公章" departs from 原件; "纸质材料自己送过去" departs
    from 单位统一报送 though it also hands in paper)."""
    entries = practices if practices is not None else load_practices()
    for practice in entries:  # departing from any practice first: it is what the question is about
        if practice.contrary.search(question):
            return PracticeSaid(practice, complies=False)
    for practice in entries:
        if practice.complying.search(question) and _OWN_DOING.search(question):
            return PracticeSaid(practice, complies=True)
    return None


def states_requirement(practice: Practice, text: str) -> bool:
    return practice.required.search(text) is not None


def verdict_line(said: PracticeSaid) -> str:
    if said.complies:
        return f"可以：通知要求{said.practice.says}，您说的做法与之相符。"
    return f"不可以：通知要求{said.practice.says}。"
