"""What the composer hands back (a reply with its citations, buttons and what it decided) and
what the conversation carries into the next question (its context)."""
from __future__ import annotations

from dataclasses import dataclass, field

from .frame import Form
from .models import Citation, Ruling


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass
class Reply:
    text: str
    citations: list[Citation] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)
    topic: str | None = None
    question: str | None = None
    kind: str = "answer"  # answer | clarify | unknown | out_of_scope
    situation: str = ""  # what the applicant has said about themselves so far (carried to the next turn)
    ruling: Ruling | None = None  # what the fact answering it allows or requires
    form: Form | None = None  # what the question asked (knowledge/frame.py), for logs and analytics


@dataclass(frozen=True)
class Context:
    """What the conversation already established (carried by the dialogue between turns)."""

    programs: tuple[str, ...] = ()
    topic: str | None = None
    question: str | None = None
    situation: str = ""  # the applicant's own words about their unit, project or plans
