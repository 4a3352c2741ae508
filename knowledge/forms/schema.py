"""Declarative form schemas: the single source of truth for dialogue, validation, storage and export.

One YAML file per official form under ``knowledge/data/forms/`` loads into a ``FormSchema``.
Values of a filled form are a plain JSON mapping: ``field key -> value`` for simple fields and
``group key -> list[{field key -> value}]`` for repeatable groups (e.g. 联合申报单位).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from knowledge.models import CitationRef

from .document_spec import DocumentSpec, TableLayout

# Labels of the pasted-paragraph entities (knowledge/forms/extract.py) a field's ``entity`` may name.
ENTITY_LABELS: tuple[str, ...] = ("UNIT", "ORG_CODE", "MOBILE", "PHONE", "EMAIL", "POSTCODE", "CONTACT", "LEADER", "ADDRESS")

FieldKind = Literal[
    "text",        # one line of free text (names, titles, addresses)
    "longtext",    # several paragraphs (建设方案 sections, 试点项目介绍)
    "org_code",    # 统一社会信用代码 (18, GB 32100) or 组织机构代码 (9, GB 11714)
    "mobile",      # mainland mobile number
    "phone",       # landline or mobile
    "email",
    "postcode",    # 6 digits
    "date",        # a calendar date, normalised to YYYY-MM-DD
    "choice",      # one of ``choices`` (plus free text when ``allow_other``)
    "yes_no",      # 是/否
    "integer",     # a count >= 0
    "amount",      # money in 万元, >= 0, two decimals at most
    "group",       # repeatable group of ``fields`` (e.g. 联合申报单位)
]


class FormModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldSpec(FormModel):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(description="the field's name exactly as printed on the official form")
    kind: FieldKind = "text"
    required: bool = True
    example: str | None = None
    hint: str | None = Field(default=None, description="what the official outline asks for in this section")
    max_length: int | None = Field(default=None, ge=1)
    choices: list[str] = []
    choices_from: Literal["directions"] | None = Field(
        default=None, description="fill ``choices`` from the program's directions when the schema loads"
    )
    allow_other: bool = Field(default=False, description="choice: 其他 with a free-text description is allowed")
    not_equal_to: str | None = Field(
        default=None, description="key of a top-level field this value must differ from (partner != lead unit)"
    )
    entity: str | None = Field(
        default=None, description="label of the pasted-paragraph entity (spaCy) that can fill this field"
    )
    fields: list[FieldSpec] = Field(default=[], description="group: the fields of one item")
    max_items: int | None = Field(default=None, ge=1, description="group: most items allowed")
    item_label: str | None = Field(default=None, description="group: name of one item, e.g. 联合申报单位")
    count_from: str | None = Field(
        default=None, description="group: the eligibility question whose answer is the number of items (partner_count)"
    )
    choice_aliases: dict[str, list[str]] = Field(
        default={}, description="choice: other words that name a choice (filled from the directions' aliases)"
    )
    min_value: float | None = Field(default=None, description="integer/amount: smallest value allowed")
    max_value: float | None = Field(default=None, description="integer/amount: largest value allowed")
    limit_note: str | None = Field(
        default=None, description="why the bound exists, told when a value is out of bounds (原则上拟延期时间不超过一年)"
    )
    same_as: str | None = Field(
        default=None,
        description="key of another field this one repeats (the cover's 申报单位 = 申报单位名称): never asked, "
        "exported with that field's value",
    )

    @property
    def is_group(self) -> bool:
        return self.kind == "group"

    @property
    def prompt(self) -> str:
        """The request as the form names the field: 请填写申报单位名称."""
        verb = "请选择" if self.kind in ("choice", "yes_no") else "请填写"
        return f"{verb}{self.label}"


class SectionSpec(FormModel):
    title: str = Field(description="heading as in the official template, e.g. 一、申报单位和申报项目基本情况")
    fields: list[FieldSpec]
    heading: bool = Field(
        default=True, description="False for parts the template prints without a heading (cover lines): labelled lines"
    )
    parent: str | None = Field(
        default=None, description="heading above this one, printed once (二、申报项目建设方案 above （一）项目实施方案)"
    )
    layout: TableLayout | None = Field(default=None, description="the section's table as the template draws it")


class SumRule(FormModel):
    """Consistency of sub-totals: sum(parts) <= total (e.g. 其中专利 + 其中软著 <= 专利/软著数量)."""

    parts: list[str]
    total: str
    message: str


class ChecklistItem(FormModel):
    """Something to attach, sign, stamp, print or submit with the form, with the clause that asks for it."""

    text: str
    cite: CitationRef
    source: str | None = Field(
        default=None,
        description="program whose notice holds the quote when it is not the form's own "
        "(the national template's attachments are printed only in the Shanghai notice)",
    )


class FormSchema(FormModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    program: str
    title: str = Field(description="the form's title as printed, e.g. 上海市5G+医疗健康应用试点项目申报书")
    filename: str = Field(description="base name of the exported document, without extension")
    cite: CitationRef = Field(description="where the notice prescribes this form (its attachment)")
    deadline: str | None = Field(
        default=None, description="id of the program's deadline by which this form is handed in (its round)"
    )
    keywords: list[str] = Field(
        default=[], description="words by which applicants name this form (延期, 成果统计…) when asking to fill it"
    )
    sections: list[SectionSpec]
    rules: list[SumRule] = []
    document: DocumentSpec = Field(default=DocumentSpec(), description="the paper layout of the exported document")
    checklist: list[ChecklistItem] = Field(default=[], description="what to attach, sign, stamp and submit")

    def top_fields(self) -> Iterator[FieldSpec]:
        """Top-level fields in form order (a group counts as one field)."""
        for section in self.sections:
            yield from section.fields

    def field(self, key: str) -> FieldSpec:
        for spec in self.top_fields():
            if spec.key == key:
                return spec
            for sub in spec.fields:
                if sub.key == key:
                    return sub
        raise KeyError(key)

    def asked_fields(self) -> Iterator[FieldSpec]:
        """Top-level fields the applicant answers, in form order (repeats of other fields left out)."""
        return (spec for spec in self.top_fields() if spec.same_as is None)

    def resolved(self, values: FormValues) -> FormValues:
        """The values with every repeated field (``same_as``) filled from the field it repeats."""
        filled = dict(values)
        for spec in self.top_fields():
            if spec.same_as is not None:
                filled[spec.key] = values.get(spec.same_as)
        return filled

    def section_of(self, key: str) -> SectionSpec:
        for section in self.sections:
            if any(spec.key == key for spec in section.fields):
                return section
        raise KeyError(key)


FormValues = dict[str, Any]
