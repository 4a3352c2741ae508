"""A detail the question asks for that the answer does not hold (an e-mail, a word limit, a fee).

The notices give phones but no e-mails, outlines but no word limits: an answer that quietly gives
the closest fact ("刘娜的邮箱" → her phone) misleads. The kinds of detail are data
(data/asked_details.yml); the answer then opens by saying the notice does not give it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .text import normalize


@dataclass(frozen=True)
class AskedDetail:
    name: str
    asks: re.Pattern[str]
    looks_like: re.Pattern[str]


def load_asked_details(path: Path) -> list[AskedDetail]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [
        AskedDetail(item["name"], re.compile("|".join(item["asks"]), re.IGNORECASE), re.compile(item["looks_like"], re.IGNORECASE))
        for item in raw.get("details", [])
    ]


def missing_detail(details: list[AskedDetail], question: str, answer: str) -> AskedDetail | None:
    """The detail the question asks for, if the answer holds no value of it."""
    asked = normalize(question)
    for detail in details:
        if detail.asks.search(asked) and not detail.looks_like.search(answer):
            return detail
    return None
