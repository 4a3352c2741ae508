"""The words each program's notices use: which program a question's subject words belong to,
which of its words no notice uses (a question the sources do not answer), and the names of the
programs' directions. Built once from the indexed units; read by the resolve and select steps."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from .models import Direction, Program
from .programs import ProgramDetector
from .text import NOUN_HEADS, content_terms, normalize, tokens
from .units import Unit
from .wording import asked_part, describes_asker


class Vocabulary:
    def __init__(self, programs: Mapping[str, Program], units: Iterable[Unit], detector: ProgramDetector):
        self._programs = programs
        self._detector = detector
        self.own = _own_texts(programs, units)  # each program's own notice and facts, normalised
        # with the notices of the same pilot it may be answered from
        self.with_related = {key: " ".join([self.own[key], *(self.own[o] for o in p.related)]) for key, p in programs.items()}
        self._everything = " ".join(self.with_related.values())
        self.direction_aliases = sorted(
            {normalize(a) for p in programs.values() for d in p.directions for a in direction_keys(d)}, key=lambda alias: (-len(alias), alias)
        )

    # --- which program ------------------------------------------------------------------------
    def only_program_using(self, question: str) -> list[str]:
        """The one program whose notice uses every subject word of a question that names no
        program (延期/终止表 only exists in the acceptance notice); none when several do."""
        if describes_asker(question):
            return []  # "我们社区卫生服务中心能不能报": who asks, not which notice
        owners = self.programs_using(question)
        return owners if len(owners) == 1 else []

    def programs_using(self, question: str) -> list[str]:
        """The programs whose notices use every subject word of the question."""
        terms = content_terms(self._detector.strip(question))
        if not terms:
            return []
        return [key for key, corpus in self.own.items() if all(t in corpus for t in terms)]

    def member_with_own_words(self, question: str, members: Iterable[str]) -> list[str]:
        """"5G试点想延期一年半": of a family's notices, the one whose words only it uses (延期 is
        only in the acceptance notice); none when the words point at no single one."""
        members = list(members)
        owners = set()
        for term in {t for t in tokens(self._detector.strip(question)) if len(t) >= 2}:
            users = [key for key in members if term in self.own.get(key, "")]
            if len(users) == 1:
                owners.add(users[0])
        return list(owners) if len(owners) == 1 else []

    def only_program_with_direction(self, question: str) -> list[str]:
        """"信息安全与共性标准研究方向要在几家单位应用": a direction only one program has."""
        named = set(self.directions_named(question))
        owners = [p.key for p in self._programs.values() if any(named & direction_keys(d) for d in p.directions)]
        return owners if len(owners) == 1 else []

    # --- what the notices never say -------------------------------------------------------------
    def missing_terms(self, program: Program, question: str) -> list[str]:
        """Words naming the subject of the question that the program's notices never use: the
        sign of a question the sources do not answer (资助金额, 申报费, 中期检查 …)."""
        corpus = self.with_related[program.key]
        return [t for t in content_terms(asked_part(question)) if unknown_term(t, corpus)]

    def missing_terms_anywhere(self, question: str) -> list[str]:
        """Subject words no notice ever uses: with no program named, the question is off topic."""
        return [t for t in content_terms(question) if unknown_term(t, self._everything)]

    def known_terms(self, question: str) -> list[str]:
        """Subject words of the question that some notice uses."""
        return [t for t in content_terms(question) if not unknown_term(t, self._everything)]

    # --- directions -----------------------------------------------------------------------------
    def directions_named(self, question: str) -> list[str]:
        remaining = re.sub(r"5g\s*\+", "", normalize(question))
        named = []
        for alias in self.direction_aliases:
            if len(alias) >= 2 and alias in remaining:
                named.append(alias)
                remaining = remaining.replace(alias, "\u0000")
        return named


def _own_texts(programs: Mapping[str, Program], units: Iterable[Unit]) -> dict[str, str]:
    texts: dict[str, list[str]] = {key: [] for key in programs}
    for unit in units:
        texts[unit.program].append(unit.search_text)
        if unit.clause_text:
            texts[unit.program].append(unit.clause_text)
    return {key: normalize(" ".join(parts)) for key, parts in texts.items()}


def unknown_term(term: str, corpus: str) -> bool:
    """A term the notices never use. Compounds of known words (注册地, 建设期) and segmentation
    slips count as known, unless their head (last character) is itself unknown (报名费)."""
    if term in corpus:
        return False
    if len(term) >= 3 and term[-1] in NOUN_HEADS:
        return True  # 申报费: a fee the notices never name, though 申报 and 经费 are known
    no_known_piece = not any(term[i:i + 2] in corpus for i in range(len(term) - 1))
    return no_known_piece or term[-1] not in corpus


def direction_keys(direction: Direction) -> set[str]:
    base = _strip_5g(direction.name)
    core = re.sub(r"[（(].*?[）)]", "", base)
    inner = re.findall(r"[（(](.*?)[）)]", base)
    return {_strip_5g(a) for a in direction.aliases} | {core, *inner} - {""}


def _strip_5g(name: str) -> str:
    return re.sub(r"^5g\s*\+?", "", normalize(name))
