"""What the official templates ask for in each section, as answerable facts generated from the
form schemas (the single source of the outline), so "建设方案要写哪几块" and "已有工作基础写什么"
are answered from the same text the form dialogue shows."""
from __future__ import annotations

from itertools import groupby

from knowledge.models import CitationRef, Statement
from knowledge.sources import Source, squeeze

from .schema import FieldSpec, FormSchema, SectionSpec

ASK_WORDS = ["写什么", "怎么写", "写哪些", "要写啥", "内容", "包括", "大纲", "提纲", "结构"]


def _clause_quoting(source: Source, *quotes: str, form_title: str = "") -> str | None:
    """The clause whose text contains every quote: the form's own (named by its title) first."""
    wanted = [squeeze(q) for q in quotes]
    own = squeeze(form_title) if form_title else None
    clauses = sorted(source.clauses, key=lambda clause: not (own and own in squeeze(clause.name)))
    return next((clause.name for clause in clauses if all(w in squeeze(clause.text) for w in wanted)), None)


def _hinted_fields(section: SectionSpec) -> list[FieldSpec]:
    return [spec for spec in section.fields if spec.hint]


def _field_fact(form: FormSchema, section: SectionSpec, spec: FieldSpec, clause: str) -> Statement:
    where = f"{section.parent or ''}{section.title}"
    return Statement(
        id=f"{form.id}.outline.{spec.key}",
        title=f"{form.title}：{spec.label}",
        keywords=[spec.label, section.title, *ASK_WORDS],
        questions=[f"{spec.label}写什么", f"{spec.label}怎么写", f"申报书里{spec.label}要写哪些内容"],
        text=f"《{form.title}》{where}中“{spec.label}”应写：{spec.hint}",
        cite=CitationRef(clause=clause, quote=spec.hint or ""),
    )


def _parent_fact(form: FormSchema, parent: str, sections: list[SectionSpec], clause: str) -> Statement:
    parts = [f"{s.title}（{'、'.join(f.label for f in s.fields)}）" for s in sections]
    first_label = sections[0].fields[0].label
    return Statement(
        id=f"{form.id}.outline.{squeeze(parent)}",
        title=f"{form.title}：{parent}",
        keywords=[parent, *(s.title for s in sections), *ASK_WORDS, "正文", "哪几块", "几部分", "哪几部分"],
        questions=[f"{parent}包括哪几部分", f"{parent}要写哪几块", f"{parent}怎么写"],
        text=f"《{form.title}》“{parent}”分为：{'；'.join(parts)}。",
        cite=CitationRef(clause=clause, quote=first_label),
    )


def _section_fact(form: FormSchema, section: SectionSpec, clause: str) -> Statement:
    """"封面要填什么", "统计表应用场景那块填哪些数": the fields of a section without writing hints."""
    title = section.title.lstrip("0123456789.、一二三四五六七八九十")
    labels = "、".join(f"{spec.label}（{'/'.join(spec.choices)}）" if spec.choices else spec.label for spec in section.fields)
    return Statement(
        id=f"{form.id}.outline.{squeeze(section.title)}",
        title=f"{form.title}：{section.title}",
        keywords=[title, *(spec.label for spec in section.fields), "填什么", "填哪些", "要填", "栏目", "数据"],
        questions=[f"{title}填什么", f"{form.title}{title}要填哪些", f"{title}那块要填哪些数据"],
        text=f"《{form.title}》“{section.title}”填写：{labels}。",
        cite=CitationRef(clause=clause, quote=section.fields[0].label),
    )


def outline_facts(form: FormSchema, source: Source) -> list[Statement]:
    """One fact per hinted field, one per parent heading and one per section of plain fields, for
    the parts of ``form`` whose text is in ``source`` (a form shared with another program's
    template cites nothing of its own)."""
    facts: list[Statement] = []
    for section in form.sections:
        if section.parent or _hinted_fields(section) or len(section.fields) < 2:
            continue
        clause = _clause_quoting(source, *(spec.label for spec in section.fields), form_title=form.title)
        if clause:
            facts.append(_section_fact(form, section, clause))
    for section in form.sections:
        for spec in _hinted_fields(section):
            clause = _clause_quoting(source, spec.hint or "")
            if clause:
                facts.append(_field_fact(form, section, spec, clause))
    with_parent = [s for s in form.sections if s.parent and _hinted_fields(s)]
    for parent, group in groupby(with_parent, key=lambda s: s.parent or ""):
        sections = list(group)
        clause = _clause_quoting(source, sections[0].fields[0].label)
        if clause and any(f.id.startswith(f"{form.id}.outline.") for f in facts):
            facts.append(_parent_fact(form, parent, sections, clause))
    return facts
