"""Which program(s) a question is about, from the aliases in the program files."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .models import Program
from .text import normalize

# Aliases this short ("上海的", "国家") name a program only when nothing more specific is said.
WEAK_ALIAS_MAX_CHARS = 3
# The acceptance and annual-work notices are about the same Shanghai pilot: naming them wins.
OVERRIDING = ("accept", "annual")
GENERIC_5G = re.compile(r"5g|５ｇ|试点")
# "申报和验收时的联系人分别是谁": both phases asked, so the application notice stays in.
# "上海注册的公司", "本市的医院": where the asker is, not which program is asked about.
ASKER_PLACE = re.compile(r"(上海|本市|沪)(市)?(注册|设立|本地|当地)?(的)?(公司|企业|医院|单位|机构|高校|大学|院校|厂商|团队)")
COMPARING = re.compile(r"分别|区别|不同|一样|同一个|是一个|一回事|相同|对比|比较|各是|各自")


@dataclass(frozen=True)
class Detection:
    programs: tuple[str, ...]
    generic_5g: bool  # "5G试点" with neither 上海 nor 国家: could be sh5g or nat5g
    by_name: bool = False  # named in full or by a notice's own subject, not just "上海"/"国家"


class ProgramDetector:
    def __init__(self, programs: dict[str, Program]):
        names = {(normalize(a), key) for key, program in programs.items() for a in [program.short_name, program.name, *program.aliases, *_number_names(program)]}
        cues = {(normalize(c), key) for key, program in programs.items() for c in program.cue_words}
        self._aliases = sorted(names, key=lambda pair: -len(pair[0]))
        self._detectors = sorted(names | cues, key=lambda pair: -len(pair[0]))
        self._cue_words = {cue for cue, _ in cues}
        self._cue_patterns = [(re.compile(pattern), key) for key, program in programs.items() for pattern in program.cue_patterns]

    def is_cue_word(self, word: str) -> bool:
        """A subject that names a program (年度总结报告): not what a question asks about it."""
        return normalize(word) in self._cue_words

    def aliases(self) -> list[str]:
        return [alias for alias, _ in self._detectors]

    def strip(self, text: str) -> str:
        """The question without the words that name a program (the program filter covers them)."""
        remaining = normalize(text)
        for alias, _ in self._aliases:
            if alias:
                remaining = remaining.replace(alias, " ")
        return remaining

    def detect(self, text: str) -> Detection:
        remaining = ASKER_PLACE.sub(" ", normalize(text))
        strong: list[str] = [key for pattern, key in self._cue_patterns if pattern.search(remaining)]
        weak: list[str] = []
        for alias, key in self._detectors:
            if alias and alias in remaining:
                remaining = remaining.replace(alias, "\u0000")
                # a subject only one notice covers (年报) is never weak, however short
                bucket = weak if len(alias) <= WEAK_ALIAS_MAX_CHARS and alias not in self._cue_words else strong
                if key not in bucket:
                    bucket.append(key)
        comparing = bool(COMPARING.search(text))
        # "上海5G试点验收": the Shanghai pilot's acceptance, named by its short word
        found = list(dict.fromkeys(strong + [k for k in weak if comparing or not strong or k in ("sh5g", "nat5g", *OVERRIDING) and _only_5g(strong)]))
        if any(k in found for k in OVERRIDING) and not comparing:
            found = [k for k in found if k not in ("sh5g", "nat5g")]
        generic = not found and bool(GENERIC_5G.search(remaining))
        return Detection(programs=tuple(found), generic_5g=generic, by_name=bool(strong))


def _only_5g(strong: list[str]) -> bool:
    return all(k in ("sh5g", "nat5g") for k in strong)


def _number_names(program: Program) -> list[str]:
    """沪经信基〔2020〕1146号 names its notice, in full or as 1146号."""
    if not program.number:
        return []
    short = re.search(r"\d+号$", program.number)
    return [program.number, *([short.group()] if short else [])]
