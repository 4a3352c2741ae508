"""Loads the form schemas (data/forms/*.yml) and checks them against the program facts and sources.

A wrong file fails loudly with a ``KnowledgeError`` naming the file and the field (as the program
loader does): a bad kind, a key used twice, a reference to a field that does not exist, an entity
label the extractor does not know, or a citation whose quote is not verbatim in its clause.
``choices_from: directions`` is filled from the program's directions, in their order.
"""
from __future__ import annotations

import copy
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from knowledge.loader import KnowledgeData, KnowledgeError, _field_path, _PlainLoader, check_citations, load_knowledge
from knowledge.models import Citation, CitationRef
from knowledge.overlay import apply_changes, forms_with_changes, with_current_changes
from knowledge.settings import DATA_DIR

from .schema import ENTITY_LABELS, FieldSpec, FormSchema

_NUMERIC_KINDS = ("integer", "amount")


def _read_yaml(file: Path) -> dict[str, Any]:
    try:
        raw = yaml.load(file.read_text(encoding="utf-8"), Loader=_PlainLoader)
    except yaml.YAMLError as error:
        raise KnowledgeError(f"{file.name}: not valid YAML: {error}") from error
    if not isinstance(raw, dict):
        raise KnowledgeError(f"{file.name}: expected a mapping of form attributes")
    return raw


def _validate(file: Path, raw: dict[str, Any]) -> FormSchema:
    try:
        return FormSchema.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        raise KnowledgeError(
            f"{file.name}: {_field_path(first['loc'])}: {first['msg']} ({error.error_count()} error(s))"
        ) from error


def _with_sections_from(file: Path, raw: dict[str, Any], raws: dict[str, tuple[Path, dict[str, Any]]]) -> dict[str, Any]:
    """``sections_from: <form id>`` takes the sections of another form (same template, other notice)."""
    origin = raw.get("sections_from")
    if origin is None:
        return raw
    if "sections" in raw:
        raise KnowledgeError(f"{file.name}: sections_from: give either sections or sections_from, not both")
    if origin not in raws or "sections_from" in raws[origin][1]:
        raise KnowledgeError(f"{file.name}: sections_from: no form '{origin}' with its own sections")
    merged = {name: value for name, value in raw.items() if name != "sections_from"}
    merged["sections"] = copy.deepcopy(raws[origin][1].get("sections"))
    return merged


def _located_fields(form: FormSchema) -> Iterator[tuple[str, FieldSpec, FieldSpec | None]]:
    """(field path, field, its group or None) for every field, groups' fields included."""
    for s_index, section in enumerate(form.sections):
        for f_index, spec in enumerate(section.fields):
            where = f"sections.{s_index}.fields.{f_index}"
            yield where, spec, None
            for g_index, sub in enumerate(spec.fields):
                yield f"{where}.fields.{g_index}", sub, spec


def _check_field(where: str, spec: FieldSpec, group: FieldSpec | None, top: dict[str, FieldSpec]) -> str | None:
    """What is wrong with one field's declaration, or None."""
    if spec.is_group and (group is not None or not spec.fields):
        return "a group needs fields and cannot sit inside another group"
    if not spec.is_group and (spec.fields or spec.max_items is not None or spec.count_from is not None):
        return f"fields/max_items/count_from only apply to kind 'group', not '{spec.kind}'"
    if spec.kind == "choice" and not (spec.choices or spec.choices_from):
        return "a choice needs choices or choices_from"
    if unknown := [choice for choice in spec.choice_aliases if choice not in spec.choices]:
        return f"choice_aliases: {unknown} are not among the choices"
    if (spec.min_value is not None or spec.max_value is not None) and spec.kind not in _NUMERIC_KINDS:
        return f"min_value/max_value only apply to integer or amount, not '{spec.kind}'"
    if spec.entity is not None and (spec.entity not in ENTITY_LABELS or group is not None):
        return f"entity '{spec.entity}' is not one of {list(ENTITY_LABELS)} on a top-level field"
    if spec.not_equal_to is not None and spec.not_equal_to not in top:
        return f"not_equal_to: no top-level field '{spec.not_equal_to}'"
    if spec.same_as is not None:
        target = top.get(spec.same_as)
        if target is None or target.same_as is not None or group is not None:
            return f"same_as: no asked top-level field '{spec.same_as}'"
    if spec.example is None and spec.same_as is None:
        return "every field needs an example"
    return None


def _check_structure(file: Path, form: FormSchema) -> None:
    if form.id != file.stem:
        raise KnowledgeError(f"{file.name}: id: '{form.id}' does not match the file name")
    top = {spec.key: spec for spec in form.top_fields()}
    seen: set[str] = set()
    for where, spec, group in _located_fields(form):
        if spec.key in seen:
            raise KnowledgeError(f"{file.name}: {where}.key: duplicate key '{spec.key}'")
        seen.add(spec.key)
        problem = _check_field(where, spec, group, top)
        if problem:
            raise KnowledgeError(f"{file.name}: {where}: {problem}")
    for index, section in enumerate(form.sections):
        if section.layout is not None and sorted(section.layout.keys()) != sorted(spec.key for spec in section.fields):
            raise KnowledgeError(f"{file.name}: sections.{index}.layout: must place each field of the section exactly once")
    for index, rule in enumerate(form.rules):
        for key in [*rule.parts, rule.total]:
            if key not in top or top[key].kind not in _NUMERIC_KINDS:
                raise KnowledgeError(f"{file.name}: rules.{index}: '{key}' is not an integer or amount field of this form")


def _resolve_choices(file: Path, form: FormSchema, knowledge: KnowledgeData) -> FormSchema:
    directions = knowledge.programs[form.program].directions
    raw = form.model_dump()
    for section in raw["sections"]:
        for spec in section["fields"] + [sub for spec in section["fields"] for sub in spec["fields"]]:
            if spec["choices_from"] != "directions":
                continue
            if not directions:
                raise KnowledgeError(f"{file.name}: {spec['key']}.choices_from: program '{form.program}' has no directions")
            spec["choices"] = [direction.name for direction in directions]
            spec["choice_aliases"] = {direction.name: list(direction.aliases) for direction in directions}
    return FormSchema.model_validate(raw)


def _check_form_citations(file: Path, form: FormSchema, knowledge: KnowledgeData) -> None:
    """Every quote verbatim in its clause; checklist items with ``source`` against that program's notice."""
    own_source = knowledge.sources[knowledge.programs[form.program].source]
    foreign = {index for index, item in enumerate(form.checklist) if item.source not in (None, form.program)}
    own_part = form.model_copy(update={"checklist": [i for n, i in enumerate(form.checklist) if n not in foreign]})
    check_citations(own_part, own_source, file)  # type: ignore[arg-type]  # walks any model's citations
    for index in sorted(foreign):
        item = form.checklist[index]
        if item.source not in knowledge.programs:
            raise KnowledgeError(f"{file.name}: checklist.{index}.source: no program '{item.source}'")
        try:
            check_citations(item, knowledge.sources[knowledge.programs[item.source].source], file)  # type: ignore[arg-type]
        except KnowledgeError as error:
            raise KnowledgeError(str(error).replace(f"{file.name}: ", f"{file.name}: checklist.{index}.", 1)) from error


def load_form(file: Path, raws: dict[str, tuple[Path, dict[str, Any]]], knowledge: KnowledgeData) -> FormSchema:
    raw = _with_sections_from(file, raws[file.stem][1], raws)
    form = _validate(file, raw)
    if form.program not in knowledge.programs:
        raise KnowledgeError(f"{file.name}: program: no program '{form.program}'")
    if form.deadline is not None and form.deadline not in {item.id for item in knowledge.programs[form.program].deadlines}:
        raise KnowledgeError(f"{file.name}: deadline: program '{form.program}' has no deadline '{form.deadline}'")
    _check_structure(file, form)
    _check_form_citations(file, form, knowledge)
    return _resolve_choices(file, form, knowledge)


def load_forms(data_dir: Path = DATA_DIR, knowledge: KnowledgeData | None = None) -> dict[str, FormSchema]:
    """Every form under ``data_dir/forms``, by id, in file-name order."""
    knowledge = knowledge or load_knowledge(data_dir)
    raws = {file.stem: (file, _read_yaml(file)) for file in sorted((data_dir / "forms").glob("*.yml"))}
    # Forms with their own sections first, so a mistake in shared sections names the file that has them.
    order = sorted(raws, key=lambda stem: "sections_from" in raws[stem][1])
    loaded = {stem: load_form(raws[stem][0], raws, knowledge) for stem in order}
    return {stem: loaded[stem] for stem in raws}


@lru_cache(maxsize=1)
def _notices() -> KnowledgeData:
    return load_knowledge()


def get_knowledge_data() -> KnowledgeData:
    """The program facts and sources (no retrieval models), loaded once per process, with staff's
    round changes applied (knowledge/overlay.py)."""
    return with_current_changes("data", _notices(), lambda changes: apply_changes(_notices(), changes))


@lru_cache(maxsize=1)
def _notices_forms() -> dict[str, FormSchema]:
    return load_forms(knowledge=_notices())


def get_forms() -> dict[str, FormSchema]:
    """The forms; a checklist naming a date staff changed names the new one."""
    return with_current_changes("forms", _notices_forms(),
                                lambda changes: forms_with_changes(_notices_forms(), _notices(), changes))


def forms_for_program(program: str) -> list[FormSchema]:
    return [form for form in get_forms().values() if form.program == program]


def resolve_citation(program: str, ref: CitationRef) -> Citation:
    """A form's or rule's citation as shown to users (document, title, clause, quote)."""
    data = get_knowledge_data()
    return data.cite(data.programs[program], ref)
