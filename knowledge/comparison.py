"""Same or different: "A和B…一样吗" answered 一样/不一样 with both values.

Two things are compared: the same fact of two notices ("上海和国家5G试点的联合单位上限一样吗") or
two facts of one notice ("网上申报截止和纸质材料截止是同一天吗"). Each side is answered as a plain
question (the comparing words become asking words), and the values of the kind asked are read
from the first line of each answer:
- a quantity is read with the words in front of it, so "牵头单位为1家，联合单位不超过8家" gives
  8家 when the question is about 联合单位, and nothing when it does not say which;
- a dated window is shown whole (1月15日至1月19日), a deadline by its day and its time of day;
- a rule without values (上海市依法设立 / 境内注册) is 不一样 when its wording differs in substance.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .situation import to_number
from .text import CALENDAR_DAY, normalize, tokens

# "一样吗" wants 一样/不一样; "有什么区别" wants what differs, which both answers show.
ASKS_YES_NO_SAME = re.compile(
    r"(?:一样|相同|一致|同样|一回事)多?(?:的)?(?:吗|么|嘛|不|没有?|吧)|是不是(?:一样|相同|一致|同样|一回事|同一)|是否(?:一样|相同|一致|同一)"
    r"|(?:是)?同一(?:个|天|家|套|批)?[^，,。？?]{0,6}(?:吗|么|嘛|不)|同几(?:天|号)"
)
ASKS_DIFFERENCE = re.compile(r"(?:有|有没有|有什么|有啥|有何)(?:区别|差别|差异|不同)|区别(?:在哪|是什么|是啥)|不同(?:在哪|之处)|差多少|差几个|相差多少")

# "…一样多吗" asks how many; "…一样吗" asks what each is. The comparing words become asking words.
_HOW_MANY_SAME = re.compile(r"(?:是不是|是否)?(?:一样多|差多少|差几个|相差多少|相同数量|数量(?:上|方面)?(?:一样|相同|一致)|多少(?:一样|相同))[吗么嘛呢？?]*")
_SAME_WORDS = re.compile(
    r"(?:是不是|是否|算不算)?(?:同一(?:天|个钟点|个时间|时间|个)?|同几天|同几号|一样|相同|一致|同样|一回事)(?:的)?(?:吗|么|嘛|呢|不|吧)?[？?]*"
    r"|(?:有|有没有|有什么|有啥)?(?:区别|差别|差异|不同)(?:吗|么|嘛|呢)?[？?]*"
)
# "网上申报截止和纸质材料截止": two subjects joined by 和/与/跟/同/及.
_TWO_SUBJECTS = re.compile(r"(?:^|[，,。？?！!])(?P<a>[^，,。？?！!]{2,20}?)(?:和|与|跟|同|及|还有|以及)(?P<b>[^，,。？?！!]{2,24}?)(?:的)?(?:是不是|是否|算不算|是)?(?:同一|同几|一样|相同|一致|区别|不同|差别)")
_ASKS_A_VALUE = re.compile(r"几|多少|哪|什么|啥|吗|还是")
_CLOSING = re.compile(r"已于(?:\d{4}年)?(\d{1,2})月(\d{1,2})日(?:(\d{1,2}):(\d{2}))?截止")
_CLOCK = re.compile(r"(\d{1,2})\s*[:：]\s*(\d{2})|(\d{1,2})\s*时(?!间)")
_DATE = r"(?:\d{4}年)?\d{1,2}月\d{1,2}日"
_WINDOW = re.compile(rf"(?P<start>{_DATE})(?:[（(][^）)]*[）)])?\s*(?:至|到|-|—|～|~)\s*(?P<end>(?:\d{{1,2}}月)?\d{{1,2}}日)")
_QUANTITY = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?|[一二两三四五六七八九十百千]{1,6})\s*(家|份|岁|个月|年|天|个工作日|人|项|个|字|页|%|％)")
_CLAUSE_BREAK = re.compile(r"[，,；;。：:（）()、]")
_ASKS_TIME_OF_DAY = re.compile(r"几点|钟点|时间点|点钟|时刻|几时")
_ASKS_DAY = re.compile(r"哪天|几号|日期|同一天|同一日|哪一天|几天|日子")
_ASKS_END = re.compile(r"截止|最晚|最后|截至|结束")
_ASKS_QUANTITY = re.compile(r"几份|份数|几家|单位数|人数|家数|个数|项数|多少|上限|下限|几个|几年|多久|多长|数量|多大|年龄|一样多|比例|百分之|%")
_NOISE = re.compile(r"[【】\s]|已于.*?截止|通知原文.*$")
MIN_SHARED_FOR_SAME = 0.8  # two rule texts this alike say the same thing


@dataclass(frozen=True)
class Side:
    label: str
    text: str  # the answer's first line


def plain_question(question: str) -> str:
    """The question each side answers: "方向跟上海的一样多吗" → "方向跟上海的有多少个"."""
    text = _HOW_MANY_SAME.sub("有多少个", question)
    return _SAME_WORDS.sub(" ", text).strip() or question


def two_subjects(question: str) -> tuple[str, str] | None:
    """"网上申报截止和纸质材料截止是同一天吗" → ("网上申报截止", "纸质材料截止")."""
    match = _TWO_SUBJECTS.search(normalize(question))
    if not match:
        return None
    a, b = match.group("a").strip(" ，,的"), re.sub(r"(?:有什么|有啥|有没有|有|是不是|是否|是)$", "", match.group("b").strip(" ，,的"))
    return (a, b) if len(a) >= 2 and len(b) >= 2 and not _ASKS_A_VALUE.search(a) else None


# "年度总结报告和验收资料的截止时间分别是哪天": one question asked of each of two subjects.
_EACH = re.compile(
    r"(?P<prefix>^(?:[^。？?！!]*?[，,]\s*)?)(?P<a>[^，,。？?！!]{2,20}?)(?:和|与|跟|及|以及)(?P<b>[^，,。？?！!的]{2,24}?)"
    r"(?P<rest>(?:的|[，,])[^。？?！!]{0,20}?)?(?:分别|各自|各(?!级|地|类|种|方面|单位|项目|方向))(?P<ask>[^。？?！!]+)"
)


@dataclass(frozen=True)
class EachAsked:
    subjects: tuple[str, str]
    questions: tuple[str, str]


def each_asked(question: str) -> EachAsked | None:
    """"X和Y的截止时间分别是哪天" → the subjects X, Y and the questions "X的截止时间是哪天",
    "Y的截止时间是哪天"."""
    match = _EACH.search(normalize(question))
    if not match:
        return None
    prefix, rest, ask = match.group("prefix"), match.group("rest") or "", match.group("ask")
    subjects = (match.group("a").strip().removesuffix("的"), match.group("b").strip())
    if any(_ASKS_A_VALUE.search(subject) for subject in subjects):
        return None
    questions = tuple(f"{prefix}{subject}{rest}{ask}" for subject in subjects)
    return EachAsked(subjects, (questions[0], questions[1]))


def asks_to_compare(question: str) -> bool:
    """"…一样吗", "…有什么区别", "是同一个吗" — not "线上线下能不能不一样" (that asks leave)."""
    text = normalize(question)
    return bool(ASKS_YES_NO_SAME.search(text) or ASKS_DIFFERENCE.search(text))


# "两个试点都要交光盘吗", "是不是都得盖骑缝章": one requirement asked of both notices
_BOTH_ASKED = re.compile(r"(?:是不是|是否)?都(要|需要|得|须|必须|有|能|可以)([^，,。？?吗么嘛]{1,12}?)(?:吗|么|嘛|不|没有?|呢)?[？?]*$")
_ACTION_WORDS = {"交", "提交", "报送", "提供", "做", "进行", "盖", "加盖", "准备", "上传", "递交", "寄", "送", "附"}


_NEGATED = re.compile(r"未|没有|无需|不需|不要求|不必|无须|不用")


def _states(text: str, terms: list[str]) -> bool:
    """A clause of the text names every term and denies none ("未提及线上系统申报" does not state it)."""
    clauses = re.split(r"[，,。；;]", normalize(text))
    return any(all(normalize(t) in clause for t in terms) and not _NEGATED.search(clause) for clause in clauses)


def both_asked(question: str, sides: list[Side]) -> str | None:
    """都要/不一样 for a requirement asked of two notices: whether each one's answer states it."""
    match = _BOTH_ASKED.search(normalize(question))
    if len(sides) != 2 or not match:
        return None
    terms = [t for t in tokens(match.group(2)) if t not in _ACTION_WORDS]
    if not terms:
        return None
    states = [_states(side.text, terms) for side in sides]
    asked = f"{match.group(1)}{match.group(2)}"
    if all(states):
        return f"是的，都{asked}。"
    if any(states):
        has, lacks = (sides[0], sides[1]) if states[0] else (sides[1], sides[0])
        return f"不一样：{has.label}{asked}，{lacks.label}的通知没有这样的要求。"
    return None


def compare(question: str, sides: list[Side], by_wording: bool = True) -> str | None:
    """一样/不一样 with both values; None when the values of the kind asked are not both known.
    ``by_wording``: rules without values may be told apart by their words (two notices' rules)."""
    if len(sides) != 2 or not asks_to_compare(question):
        return None
    a, b = sides
    findings = [f for f in (_compare_kind(kind, question, a, b) for kind in _kinds_asked(question)) if f]
    if findings:
        return _sentence(findings)
    return _compare_wording(a, b) if by_wording and ASKS_YES_NO_SAME.search(normalize(question)) else None


# "比例的基数一样吗": what a quantity is taken of, not the quantity; compared by the rules' words
_ASKS_BASE = re.compile(r"基数|基准|口径|对象|范围|按什么算|以什么为")


def _kinds_asked(question: str) -> list[str]:
    """What is compared: the time of day when only that is asked ("钟点一样吗"), the day when
    that is asked, a quantity when one is asked, else the day and the time."""
    if _ASKS_BASE.search(question):
        return []
    day = "end" if _ASKS_END.search(question) else "day"
    asks_time, asks_day = bool(_ASKS_TIME_OF_DAY.search(question)), bool(_ASKS_DAY.search(question))
    if asks_time or asks_day:
        return ([day] if asks_day else []) + (["time"] if asks_time else [])
    if _ASKS_QUANTITY.search(question):
        return ["quantity"]
    return [day, "time"]


@dataclass(frozen=True)
class _Finding:
    kind: str
    same: bool
    shown_a: str
    shown_b: str


def _compare_kind(kind: str, question: str, a: Side, b: Side) -> tuple[_Finding, Side, Side] | None:
    """The values of one kind (quantity / day / time of day) on both sides, compared."""
    read = {"quantity": lambda s: _quantity_about(s.text, question), "day": _day, "end": _end, "time": _time_of_day}[kind]
    value_a, value_b = read(a), read(b)
    if value_a is None or value_b is None:
        return None
    (key_a, shown_a), (key_b, shown_b) = value_a, value_b
    return _Finding(kind, key_a == key_b, shown_a, shown_b), a, b


def _sentence(findings: list[tuple[_Finding, Side, Side]]) -> str:
    if len(findings) > 1 and findings[0][0].kind in ("day", "end") and findings[0][0].same is False:
        findings = findings[:1] + [f for f in findings[1:] if f[0].same]  # a different day decides
    parts = []
    for finding, a, b in findings:
        if finding.same:
            parts.append(f"都是{finding.shown_a}")
        else:
            parts.append(f"{a.label}是{finding.shown_a}，{b.label}是{finding.shown_b}")
    all_same = all(f.same for f, _, _ in findings)
    if all_same:
        return f"一样：{'；'.join(parts)}。"
    if len(findings) == 1:
        return f"不一样：{parts[0]}。"
    labels = {"day": "日期", "end": "截止日期", "time": "钟点", "quantity": "数量"}
    detail = "；".join(f"{labels[f.kind]}{'相同' if f.same else '不同'}（{p}）" for (f, _, _), p in zip(findings, parts))
    return f"不一样：{detail}。"


def _day(side: Side) -> tuple[str, str] | None:
    window = _WINDOW.search(side.text)
    if window:
        start, end = window.group("start"), window.group("end")
        end = end if "月" in end else f"{_month(start)}月{end}"
        return f"{_short(start)}-{_short(end)}", f"{start}至{end}"
    closing = _CLOSING.search(side.text)
    if closing:
        shown = f"{int(closing.group(1))}月{int(closing.group(2))}日"
        return shown, shown
    dates = {f"{int(m.group(2))}月{int(m.group(3))}日" for m in CALENDAR_DAY.finditer(side.text)}
    return (next(iter(dates)),) * 2 if len(dates) == 1 else None


def _end(side: Side) -> tuple[str, str] | None:
    closing = _CLOSING.search(side.text)
    if closing:
        shown = f"{int(closing.group(1))}月{int(closing.group(2))}日"
        return shown, shown
    window = _WINDOW.search(side.text)
    if window:
        end = window.group("end")
        end = end if "月" in end else f"{_month(window.group('start'))}月{end}"
        return end, end
    return _day(side)


def _time_of_day(side: Side) -> tuple[str, str] | None:
    closing = _CLOSING.search(side.text)
    if closing and closing.group(3):
        shown = f"{int(closing.group(3))}:{closing.group(4)}"
        return shown, shown
    times = {f"{int(m.group(1) or m.group(3))}:{m.group(2) or '00'}" for m in _CLOCK.finditer(side.text)}
    return (next(iter(times)),) * 2 if len(times) == 1 else None


def _quantity_about(text: str, question: str) -> tuple[str, str] | None:
    """The quantity whose words in front share most with the question; none when that is unclear."""
    found = []
    for match in _QUANTITY.finditer(text):
        value = to_number(match.group(1))
        if value is None:
            continue
        lead = _CLAUSE_BREAK.split(text[max(0, match.start() - 12):match.start()])[-1]
        found.append((_shared_bigrams(lead, question), f"{value:g}{match.group(2)}", match.group(0)))
    if not found:
        return None
    best = max(score for score, _, _ in found)
    chosen = {(key, shown) for score, key, shown in found if score == best}
    if len({key for key, _ in chosen}) != 1:
        return None  # 牵头单位1家、联合单位8家 and a question naming neither
    return next(iter(chosen))


def _compare_wording(a: Side, b: Side) -> str | None:
    text_a, text_b = _NOISE.sub("", a.text), _NOISE.sub("", b.text)
    if not text_a or not text_b:
        return None
    shared = _shared_bigrams(text_a, text_b) / max(1, min(len(text_a), len(text_b)) - 1)
    if shared >= MIN_SHARED_FOR_SAME:
        return None  # nearly the same words: the reader sees both, nothing to assert
    return "不一样，两者的规定不同，见下。"


def _shared_bigrams(a: str, b: str) -> int:
    grams_b = {b[i:i + 2] for i in range(len(b) - 1)}
    return len({a[i:i + 2] for i in range(len(a) - 1)} & grams_b)


def _month(date: str) -> int:
    return int(re.search(r"(\d{1,2})月", date).group(1))


def _short(date: str) -> str:
    return re.sub(r"^\d{4}年", "", date)
