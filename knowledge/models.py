"""Typed facts of the programs. One YAML file per program under data/programs/ loads into these."""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from .text import normalize

# Programs are data: the keys are the names of the files under data/programs/ (see loader.py).
PROGRAM_KEY_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"
ProgramKey = Annotated[str, StringConstraints(pattern=PROGRAM_KEY_PATTERN)]

Topic = Literal[
    "deadline", "eligibility", "documents", "directions", "submission",
    "contact", "procedure", "overview",
]
TOPICS: tuple[str, ...] = (
    "deadline", "eligibility", "documents", "directions", "submission",
    "contact", "procedure", "overview",
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CitationRef(Strict):
    """Where a fact comes from, as written in the program file: a clause path and a verbatim quote."""

    clause: str = Field(description="heading path in the cleaned source, e.g. '三、申报要求 > （一）申报资格'")
    quote: str = Field(min_length=2, description="verbatim text of the clause that states the fact")


class Citation(Strict):
    """A resolved citation, as shown to users."""

    doc: str
    title: str
    clause: str
    quote: str


class Item(Strict):
    """Common part of every answerable fact."""

    id: str
    title: str
    keywords: list[str] = []
    questions: list[str] = Field(default=[], description="ways applicants ask for this fact")
    cite: CitationRef


class Ruling(Strict):
    """What a statement allows or requires, so "…可以吗" gets its verdict from the rule itself:
    ``may`` (可申请提前验收), ``may_not`` (原则上牵头单位不允许调整), ``must`` (须同步报送纸质版).
    ``soft``: the notice says 原则上, so never a hard 不可以."""

    says: Literal["may", "may_not", "must"]
    soft: bool = False


class Statement(Item):
    """A rule, requirement or procedure step, stated in one short answer."""

    text: str
    ruling: Ruling | None = None
    for_states: list[str] = Field(default=[], description="project states (data/project_states.yml) this step is what to do in")


class Deadline(Item):
    kind: str = Field(description="集中受理, 线上申报, 网络申报, 书面报送, 验收资料上传, 延期申请, 年度总结, 评审, 公示, 研究期限, 建设周期 …")
    start: datetime | None = None
    end: datetime | None = None
    end_precision: Literal["minute", "day", "month"] = "minute"
    start_precision: Literal["minute", "day", "month"] = "day"
    daily_hours: str | None = Field(default=None, description="e.g. 9:00-17:00")
    note: str | None = None
    project_period: bool = Field(default=False, description="bounds the applicant's own project (研究期限, 建设周期)")
    follows: str | None = Field(default=None, description="id of the deadline whose end this one follows (到期后…)")
    within_months: int | None = Field(default=None, description="months after that end (到期后一个月内: 1)")
    early_allowed: bool = Field(default=False, description="acting before that end is allowed (可申请提前验收)")


class Document(Item):
    text: str
    copies: int | None = None


class Direction(Strict):
    number: int
    name: str
    aliases: list[str] = []
    description: str | None = Field(default=None, description="defaults to the cited clause text")
    cite: CitationRef


class Person(Strict):
    name: str
    phone: str | None = None


class Contact(Item):
    agency: str
    people: list[Person]
    role: str | None = None


class FamilyRole(Strict):
    """Membership of notices about the same pilot (the 5G pilot's Shanghai and national
    applications, its acceptance and its annual work)."""

    key: str = Field(description="the family's name, e.g. 5g-pilot; the same in every member's file")
    role: Literal["application", "overriding"] = Field(
        default="application",
        description="application: answers when only the family is named (5G试点 → sh5g and nat5g); "
        "overriding: a later notice about the pilot, which wins over the applications when named "
        "(上海5G试点验收 → accept)",
    )
    generic_words: list[str] = Field(
        default=[],
        description="words that name the family but none of its notices (5G, 试点); "
        "the family's words are those of all its members",
    )

    @field_validator("generic_words")
    @classmethod
    def _normalized(cls, words: list[str]) -> list[str]:
        return [normalize(word) for word in words]


class Program(Strict):
    key: ProgramKey
    name: str
    short_name: str
    label: str = Field(
        min_length=1,
        description="short label of FAQ filters, the web page's program list and the staff console; "
        "defaults to short_name",
    )
    order: int = Field(default=100, description="position in program lists and buttons (lower first, then key)")
    scope_text: str = Field(
        min_length=1,
        description="how the out-of-scope reply names this notice; notices with the same text are named "
        "once (上海市/国家5G+医疗健康应用试点（申报、验收、年度总结）); defaults to short_name",
    )
    family: FamilyRole | None = None
    aliases: list[str] = Field(description="how applicants name the program; used to detect it in questions")
    cue_words: list[str] = Field(
        default=[],
        description="subjects that imply the program (年度总结报告 → annual); detected like aliases but, "
        "unlike them, kept in the question for retrieval",
    )
    cue_patterns: list[str] = Field(
        default=[],
        description="regular expressions of subjects that imply the program when worded freely "
        "(牵头.{0,8}换 → annual: changing the lead unit of a running project)",
    )
    source: str = Field(description="key of the cleaned source under data/sources/")
    related: list[ProgramKey] = Field(default=[], description="programs whose facts may answer questions about this one")
    issuer: str
    number: str = ""
    issued: date
    published: date | None = None
    summary: str
    summary_cite: CitationRef
    deadlines: list[Deadline] = []
    eligibility: list[Statement] = []
    documents: list[Document] = []
    directions: list[Direction] = []
    directions_cite: CitationRef | None = None
    directions_other: Statement | None = Field(
        default=None, description="the form's own 其他 box, for a direction outside the list"
    )
    submission: list[Statement] = []
    contacts: list[Contact] = []
    procedures: list[Statement] = []

    @model_validator(mode="before")
    @classmethod
    def _labels_default_to_short_name(cls, raw: Any) -> Any:
        if isinstance(raw, dict) and raw.get("short_name"):
            raw = {"label": raw["short_name"], "scope_text": raw["short_name"], **raw}
        return raw


def __getattr__(name: str) -> tuple[str, ...]:
    """``PROGRAM_KEYS``: the keys of the configured program files, read when first asked for."""
    if name == "PROGRAM_KEYS":
        from .loader import configured_knowledge

        return tuple(configured_knowledge().programs)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
