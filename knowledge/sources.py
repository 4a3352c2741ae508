"""Cleaned policy notices (data/sources/*.md): front matter plus Markdown headings that name clauses."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

CLAUSE_SEPARATOR = " > "
_HEADING = re.compile(r"^(#{1,4})\s+(.*\S)\s*$")


@dataclass(frozen=True)
class Clause:
    source_key: str
    path: tuple[str, ...]
    text: str

    @property
    def name(self) -> str:
        return CLAUSE_SEPARATOR.join(self.path)


@dataclass(frozen=True)
class Source:
    key: str
    doc: str
    title: str
    meta: dict
    clauses: tuple[Clause, ...] = field(default=())

    def clause(self, name: str) -> Clause | None:
        return next((c for c in self.clauses if c.name == name), None)

    def section_text(self, name: str) -> str | None:
        """Text of a clause and all its sub-clauses (with their headings); None if no such clause."""
        parts = [
            (c.path[-1] + "\n" if c.name != name else "") + c.text
            for c in self.clauses
            if c.name == name or c.name.startswith(name + CLAUSE_SEPARATOR)
        ]
        return "\n".join(parts) if parts else None

    def clause_names(self) -> list[str]:
        return [c.name for c in self.clauses]


class SourceFormatError(ValueError):
    pass


def squeeze(text: str) -> str:
    """Text without whitespace, for comparing quotes with clause text across line wraps."""
    return re.sub(r"\s+", "", text)


def parse_source(path: Path) -> Source:
    raw = path.read_text(encoding="utf-8")
    if not raw.startswith("---"):
        raise SourceFormatError(f"{path}: 缺少 YAML front matter (missing front matter)")
    _, front, body = raw.split("---", 2)
    meta = yaml.safe_load(front) or {}
    for required in ("key", "doc", "title"):
        if not meta.get(required):
            raise SourceFormatError(f"{path}: front matter field '{required}' is missing")
    clauses: list[Clause] = []
    headings: list[tuple[int, str]] = []
    paragraphs: list[str] = []

    def flush() -> None:
        text = "\n".join(p for p in paragraphs if p.strip()).strip()
        # Clause paths leave out the document's own H1 title.
        path_ = tuple(h for level, h in headings if level > 1)
        if text and path_:
            clauses.append(Clause(meta["key"], path_, text))
        paragraphs.clear()

    for line in body.splitlines():
        match = _HEADING.match(line)
        if match:
            flush()
            level = len(match.group(1))
            headings = [(lvl, h) for lvl, h in headings if lvl < level] + [(level, match.group(2))]
        else:
            paragraphs.append(line)
    flush()
    return Source(key=meta["key"], doc=str(meta["doc"]), title=str(meta["title"]), meta=meta, clauses=tuple(clauses))


def load_sources(directory: Path) -> dict[str, Source]:
    sources = {}
    for path in sorted(directory.glob("*.md")):
        source = parse_source(path)
        sources[source.key] = source
    return sources
