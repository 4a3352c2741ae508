"""Homophone typos of the words the notices use (公式 → 公示, 远程茶房 → 远程查房, 练系人 →
联系人): a pinyin-keyed lookup of the knowledge base's own vocabulary, applied before answering.

A span of a question is replaced only when the notices never use it and exactly one word of
their vocabulary sounds the same (tones ignored, since applicants' input methods pick by sound)."""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from pypinyin import lazy_pinyin

from .text import STOPWORDS, normalize, tagged_words, words

MIN_CHARS, MAX_CHARS = 2, 4
MAX_QUESTION_CHARS = 300  # applicants' typos are in questions, not in pasted documents
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
# Words that describe or point (合适, 比较, 这样) are what the applicant meant, never a typo of a
# notice's noun or verb (合适 sounds like 核实): jieba's adjective, adverb, pronoun… tags.
_NEVER_TYPO_TAGS = ("a", "d", "r", "c", "p", "u", "y", "e", "o", "m", "q")
# A single character is kept only as a function word (各, 和, 的); 严 (a) or 张 (q) alone may well
# be a slip for a noun's character (严收 → 验收, 骑缝张 → 骑缝章).
_FUNCTION_TAGS = ("r", "c", "p", "u", "y", "e", "o")
# Adverbs that join a clause ("又想" is no 邮箱, "还要" no 环要): kept like function words; not 才,
# whose slip for 材 (才料 → 材料) is common.
_FUNCTION_ADVERBS = frozenset("又再也还都就只很太更最刚已曾")


class HomophoneCorrector:
    def __init__(self, texts: Iterable[str]):
        corpus = [normalize(t) for t in texts]
        self._corpus = " ".join(corpus)
        by_sound: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for word in {w for text in corpus for w in words(text)}:
            if MIN_CHARS <= len(word) <= MAX_CHARS and _CJK_RUN.fullmatch(word) and word not in STOPWORDS:
                by_sound[tuple(lazy_pinyin(word))].add(word)
        self._by_sound = {sound: next(iter(words)) for sound, words in by_sound.items() if len(words) == 1}

    def correct(self, text: str) -> str:
        if len(text) > MAX_QUESTION_CHARS:
            return text
        return _CJK_RUN.sub(lambda run: self._correct_run(run.group()), text)

    def _correct_run(self, run: str) -> str:
        sounds = lazy_pinyin(run)
        if len(sounds) != len(run):  # pypinyin keeps one syllable per character for CJK text
            return run
        chars = list(run)
        boundaries = _word_boundaries(run)
        kept = _describing_words(run)
        start = 0
        while start < len(run):
            replaced = False
            for size in range(min(MAX_CHARS, len(run) - start), MIN_CHARS - 1, -1):
                if start not in boundaries or start + size not in boundaries:
                    continue  # a span across words (是一家 → 是一) is no typo of one word
                span = run[start:start + size]
                word = self._by_sound.get(tuple(sounds[start:start + size]))
                if word and word != span and span not in self._corpus and not kept & set(range(start, start + size)):
                    chars[start:start + size] = [*word]
                    start += size
                    replaced = True
                    break
            if not replaced:
                start += 1
        return "".join(chars)


def _word_boundaries(run: str) -> set[int]:
    offsets, position = {0}, 0
    for word in words(run):
        position += len(word)
        offsets.add(position)
    return offsets


def _describing_words(run: str) -> set[int]:
    """Positions of the run's characters in words that describe or point rather than name."""
    positions, start = set(), 0
    for word, flag in tagged_words(run):
        if flag.startswith(_NEVER_TYPO_TAGS if len(word) > 1 else _FUNCTION_TAGS) or word in _FUNCTION_ADVERBS:
            positions.update(range(start, start + len(word)))
        start += len(word)
    return positions
