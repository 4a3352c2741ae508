"""Decide, then render: the notices' rules applied to what the applicant said about themselves.

A question like "我们联合体有10家合作方，能报吗" gets the verdict first (不可以), then each reason
with its clause. The rules are the typed data that already exist, one source each:
- the eligibility rules (data/eligibility/<program>.yml: yes/no and number tests, hard or soft);
- the number of paper copies a program's documents name (data/programs/<program>.yml);
- the windows of its deadlines, with the daily hours (a moment the applicant names is compared).
A soft rule (原则上, 鼓励) never yields a hard 不可以. Nothing is decided when no rule reads
anything the applicant said: the composer then answers as before.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Literal

from .models import Citation, CitationRef, Deadline, Program
from .programs import NOTICE_OF_YEAR
from .periods import Day, PeriodCheck, Span, check_after_end, check_span, due_after_end, find_span
from .situation import Moment, Situation
from .text import CALENDAR_DAY, normalize, to_number
from .timeaware import format_date, status_phrase

if TYPE_CHECKING:  # the pre-check module imports the loaded knowledge; only its type is needed here
    from .forms.eligibility import EligibilityCheck

Status = Literal["met", "broken", "soft", "unclear"]

# A question that wants a verdict: 能/可以…吗, 够不够, 算按时吗, 来得及吗, 没问题吧.
ASKS_VERDICT = re.compile(
    r"[吗么嘛][？?。!！]*$|[吗么嘛]\s*[？?]|可以不|行不行|能不能|可不可以|是不是|够不够|算不算|有没有问题|来得及|赶得上|赶得及|赶上了?[没吗么嘛]|赶没赶上|"
    r"[能可]否|行不[？?]?$|成不|没问题吧|有问题吗|有效吗|还收|能收|会收|合规|符合.{0,6}(要求|条件|规定)|会不会|超没超|超不超|卡不卡"
)
# "有级别要求吗", "有什么规定吗": the rule itself is asked, not a verdict on the asker.
ASKS_RULE = re.compile(r"有(?:什么|哪些|啥|没有)?(?:级别)?(?:要求|规定|限制|条件|标准)(?:吗|么|嘛)|(?:要求|规定|条件)是(?:什么|啥)")
# "每天几点到几点能收材料": what is asked is a value, even with a 能 in it.
ASKS_VALUE = re.compile(r"干嘛|干啥|几点|几号|哪天|哪几天|哪里|哪儿|在哪|什么时候|多少|几份|几家|几个|几项|谁|怎么|如何|什么|啥|哪些|哪个")
# "…算按时吧", "…能牵头不": a yes/no question in the applicant's own way of asking
ASKS_YES_NO_TAIL = re.compile(r"(?:算|是|行|可以|能|够|没问题|合规|符合|按时|准时|来得及|赶得上|会|没|不)[^，。,？?]{0,8}吧[？?。!！]*$|(?:内|里)吧[？?。!！]*$|(?:能|可以|行|够|算|会)[^，。,？?]{0,16}不[？?。!！]*$")
# "…最多10家，是吧": a premise to confirm or correct, not a verdict on the asker ("…可以吧" is one)
_IF_NOT = re.compile(r"(?:那)?(?:如果|要是|万一)?(?:不行|不能|不可以|不符合|不够)的话|否则|如果不行|要是不行")
_CHECKS_PREMISE = re.compile(r"对吧|是吧|对不对|没错吧|是这样吗|对吗|是吗")
_ASKS_ABOUT_OWN_WAY = re.compile(r"这样(?:做|弄|交|处理|操作|提交|写)?(?:是)?(?:对|行|可以|没问题|合规)的?[吗吧么嘛]")
_LATE_RULE = re.compile(r"逾期不予受理|逾期不受理|不予受理")


@dataclass(frozen=True)
class Finding:
    """One rule applied to the applicant's situation."""

    status: Status
    text: str
    citation: Citation
    about: str = ""  # the attribute it read (one reason per attribute is enough when all are met)
    verdict: str = ""  # the rule's own verdict words when broken (按不通过处理)


@dataclass(frozen=True)
class Decision:
    headline: str
    findings: list[Finding]
    note: str = ""
    program: str | None = None  # a rule a related notice sets: its program labels the verdict

    def render(self) -> str:
        reasons = "；".join(f.text.rstrip("。") for f in self.findings)
        return f"{self.headline}{reasons}。{self.note}".rstrip()


def asks_for_verdict(text: str) -> bool:
    normalized = normalize(text)
    sentences = [s for s in re.split(r"[？?!！。]", normalized) if s.strip()]
    if len(sentences) > 1 and _IF_NOT.match(sentences[-1].strip()):
        # "能牵头吗？不行的话我们怎么参与": the verdict is asked; what follows depends on it
        return asks_for_verdict("？".join(sentences[:-1]) + "？")
    if len(sentences) > 1 and ASKS_CONFIRMATION.search(normalized) and not ASKS_CONFIRMATION.search(sentences[-1]):
        # "最多5家对吧？我们找了6家，是不是得砍掉一家": a premise, then a question on the asker's own case
        return asks_for_verdict(sentences[-1])
    if _ASKS_ABOUT_OWN_WAY.search(normalized):
        return True  # "…同时也报送了纸质版，这样对吧": the applicant's own way, not a premise
    if ASKS_RULE.search(normalized):
        return False  # "有什么要求吗": the rule itself is asked
    if ASKS_CONFIRMATION.search(normalized) and not ASKS_YES_NO_TAIL.search(normalized):
        return False  # "最多10家，是这样吗", "上限是50岁吧": a premise, confirmed or corrected ("可以吧" is a verdict)
    last = re.split(r"[，,。；;]", normalized.rstrip("？?。!！ "))[-1]
    if ASKS_VALUE.search(last) and not re.search(r"行不行|可不可以|能不能|够不够|算不算|是不是|有没有问题|来得及|赶得上", last):
        return False
    tail_asks = ASKS_YES_NO_TAIL.search(normalized) and not _CHECKS_PREMISE.search(normalized)
    return bool(ASKS_VERDICT.search(normalized) or tail_asks)


# What a unit says of itself: every program has applicants of every kind, so these name no program
WHO_THE_UNIT_IS = frozenset({
    "health_system_unit", "independent_legal_person", "legally_established_in_shanghai", "registered_in_china", "role",
    "has_operator", "operator_city_level",
})


class VerdictEngine:
    def __init__(
        self, cite: Callable[[Program, CitationRef], Citation], eligibility: Mapping[str, EligibilityCheck],
        programs: Mapping[str, Program] | None = None,
    ) -> None:
        """``cite``: KnowledgeData.cite; ``eligibility``: the pre-check of each program that has one;
        ``programs``: all programs, for a deadline a related notice sets (到期后一个月内)."""
        self._cite = cite
        self._eligibility = eligibility
        self._programs = programs or {}

    def programs_ruling_on(self, situation: Situation) -> list[str]:
        """The programs whose rules read something the applicant said ("负责人出国两趟…" names no
        program; only 智慧医疗专项 limits time abroad)."""
        said = set(situation.profile) - WHO_THE_UNIT_IS  # a hospital may apply to any of them
        return [key for key, check in self._eligibility.items() if said & {question.key for question in check.questions if question.rules}]

    def decide(self, program: Program, situation: Situation, question: str) -> Decision | None:
        """The verdict on ``situation`` under ``program``'s rules; None when no rule reads it."""
        if situation.day is not None and (after := self._after_end(program, situation, question)) is not None:
            return after
        if situation.day is not None and (inside := self._in_month_window(program, situation.day, question)) is not None:
            return inside
        if situation.moment is not None and _asks_about_timing(question):
            timing = self._each_act_timed(program, situation) or self._timing(program, situation.moment, question)
            if timing is not None:
                return timing
        if situation.span is not None and (find_span(question) or _ASKS_PERIOD.search(normalize(question))):
            if (period := self._period(program, situation.span)) is not None:
                return period
        findings = self._eligibility_findings(program, situation) + self._copies_findings(program, situation)
        findings += self._as_partner(program, situation)
        if not findings:
            return None
        broken = [f for f in findings if f.status == "broken"]
        soft = [f for f in findings if f.status == "soft"]
        if broken:
            return Decision(_no_headline(broken), broken + soft)
        if soft:
            own = {f.verdict for f in soft}
            return Decision(f"原则上{own.pop()}（需进一步确认）：" if own != {""} and len(own) == 1 else "原则上不可以（需进一步确认）：", soft)
        unclear = [f for f in findings if f.status == "unclear"]
        if unclear:
            return Decision("需进一步确认（通知未明确）：", unclear)
        last_per_attribute = {f.about or f.text: f for f in findings}  # 至少1家 and 不超过8家: the binding one
        return Decision(_yes_headline(findings), list(last_per_attribute.values()))

    def _as_partner(self, program: Program, situation: Situation) -> list[Finding]:
        """A unit joining as a partner, no rule against it: the notice's invitation to join."""
        check = self._eligibility.get(program.key)
        if situation.profile.get("role") != "partner" or check is None or check.partners_welcome is None:
            return []
        if "project_state" in situation.profile:
            return []  # a partner of a running project asks about its state, not about joining
        welcome = check.partners_welcome
        return [Finding("met", welcome.reason, self._cite(program, welcome.cite), "role")]

    def room_left(self, program: Program, situation: Situation, question: str) -> str | None:
        """"已经有6家合作单位了" then "还能再拉几家": the count said against the rule's maximum."""
        if not _ASKS_ROOM_LEFT.search(normalize(question)):
            return None
        check = self._eligibility.get(program.key)
        for asked in check.questions if check else []:
            value = situation.profile.get(asked.key)
            limit = next((r.max for r in asked.rules if r.max is not None), None)
            if isinstance(value, bool) or value is None or limit is None:
                continue
            unit = _COUNT_UNITS.get(asked.key, "个")
            rule = next(r for r in asked.rules if r.max is not None)
            left = int(limit - value)
            said = f"按您所说已有{value:g}{unit}，" if left > 0 else f"按您所说已有{value:g}{unit}，已到或超过上限，"
            return f"{said}还能再加{max(left, 0)}{unit}（{rule.reason.rstrip('。')}）。"
        return None

    # --- periods ------------------------------------------------------------------------------------
    def _period(self, program: Program, span: Span) -> Decision | None:
        """"计划建设3年", "2018年9月到2021年12月": the period planned against the program's."""
        # the pilot's period may be set by a related notice (建设周期: the annual-work notice)
        for owner in [program, *(self._programs[key] for key in program.related if key in self._programs)]:
            for window in (d for d in owner.deadlines if d.project_period):
                check = check_span(span, window)
                if check is not None:
                    return replace(_period_decision(check, self._cite(owner, window.cite), "符合："), program=owner.key)
        return None

    def _after_end(self, program: Program, situation: Situation, question: str) -> Decision | None:
        """"8月底到期，9月20号递交验收申请": a day against a deadline that follows the project's end,
        set by this program or a related notice."""
        text = normalize(question)
        # "建设周期是2021年9月到2023年8月": the period said ends the project too
        project_end = situation.project_end or (situation.span.end if situation.span is not None else None)
        for owner in [program, *(self._programs[key] for key in program.related if key in self._programs)]:
            for deadline in (d for d in owner.deadlines if d.follows):
                if project_end is None and deadline.kind not in text:
                    continue  # "1月9号上传验收资料": another window; the project's end or this deadline must be named
                reference = self._deadline(deadline.follows)
                assert situation.day is not None
                check = None if reference is None else check_after_end(situation.day, project_end, deadline, reference)
                if check is not None:
                    decision = _period_decision(check, self._cite(owner, deadline.cite), "可以：" if check.early else "符合（在期限内）：")
                    return replace(decision, program=owner.key)
        return None

    def due_after_end(self, program: Program, situation: Situation) -> tuple[str, str, Citation] | None:
        """"项目2023年8月到期了，下一步做什么 / 验收申请最晚哪个月交": what follows the end the
        applicant states, and by when (a deadline of this program or a related notice that ``follows``):
        the notice that sets it, the sentence, its citation."""
        project_end = situation.project_end or (situation.span.end if situation.span is not None else None)
        if project_end is None:
            return None
        for owner in [program, *(self._programs[key] for key in program.related if key in self._programs)]:
            for deadline in (d for d in owner.deadlines if d.follows and d.within_months):
                if (due := due_after_end(project_end, deadline)) is not None:
                    line = f"按您所说项目{project_end[0]}年{project_end[1]}月到期：{deadline.kind}应在{due}前（到期后{_cn(deadline.within_months)}个月内）。"
                    return owner.key, line, self._cite(owner, deadline.cite)
        return None

    def _in_month_window(self, program: Program, day: Day, question: str) -> Decision | None:
        """"2024年3月来现场考察，在验收工作的时间范围内吗": a month against a window of months."""
        text = normalize(question)
        if day.year is None or not _ASKS_WITHIN.search(text):
            return None
        for window in program.deadlines:
            named = any(len(w) >= 2 and normalize(w) in text for w in (window.kind, window.title))
            if window.end_precision != "month" or window.start is None or window.end is None or not named:
                continue
            first, last = (window.start.year, window.start.month), (window.end.year, window.end.month)
            said = f"{window.title}为{format_date(window.start, 'month')}至{format_date(window.end, 'month')}，您说的是{day.year}年{day.month}月"
            inside = first <= (day.year, day.month) <= last
            finding = Finding("met" if inside else "broken", f"{said}，{'在此期间内' if inside else '不在此期间内'}", self._cite(program, window.cite))
            return Decision("在时间范围内：" if inside else "不在时间范围内：", [finding])
        return None

    def _deadline(self, deadline_id: str | None) -> Deadline | None:
        return next((d for p in self._programs.values() for d in p.deadlines if d.id == deadline_id), None)

    # --- rules of the pre-check ---------------------------------------------------------------
    def _eligibility_findings(self, program: Program, situation: Situation) -> list[Finding]:
        check = self._eligibility.get(program.key)
        if check is None:
            return []
        findings = []
        partner = situation.profile.get("role") == "partner"
        for question in check.questions:
            if question.key not in situation.profile:
                continue
            value = situation.profile[question.key]
            for rule in question.rules:
                citation = self._cite(program, rule.cite)
                if partner and rule.partners == "exempt" and rule.broken_by(value) and question.key == LEADS_ANOTHER:
                    # "已经牵头了一个，还能当别人的联合单位吗": the limit is on leading; on joining more, the notice is silent
                    findings.append(Finding(
                        "unclear", f"{rule.reason.rstrip('。')}——这是对牵头的限制；已牵头的单位能否再作为联合单位参与其他项目，通知未规定",
                        citation, question.key,
                    ))
                    continue
                if partner and rule.partners == "exempt":
                    findings.append(Finding("met", f"{rule.reason.rstrip('。')}——这是对项目申报（牵头）单位的要求，联合单位参与不受此限", citation, question.key))
                    continue
                if rule.broken_by(value) and partner and rule.partners == "unclear":
                    # the notices state who may apply (the lead unit); whether partners must meet it too, they do not say
                    said = _with_value(rule.reason, question.key, value).rstrip("。")
                    findings.append(Finding("unclear", f"{said}——这是对项目申报单位的要求，联合单位是否也须满足，通知未明确", citation, question.key))
                elif rule.broken_by(value):
                    status: Status = "broken" if rule.outcome == "not_eligible" else "soft"
                    said = _with_value(rule.reason, question.key, value)
                    text = f"{said.rstrip('。')}；{rule.advice}" if rule.advice else said
                    findings.append(Finding(status, text, citation, question.key, rule.verdict))
                else:  # met; a rule that does not decide the outcome leaves it to be confirmed
                    status = "met" if rule.sufficient else "unclear"
                    findings.append(Finding(status, _with_value(rule.reason, question.key, value), citation, question.key))
        return findings

    # --- copies ---------------------------------------------------------------------------------
    def _copies_findings(self, program: Program, situation: Situation) -> list[Finding]:
        had = situation.profile.get("copies")
        required = next((d for d in program.documents if d.copies), None)
        if had is None or required is None:
            return []
        citation = self._cite(program, required.cite)
        text = f"纸质申报材料须一式{_cn(required.copies)}份（{required.copies}份），您说的是{had}份"
        return [Finding("broken" if had < required.copies else "met", text, citation)]

    # --- a moment against a window ----------------------------------------------------------------
    def _each_act_timed(self, program: Program, situation: Situation) -> Decision | None:
        """"网上4月9号提交的，书面材料4月12日送到的，都没问题吧": each act against its own window,
        when the acts said are of different windows."""
        windows = [_window_for(program, clause, default=None) for clause, _ in situation.acts]
        if len(situation.acts) < 2 or None in windows or len({w.id for w in windows if w}) < 2:
            return None
        decisions = [d for (clause, moment) in situation.acts if (d := self._timing(program, moment, clause)) is not None]
        if len(decisions) < 2:
            return None
        broken = next((d for d in decisions if any(f.status == "broken" for f in d.findings)), None)
        headline = broken.headline if broken is not None else "都符合（在受理时间内）："
        return Decision(headline, [f for d in decisions for f in d.findings])

    def _timing(self, program: Program, moment: Moment, question: str) -> Decision | None:
        window = _window_for(program, question)
        if window is None or window.end is None:
            return None
        when = moment.on(window.end.year)
        opens = window.start or datetime.min
        end_moment = window.end if window.end_precision == "minute" else datetime.combine(window.end.date(), time.max)
        citation = self._cite(program, window.cite)
        said = _said(moment, when)
        hours = _daily_hours(window.daily_hours)
        closed = status_phrase(window)
        note = f"（{_name(window)}{closed}）" if closed else ""
        if when.date() < opens.date():
            return Decision("不能：还未开始受理，", [Finding("broken", f"{_name(window)}从{format_date(opens)}开始，您说的是{said}", citation)], note)
        if moment.hour is None:
            if when.date() <= end_moment.date():
                limit = f"，当天须在{format_date(end_moment, 'minute', with_year=False)}前" if window.end_precision == "minute" else ""
                return Decision("在受理期限内：", [Finding("met", f"{_name(window)}截止到{_end_text(window)}{limit}，您说的是{said}", citation)], note)
            return _late(window, said, citation, note)
        outside_hours = hours is not None and not (hours[0] <= when.time() <= hours[1])
        if when > end_moment or outside_hours:
            if when <= end_moment and outside_hours:
                reason = f"每天受理时间为{window.daily_hours}，您说的是{said}，不在受理时间内"
                return Decision("不能：", [Finding("broken", reason, citation)], note)
            return _late(window, said, citation, note)
        return Decision("算按时：", [Finding("met", f"{_name(window)}截止到{_end_text(window)}，您说的是{said}，在受理时间内", citation)], note)


LEADS_ANOTHER = "leads_another_project"  # the lead-one-project rule: a partner leading one already is not ruled on
_ASKS_WITHIN = re.compile(r"范围内|期间内?|期限内|时间内|之内|时段内")
# "周期符合要求吗", "在规定的研究期限内吗": the period itself is asked about
_ASKS_PERIOD = re.compile(r"周期|期限|研究期|建设期|执行期|做多久|几年")


def _period_decision(check: PeriodCheck, citation: Citation, yes: str) -> Decision:
    headline = {"met": yes, "broken": "不符合：", "soft": "原则上不可以（需进一步确认）："}[check.status]
    return Decision(headline, [Finding(check.status, check.text, citation)])


def _late(window: Deadline, said: str, citation: Citation, note: str) -> Decision:
    rule = "逾期不予受理" if _LATE_RULE.search(f"{window.note or ''}{window.cite.quote}") else "已过截止时间"
    return Decision("不能按时受理（已逾期）：", [Finding("broken", f"{_name(window)}截止到{_end_text(window)}，您说的是{said}，{rule}", citation)], note)


def _name(window: Deadline) -> str:
    """The window's name to put before 截止到/已于…截止 (its title may end in 截止 already)."""
    return window.title.removesuffix("截止")


def _end_text(window: Deadline) -> str:
    assert window.end is not None
    precision = "minute" if window.end_precision == "minute" else window.end_precision
    return format_date(window.end, precision)


def _said(moment: Moment, when: datetime) -> str:
    day = format_date(when, "day", with_year=moment.year is not None)
    return f"{day}{when.hour}:{when.minute:02d}" if moment.hour is not None else day


def _daily_hours(text: str | None) -> tuple[time, time] | None:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})", text or "")
    if not match:
        return None
    return time(int(match[1]), int(match[2])), time(int(match[3]), int(match[4]))


_TIMING = re.compile(r"按时|按期|逾期|超时|来得及|赶得上|赶得及|赶上|还收|能收|会收|收不收|受理|有效|算数|晚了|迟了|截止|时间|送|交|传|寄|递|报|影响|有问题|没问题")


def _asks_about_timing(question: str) -> bool:
    return bool(_TIMING.search(normalize(question)))


_FIRST = object()


def _window_for(program: Program, question: str, default: object = _FIRST) -> Deadline | None:
    """The program's dated window the question is about: the one sharing most words with it; with
    no word shared, the program's main window (or ``default``)."""
    windows = [d for d in program.deadlines if d.end is not None and d.end_precision != "month"]
    if not windows:
        return None
    text = normalize(question)

    def overlap(window: Deadline) -> int:
        words = [window.kind, window.title, *window.keywords]
        return sum(len(w) for w in words if w and len(w) >= 2 and normalize(w) in text)

    best = max(windows, key=overlap)  # max keeps the first of equals: a program's main window
    return best if overlap(best) or default is _FIRST else None


def _cn(number: int | None) -> str:
    return "零一二三四五六七八九十"[number] if number is not None and 0 <= number <= 10 else str(number)


# "还能再拉几家", "最多还能报几个": how many more the rule's maximum leaves
_ASKS_ROOM_LEFT = re.compile(r"还(?:能|可以)(?:再)?(?:加|拉|找|报|申报|增加|放)?几(?:家|个|项)|最多还(?:能|可以)[^，,。？?]{0,4}几")
_COUNT_UNITS = {"partner_count": "家", "unit_applications": "项", "pi_concurrent_projects": "项"}

_VALUE_WORDS = {
    "partner_count": "您说的联合单位是{value}家",
    "pi_age": "您说的是{value}岁",
    "cofunding_ratio": "您说的配套比例约为{value:.2g}:1",
    "unit_applications": "按您所说是{value}项",
    "pi_concurrent_projects": "按您所说是{value}项",
    "expert_score": "您说的是{value:g}分",
}


def _with_value(reason: str, key: str, value: object) -> str:
    template = _VALUE_WORDS.get(key)
    if template is None or isinstance(value, bool):
        return reason
    return f"{reason.rstrip('。')}（{template.format(value=value)}）"


def _no_headline(broken: list[Finding]) -> str:
    own = {f.verdict for f in broken}
    if len(own) == 1 and (verdict := own.pop()):
        return f"{verdict}："
    return "不够：" if all("份" in f.text for f in broken) else "不可以："


def _yes_headline(findings: list[Finding]) -> str:
    if all("份" in f.text for f in findings):
        return "足够（符合要求）："
    return "可以（作为联合单位参与）：" if any(f.about == "role" for f in findings) else "可以（就您所说的情况）："


# --- a premise the applicant asks us to confirm ------------------------------------------------

# "…最多10家，是吧", "…是55岁，对吧", "…10月31号吧": the applicant states a value and asks if it holds.
ASKS_CONFIRMATION = re.compile(r"对吧|是吧|对不对|是不是这样|没错吧|是这样吗|对吗|是吗|吧(?:[？?。!！，,]|$)")
_QUANTITY = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?|[零一二两三四五六七八九十百千]{1,6})\s*(?:来|多|余)?\s*(家|份|岁|个月|年|天|个工作日|分|个人|人|位|名|项|个|字|页|%|％)")
_MONTHS_PER = {"年": 12, "个月": 1}
_HALF_YEAR = re.compile(r"(?<![一二两三四五六七八九十\d])半年")


@dataclass(frozen=True)
class Confirmation:
    agrees: bool
    asserted: str


def _quantities(text: str) -> list[tuple[float, str, str]]:
    text = NOTICE_OF_YEAR.sub("", text)  # "22年那个通知" names a notice, not a length of time
    found = []
    for match in _QUANTITY.finditer(text):
        number, unit = match.group(1), match.group(2).replace("％", "%")
        unit = "人" if unit in ("个人", "位", "名") else unit
        if unit == "年" and len(number) == 4:
            continue  # a calendar year, not a duration
        value = to_number(number)
        if value is None:
            continue
        shown = match.group(0)
        if unit in _MONTHS_PER:  # 一年 and 12个月 are one length of time
            value, unit = value * _MONTHS_PER[unit], "个月"
            if text[match.end():match.end() + 1] == "半":  # 一年半, 三个月半
                value, shown = value + (6 if match.group(2) == "年" else 0.5), shown + "半"
        found.append((value, unit, shown))
    for match in _HALF_YEAR.finditer(text):
        found.append((6, "个月", match.group(0)))
    return found


def _dates(text: str) -> list[tuple[int, int]]:
    return [(int(m.group(2)), int(m.group(3))) for m in CALENDAR_DAY.finditer(text)]


def confirm(question: str, answer: str) -> Confirmation | None:
    """Whether the value the question asserts is the one the answer states; None when the answer
    states no value of the same kind (nothing to compare, nothing to say)."""
    if not ASKS_CONFIRMATION.search(normalize(question)):
        return None
    stated = _quantities(answer)
    for value, unit, text in _quantities(question):
        same_kind = {v for v, u, _ in stated if u == unit}
        if not same_kind:
            continue
        if value not in same_kind:
            return Confirmation(False, text)
        # "联合单位最多1家" against "牵头单位为1家，联合单位不超过8家": which value is whose is not
        # known, so only a value the answer states alone is confirmed
        return Confirmation(True, text) if len(same_kind) == 1 else None
    stated_dates = set(_dates(answer))
    for date in _dates(question):
        shown = CALENDAR_DAY.search(question)
        if stated_dates and date not in stated_dates:
            return Confirmation(False, shown.group(0) if shown else "")
        if stated_dates == {date}:
            return Confirmation(True, shown.group(0) if shown else "")
    return None


# --- a quantity against a limit a fact states -----------------------------------------------------

# "500字以内", "不超过8家", "原则上不超过一年", "不少于7人": a limit and which way it points.
_LIMIT = re.compile(
    r"(?P<soft>原则上)?(?P<word>不超过|不多于|最多|至多|不少于|不低于|至少)?\s*"
    r"(?P<number>\d+(?:\.\d+)?|[一二两三四五六七八九十百千]{1,6})\s*(?P<unit>字|页|家|份|人|个月|年|天|个工作日|项|个)"
    r"(?P<after>以内|以下|以上|之内)?"
)


@dataclass(frozen=True)
class LimitCheck:
    within: bool
    soft: bool
    limit: str
    said: str
    upper: bool = True  # a maximum (不超过, 以内); else a minimum (不少于)


def check_against_limit(question: str, fact: str) -> LimitCheck | None:
    """The one quantity the applicant states, against the limit of the same kind the fact states."""
    said = _quantities(question)
    if len(said) != 1:
        return None
    value, unit, shown = said[0]
    for match in _LIMIT.finditer(fact):
        upper = match.group("word") in ("不超过", "不多于", "最多", "至多") or match.group("after") in ("以内", "以下", "之内")
        lower = match.group("word") in ("不少于", "不低于", "至少") or match.group("after") == "以上"
        if not (upper or lower):
            continue
        limit = to_number(match.group("number"))
        limit_unit = match.group("unit")
        if limit is None:
            continue
        if limit_unit in _MONTHS_PER:
            limit, limit_unit = limit * _MONTHS_PER[limit_unit], "个月"
        if limit_unit != unit:
            continue
        within = value <= limit if upper else value >= limit
        clause_before = re.split(r"[，,；;。]", fact[:match.start()])[-1]
        soft = bool(match.group("soft")) or "原则上" in clause_before  # "原则上延期时间不超过一年"
        return LimitCheck(within, soft, match.group(0).strip(), shown, upper)
    return None
