"""Applicants' words for what the notices name otherwise (胶装 → 装订, 没按时 → 未按期), from the
`synonyms:` section of topics.yml. Applied to questions and to the indexed facts alike, so a
fact's own example questions written in applicants' words still match."""
from __future__ import annotations

from collections.abc import Mapping

from .text import normalize


class Synonyms:
    def __init__(self, mapping: Mapping[str, str] | None):
        pairs = {normalize(word): normalize(canonical) for word, canonical in (mapping or {}).items()}
        self._pairs = sorted(pairs.items(), key=lambda pair: len(pair[0]), reverse=True)

    def apply(self, text: str) -> str:
        """The normalised text with every applicant's word replaced by the notices' word."""
        replaced = normalize(text)
        for word, canonical in self._pairs:
            replaced = replaced.replace(word, canonical)
        return replaced
