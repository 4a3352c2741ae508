"""Chinese text handling shared by retrieval and answers: normalisation and jieba tokens."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import jieba

from .settings import DATA_DIR

DOMAIN_DICT = DATA_DIR / "jieba" / "domain_dict.txt"

# Words that carry no content in an applicant's question.
STOPWORDS = frozenset(
    """的 了 吗 呢 吧 啊 呀 么 嘛 哦 哈 是 在 有 和 与 及 或 我 我们 你 你们 您 他 她 它 这 那 这个 那个 哪个 哪些
    什么 怎么 怎样 如何 多少 几 请问 想问 问下 一下 下 请 麻烦 能 能否 可以 可不可以 要 需要 需不需要 会 就 都 也 还 又
    一 个 个人 对 对于 给 把 被 让 从 到 向 为 为了 啥 咋 谁 哪 哪里 哪儿 吗? 嗯 好 好的 谢谢 您好 你好 ? ? ! , 。 ， ？ ！
    、 ： : ； ; “ ” " ' （ ） ( ) 【 】 《 》 … - ~ 项目 申报 试点 医疗 健康 应用 5g + 上海 上海市 国家 市 的话 关于
    有没有 是不是 有关 相关 具体 情况 问题 一般 大概 现在 这次 本次 目前 之前 之后 以后 就行 就行了 就可以 就够了 行了""".split()
)


def normalize(text: str) -> str:
    """NFKC folds full-width letters, digits and punctuation; lower-case for Latin."""
    return unicodedata.normalize("NFKC", text).lower().strip()


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    tokenizer = jieba.Tokenizer()
    if DOMAIN_DICT.exists():
        tokenizer.load_userdict(str(DOMAIN_DICT))
    return tokenizer


def add_words(words: list[str]) -> None:
    """Teach the tokenizer extra terms (program aliases, direction names) so they stay whole."""
    tokenizer = _tokenizer()
    for word in words:
        if len(word) > 1:
            tokenizer.add_word(normalize(word), freq=2000)


def word_frequency(word: str) -> int:
    """How common a word is in the tokenizer's dictionary (0: not a word)."""
    return _tokenizer().FREQ.get(normalize(word), 0) or 0


_PUNCT = re.compile(r"^[\W_]+$")
# Parts of speech that name a thing an applicant asks about (jieba's tag set).
_CONTENT_TAGS = ("n", "vn", "nz", "l", "eng")
_NAME_TAGS = ("nr", "ns", "nt")
_INTERROGATIVE = re.compile(r"哪|几|啥|什么|多少")  # 哪年哪月, 几家: how it is asked, not what
_NUMBER = re.compile(r"^[\d.:%：]+$")  # people, places, organisations: named, not the subject asked about
_GENERIC_NOUNS = frozenset(
    "时候 东西 问题 事情 情况 地方 内容 方面 意思 时间 单位 项目 通知 老师 您好 区别 差别 讲究 版本 规定 政策 具体 要求 部委 部门 司局 领导 类型 种类 类别 名义 身份 名字 大家 人家 别人 资料".split()
)


@lru_cache(maxsize=1)
def _tagger():
    import jieba.posseg

    return jieba.posseg.POSTokenizer(_tokenizer())  # loads the tag dictionary: once per process


# Characters that end a noun compound the dictionary does not know (申报费, 评审费, 补助款): the
# segmenter splits them off, often as a verb, and the compound is the real subject.
NOUN_HEADS = frozenset("费款税价")


def _with_compounds(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    merged: list[tuple[str, str]] = []
    for word, flag in pairs:
        if merged and word in NOUN_HEADS and len(merged[-1][0]) >= 2 and merged[-1][1].startswith(_CONTENT_TAGS + ("v",)):
            merged[-1] = (merged[-1][0] + word, "n")
        else:
            merged.append((word, flag))
    return merged


def _is_event(word: str, flag: str) -> bool:
    """现场考察, 集中受理: four-character verbs name a step of the procedure, asked like a noun."""
    return flag == "v" and len(word) >= 4


def content_terms(text: str) -> list[str]:
    """Nouns (and noun-like words) of a question, the words its subject is made of."""
    pairs = tagged_words(text)  # no guessed words: only dictionary words can be 'unknown'
    return [
        word for word, flag in _with_compounds(pairs)
        if len(word) >= 2 and (flag.startswith(_CONTENT_TAGS) or _is_event(word, flag)) and not flag.startswith(_NAME_TAGS)
        and word not in STOPWORDS and word not in _GENERIC_NOUNS and not _NUMBER.match(word)
        and not _INTERROGATIVE.search(word)
    ]


def tagged_words(text: str) -> list[tuple[str, str]]:
    """jieba's words of a text with their part of speech, dictionary words only."""
    return [(p.word, p.flag) for p in _tagger().lcut(normalize(text), HMM=False)]


def words(text: str) -> list[str]:
    """jieba's words of a text, precise mode (no sub-words), as the dictionary cuts them."""
    return _tokenizer().lcut(normalize(text), HMM=False)


def tokens(text: str) -> list[str]:
    """Content tokens for BM25: jieba words (search mode adds sub-words) minus stopwords."""
    words = _tokenizer().lcut_for_search(normalize(text))
    return [w for w in words if w.strip() and w not in STOPWORDS and not _PUNCT.match(w)]


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
NUMBER = r"(?:\d+(?:\.\d+)?|[零〇一二两俩三四五六七八九十百千]{1,6})"
# "2021年1月19日", "1月19号": a day of the calendar (groups: year or None, month, day)
CALENDAR_DAY = re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")


_CN_NUMERAL = "[一二两三四五六七八九十]{1,3}"
# 2021.1.19 / 2021-01-19 / 2021/1/19: a day with its year, written with separators
_SEPARATED_DAY = re.compile(r"(?<![\d.])(20\d{2})\s*([./\-])\s*(\d{1,2})\s*\2\s*(\d{1,2})(?![\d.])")
# 1.19号 / 1/19下午 / 1-19 9点: month and day without the year, when a day or a time follows
_SHORT_DAY = re.compile(
    r"(?<![\d./\-:])(\d{1,2})\s*[./\-]\s*(\d{1,2})(?=\s*(?:[日号]|凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里|\d{1,2}\s*[点时:：]))"
)
_SPELLED_DAY = re.compile(rf"({_CN_NUMERAL})月({_CN_NUMERAL})[日号]")


def spelled_dates(text: str) -> str:
    """Days as applicants type them (2021.1.19, 1/19下午, 一月十八号) in the notices' form
    (2021年1月19日, 1月19日, 1月18日), so that every reader of a day reads these too."""

    def day(year: str | None, month: float | None, date: float | None, original: str) -> str:
        if month is None or date is None or not (1 <= month <= 12 and 1 <= date <= 31):
            return original
        return f"{year + '年' if year else ''}{int(month)}月{int(date)}日"

    text = _SEPARATED_DAY.sub(lambda m: day(m.group(1), float(m.group(3)), float(m.group(4)), m.group(0)), text)
    text = _SHORT_DAY.sub(lambda m: day(None, float(m.group(1)), float(m.group(2)), m.group(0)), text)
    text = _SPELLED_DAY.sub(lambda m: day(None, to_number(m.group(1)), to_number(m.group(2)), m.group(0)), text)
    return re.sub(r"([月])(\d{1,2})日\s*[日号]", r"\1\2日", text)  # "1.19号" became "1月19日号"


def to_number(text: str) -> float | None:
    """12 / 十二 / 两 / 二十五 / 六百五十 / 一千二 → the number; None when it is none."""
    text = normalize(text)
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    if not text or any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in text):
        return None
    total, digit = 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        else:
            total += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
    if digit is not None:  # 一千二 is 1200, 六百五 is 650: a last digit counts one unit below
        last_unit = next((_CN_UNITS[ch] for ch in reversed(text) if ch in _CN_UNITS), 10)
        total += digit * (last_unit // 10 if len(text) > 1 and text[-2] in _CN_UNITS else 1)
    return float(total)
