"""Applicants' words for what the notices name otherwise (胶装 → 装订, 没按时 → 未按期), from the
`synonyms:` section of topics.yml, and words that are theirs only before a quantity (`synonym_patterns:`,
"延18个月" → 延期18个月). Applied to questions and to the indexed facts alike, so a fact's own example
questions written in applicants' words still match."""
from __future__ import annotations

import re
from collections.abc import Mapping

from .text import normalize


class Synonyms:
    def __init__(self, mapping: Mapping[str, str] | None, patterns: Mapping[str, str] | None = None):
        pairs = {normalize(word): normalize(canonical) for word, canonical in (mapping or {}).items()}
        self._pairs = sorted(pairs.items(), key=lambda pair: len(pair[0]), reverse=True)
        self._patterns = [(re.compile(pattern), normalize(canonical)) for pattern, canonical in (patterns or {}).items()]

    def apply(self, text: str) -> str:
        """The normalised text with every applicant's word replaced by the notices' word."""
        replaced = normalize(text)
        for word, canonical in self._pairs:
            replaced = replaced.replace(word, canonical)
        for pattern, canonical in self._patterns:
            replaced = pattern.sub(canonical, replaced)
        return replaced
