"""Which program(s) a question is about, from the aliases in the program files."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .models import Program
from .text import normalize, word_frequency

# Aliases this short ("上海的", "国家") name a program only when nothing more specific is said.
WEAK_ALIAS_MAX_CHARS = 3
# "申报和验收时的联系人分别是谁": both phases asked, so the application notice stays in.
# "上海注册的公司", "本市的医院": where the asker is, not which program is asked about.
ASKER_PLACE = re.compile(r"(上海|本市|沪)(市)?(注册|设立|本地|当地)?(的)?(公司|企业|医院|单位|机构|高校|大学|院校|厂商|团队|独立法人|法人|企事业单位|事业单位)")
# "2022年那个通知", "2024年的验收通知": a notice named by the year it was issued
NOTICE_OF_YEAR = re.compile(r"(?<!\d)(20\d{2}|\d{2})\s*年?(?:\d{1,2}\s*月份?)?(?:的|那个|那份|那次|那篇|发的|出的|印发的|发布的|下发的)?(?:[^，,。？?\d]|5g){0,6}?(?:通知|文件|发文)")
COMPARING = re.compile(r"分别|区别|不同|一样|同一个|是一个|一回事|相同|对比|比较|各是|各自")


@dataclass(frozen=True)
class Family:
    """Notices about the same pilot, from the program files' ``family``: naming an overriding
    notice (验收, 年度工作) wins over the application notices; the family's generic words alone
    ("5G试点") mean its application notices."""

    key: str
    members: tuple[str, ...]
    applications: tuple[str, ...]
    overriding: tuple[str, ...]
    generic_words: tuple[str, ...]

    def named_generically(self, text: str) -> bool:
        return any(word in text for word in self.generic_words)


def families(programs: dict[str, Program]) -> dict[str, Family]:
    """The families the program files declare, members in program order."""
    keys = dict.fromkeys(p.family.key for p in programs.values() if p.family)
    found = {}
    for family in keys:
        members = [p for p in programs.values() if p.family and p.family.key == family]
        found[family] = Family(
            key=family,
            members=tuple(p.key for p in members),
            applications=tuple(p.key for p in members if p.family and p.family.role == "application"),
            overriding=tuple(p.key for p in members if p.family and p.family.role == "overriding"),
            generic_words=tuple(dict.fromkeys(w for p in members if p.family for w in p.family.generic_words)),
        )
    return found


def scope_sentence(programs: dict[str, Program]) -> str:
    """What the assistant answers about, naming each notice once by its ``scope_text``."""
    names = list(dict.fromkeys(program.scope_text for program in programs.values()))
    listed = names[0] if len(names) == 1 else "、".join(names[:-1]) + "和" + names[-1]
    return f"我可以解答{listed}的截止时间、申报条件、材料、方向、报送方式、联系人和流程。"


@dataclass(frozen=True)
class Detection:
    programs: tuple[str, ...]
    # "5G试点" with neither 上海 nor 国家: a family named, not which of its notices
    generic_family: Family | None = None
    by_name: bool = False  # named in full or by a notice's own subject, not just "上海"/"国家"

    @property
    def generic_5g(self) -> bool:
        """Only a family's generic words were said (5G试点): could be any of its applications."""
        return self.generic_family is not None


class ProgramDetector:
    def __init__(self, programs: dict[str, Program]):
        self._families = families(programs)
        self._family_of = {key: family for family in self._families.values() for key in family.members}
        names = {(normalize(a), key) for key, program in programs.items() for a in [program.short_name, program.name, *program.aliases, *_number_names(program)]}
        cues = {(normalize(c), key) for key, program in programs.items() for c in program.cue_words}
        self._aliases = sorted(names, key=lambda pair: (-len(pair[0]), pair))  # ties in a fixed order, not a set's
        self._detectors = sorted(names | cues, key=lambda pair: (-len(pair[0]), pair))
        self._cue_words = {cue for cue, _ in cues}
        self._cue_patterns = [(re.compile(pattern), key) for key, program in programs.items() for pattern in program.cue_patterns]
        self._issued_in: dict[int, list[str]] = {}
        for key, program in programs.items():
            self._issued_in.setdefault(program.issued.year, []).append(key)

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

    def family_of(self, key: str) -> Family | None:
        return self._family_of.get(key)

    def detect(self, text: str) -> Detection:
        remaining = ASKER_PLACE.sub(" ", normalize(text))
        strong: list[str] = [key for pattern, key in self._cue_patterns if pattern.search(remaining)]
        weak: list[str] = []
        for year in NOTICE_OF_YEAR.findall(remaining):
            issued = self._issued_in.get(int(year) + (2000 if len(year) == 2 else 0), [])  # "22年那个通知"
            # one notice that year names it; several (2020: the national and the Shanghai call) only hint
            (strong if len(issued) == 1 else weak).extend(k for k in issued if k not in strong and k not in weak)
        for alias, key in self._detectors:
            if alias and alias in remaining and not _split_from_a_word(remaining, alias):
                remaining = remaining.replace(alias, "\u0000")
                # a subject only one notice covers (年报) is never weak, however short
                bucket = weak if len(alias) <= WEAK_ALIAS_MAX_CHARS and alias not in self._cue_words else strong
                if key not in bucket:
                    bucket.append(key)
        comparing = bool(COMPARING.search(text))
        # "上海5G试点验收": the Shanghai pilot's acceptance, named by its short word
        found = list(dict.fromkeys(strong + [k for k in weak if comparing or not strong or self._names_only_applications_of(k, strong)]))
        if not comparing:
            for family in self._families.values():
                if any(k in family.overriding for k in found):
                    found = [k for k in found if k not in family.applications]
        generic = None if found else next((f for f in self._families.values() if f.named_generically(remaining)), None)
        return Detection(programs=tuple(found), generic_family=generic, by_name=bool(strong))

    def _names_only_applications_of(self, key: str, strong: list[str]) -> bool:
        """A weak name of a family member counts beside strong names of that family's
        applications only ("上海5G试点" + "验收")."""
        family = self._family_of.get(key)
        return family is not None and all(k in family.applications for k in strong)


# A short name ("年报") read across a much more common word ("去年报过" is 去年 + 报过): not the name
SPLIT_WORD_MIN_FREQUENCY = 1000
SPLIT_WORD_RATIO = 3


def _split_from_a_word(text: str, alias: str) -> bool:
    """Every occurrence of a short alias begins with the last character of a much more common word."""
    if len(alias) > 2:
        return False
    starts = [m.start() for m in re.finditer(re.escape(alias), text)]
    threshold = max(SPLIT_WORD_MIN_FREQUENCY, SPLIT_WORD_RATIO * word_frequency(alias))
    return all(i > 0 and word_frequency(text[i - 1:i + 1]) >= threshold for i in starts)


def _number_names(program: Program) -> list[str]:
    """沪经信基〔2020〕1146号 names its notice, in full or as 1146号."""
    if not program.number:
        return []
    short = re.search(r"\d+号$", program.number)
    return [program.number, *([short.group()] if short else [])]
