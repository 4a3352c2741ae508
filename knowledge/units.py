"""Flattens programs and sources into retrievable units, each with its citation."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from .forms.outline import outline_facts
from .forms.schema import FormSchema
from .loader import KnowledgeData
from .models import Citation, Contact, Deadline, Direction, Document, Program, Statement

FactItem = Union[Deadline, Statement, Document, Contact, Direction, Program]

GROUP_TOPICS = {
    "deadlines": "deadline",
    "eligibility": "eligibility",
    "documents": "documents",
    "submission": "submission",
    "contacts": "contact",
    "procedures": "procedure",
}


@dataclass(frozen=True)
class Unit:
    id: str
    program: str
    topic: str | None  # None for raw source clauses
    title: str
    search_text: str
    citation: Citation
    item: FactItem | None = None
    clause_text: str | None = None
    questions: tuple[str, ...] = field(default=())

    @property
    def is_fact(self) -> bool:
        return self.item is not None


def _item_search_text(*parts: object) -> str:
    return " ".join(str(p) for p in parts if p)


def _fact_unit(data: KnowledgeData, program: Program, topic: str, item: Deadline | Statement | Document | Contact) -> Unit:
    body = getattr(item, "text", "") or getattr(item, "note", "") or ""
    if isinstance(item, Contact):
        body = item.agency + " " + " ".join(f"{p.name} {p.phone or ''}" for p in item.people) + " " + (item.role or "")
    if isinstance(item, Deadline):
        body = f"{item.kind} {item.note or ''}"
    return Unit(
        id=item.id,
        program=program.key,
        topic=topic,
        title=item.title,
        search_text=_item_search_text(item.title, " ".join(item.keywords), " ".join(item.questions), body),
        citation=data.cite(program, item.cite),
        item=item,
        questions=tuple(item.questions),
    )


def _fact_units(data: KnowledgeData, program: Program, forms: list[FormSchema]) -> list[Unit]:
    units = [_fact_unit(data, program, topic, item) for group, topic in GROUP_TOPICS.items() for item in getattr(program, group)]
    source = data.sources[program.source]
    for form in forms:
        units.extend(_fact_unit(data, program, "documents", fact) for fact in outline_facts(form, source))
    for direction in program.directions:
        description = direction.description or source.section_text(direction.cite.clause) or ""
        units.append(
            Unit(
                id=f"{program.key}.direction.{direction.number}",
                program=program.key,
                topic="directions",
                title=direction.name,
                search_text=_item_search_text(direction.name, " ".join(direction.aliases), description),
                citation=data.cite(program, direction.cite),
                item=direction,
            )
        )
    if program.directions and program.directions_cite:
        names = " ".join(d.name for d in program.directions)
        units.append(
            Unit(
                id=f"{program.key}.directions",
                program=program.key,
                topic="directions",
                title="重点方向",
                search_text=_item_search_text("重点方向 有哪些方向 几个方向 方向列表 建议方向 可以选哪些方向 方向清单", names),
                citation=data.cite(program, program.directions_cite),
                item=program,
            )
        )
    units.append(
        Unit(
            id=f"{program.key}.overview",
            program=program.key,
            topic="overview",
            title=program.name,
            search_text=_item_search_text(program.summary, program.issuer, program.number, "发文 文号 发文单位 通知 介绍 发布 印发 日期"),
            citation=data.cite(program, program.summary_cite),
            item=program,
        )
    )
    return units


def _clause_units(data: KnowledgeData, program: Program) -> list[Unit]:
    source = data.sources[program.source]
    units = []
    for index, clause in enumerate(source.clauses):
        if clause.path[0] == "落款":
            continue
        units.append(
            Unit(
                id=f"{program.key}.clause.{index}",
                program=program.key,
                topic=None,
                title=clause.name,
                search_text=clause.name + " " + clause.text,
                citation=Citation(doc=source.doc, title=source.title, clause=clause.name, quote=clause.text),
                clause_text=clause.text,
            )
        )
    return units


def build_units(data: KnowledgeData, forms: dict[str, FormSchema] | None = None) -> list[Unit]:
    """Facts (with the outline of each program's forms) and raw clauses of every program."""
    forms = forms or {}
    units: list[Unit] = []
    for program in data.programs.values():
        units.extend(_fact_units(data, program, [f for f in forms.values() if f.program == program.key]))
        units.extend(_clause_units(data, program))
    return units
