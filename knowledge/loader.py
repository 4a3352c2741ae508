"""Loads and validates the program fact files against the cleaned sources.

A wrong file fails loudly, naming the file and the field: a missing key, a bad date, or a
citation whose clause or quote is not in the source (so every fact stays traceable)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import yaml
from pydantic import BaseModel, ValidationError

from .models import Citation, CitationRef, Program
from .programs import families
from .settings import get_settings
from .sources import Source, load_sources, squeeze


class KnowledgeError(ValueError):
    """A knowledge file is wrong; the message names the file and the field."""


@dataclass(frozen=True)
class KnowledgeData:
    programs: dict[str, Program]
    sources: dict[str, Source]

    def cite(self, program: Program, ref: CitationRef) -> Citation:
        source = self.sources[program.source]
        return Citation(doc=source.doc, title=source.title, clause=ref.clause, quote=ref.quote)


def _field_path(loc: tuple) -> str:
    return ".".join(str(part) for part in loc)


def _iter_citations(node: object, loc: tuple = ()) -> Iterator[tuple[tuple, CitationRef]]:
    if isinstance(node, CitationRef):
        yield loc, node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _iter_citations(getattr(node, name), loc + (name,))
    elif isinstance(node, (list, tuple)):
        for index, child in enumerate(node):
            yield from _iter_citations(child, loc + (index,))


def check_citations(program: Program, source: Source, file: Path) -> None:
    for loc, ref in _iter_citations(program):
        text = source.section_text(ref.clause)
        where = f"{file.name}: {_field_path(loc)}"
        if text is None:
            raise KnowledgeError(
                f"{where}: clause '{ref.clause}' not found in source '{source.key}'. "
                f"Known clauses: {source.clause_names()}"
            )
        if squeeze(ref.quote) not in squeeze(text):
            raise KnowledgeError(f"{where}: quote not found in clause '{ref.clause}': {ref.quote!r}")


def _check_unique_ids(program: Program, file: Path) -> None:
    seen: set[str] = set()
    for group in ("deadlines", "eligibility", "documents", "submission", "contacts", "procedures"):
        for index, item in enumerate(getattr(program, group)):
            if item.id in seen:
                raise KnowledgeError(f"{file.name}: {group}.{index}.id: duplicate id '{item.id}'")
            seen.add(item.id)


class _PlainLoader(yaml.SafeLoader):
    """YAML without implicit dates: pydantic parses them, so a bad date names its field."""


_PlainLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_program(file: Path, sources: dict[str, Source]) -> Program:
    try:
        raw = yaml.load(file.read_text(encoding="utf-8"), Loader=_PlainLoader)
    except yaml.YAMLError as error:
        raise KnowledgeError(f"{file.name}: not valid YAML: {error}") from error
    try:
        program = Program.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        raise KnowledgeError(
            f"{file.name}: {_field_path(first['loc'])}: {first['msg']} ({error.error_count()} error(s))"
        ) from error
    if program.key != file.stem:
        raise KnowledgeError(f"{file.name}: key: '{program.key}' does not match the file name")
    if program.source not in sources:
        raise KnowledgeError(f"{file.name}: source: no cleaned source '{program.source}'")
    _check_unique_ids(program, file)
    check_citations(program, sources[program.source], file)
    return program


def _check_every_source_has_a_program(programs: dict[str, Program], sources: dict[str, Source]) -> None:
    """A cleaned source no program file uses is a program half added (or its file deleted)."""
    used = {program.source for program in programs.values()}
    for key in sources:
        if key not in used:
            raise KnowledgeError(f"sources/{key}.md: no program file uses this source (expected programs/{key}.yml)")


def _check_relations(programs: dict[str, Program]) -> None:
    """`related` names loaded programs; a family named by its generic words has a notice to answer."""
    for program in programs.values():
        for index, key in enumerate(program.related):
            if key not in programs:
                raise KnowledgeError(f"{program.key}.yml: related.{index}: unknown program '{key}'")
    deadline_ids = {d.id for p in programs.values() for d in p.deadlines}
    for program in programs.values():
        for index, deadline in enumerate(program.deadlines):
            if deadline.follows is not None and (deadline.follows not in deadline_ids or deadline.within_months is None):
                raise KnowledgeError(
                    f"{program.key}.yml: deadlines.{index}.follows: '{deadline.follows}' must name a loaded deadline, with within_months"
                )
    for family in families(programs).values():
        if family.generic_words and not family.applications:
            raise KnowledgeError(
                f"{family.members[0]}.yml: family.role: family '{family.key}' has generic words but no application notice"
            )


def load_knowledge(data_dir: Path | None = None) -> KnowledgeData:
    """Every program file under ``data_dir/programs`` (default: the configured KNOWLEDGE_DATA_DIR),
    in the order the files give (``order``, then key), with its cleaned source."""
    data_dir = data_dir or get_settings().data_dir
    sources = load_sources(data_dir / "sources")
    loaded = [load_program(file, sources) for file in sorted((data_dir / "programs").glob("*.yml"))]
    if not loaded:
        raise KnowledgeError(f"{data_dir / 'programs'}: no program files")
    programs = {program.key: program for program in sorted(loaded, key=lambda p: (p.order, p.key))}
    _check_every_source_has_a_program(programs, sources)
    _check_relations(programs)
    return KnowledgeData(programs=programs, sources=sources)


@lru_cache(maxsize=4)
def _knowledge_in(data_dir: Path) -> KnowledgeData:
    return load_knowledge(data_dir)


def configured_knowledge() -> KnowledgeData:
    """The configured data directory's programs and sources (no retrieval models), loaded once
    per process: what the gateway's program enum and labels are derived from."""
    return _knowledge_in(get_settings().data_dir)
