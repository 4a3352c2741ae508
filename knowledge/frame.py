"""Understand: a message as a frame, before any fact is looked up.

The frame says what the message asks (its form: what / when / where / who / how many / yes-no /
is-this-allowed / on-time / same-or-different / what-if / what-must-I-do / still-open), in the
words the notices use and in the applicant's own, and what it states about the applicant. The
composer's later steps (resolve the program and context, select facts, decide, render) read the
frame instead of looking at the wording again. Each form is recognised by the small, general
recognisers of wording.py, verdicts.py, comparison.py and practices.py, whose words are data or
tested classes of phrasings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from .comparison import asks_to_compare, plain_question
from .practices import practice_said
from .rulings import ASKS_IF_REQUIRED
from .situation import Situation, read_situation
from .text import normalize
from .verdicts import asks_for_verdict
from .wording import CONSEQUENCE, WHAT_TO_DO, asks_if_still_open


class Form(StrEnum):
    WHAT = "what"
    WHEN = "when"
    WHERE = "where"
    WHO = "who"
    HOW_MANY = "how_many"
    YES_NO = "yes_no"
    ALLOWED = "allowed"  # a verdict on the asker's own situation or way of doing
    ON_TIME = "on_time"
    COMPARE = "compare"
    WHAT_IF = "what_if"
    WHAT_TO_DO = "what_to_do"
    STILL_OPEN = "still_open"


_ON_TIME = re.compile(r"按时|准时|来得及|来的及|赶得上|赶得及|赶上|赶没赶上|算不算晚|晚不晚|逾期|迟了|晚了|能收|还收|收不收|受理吗")
_WHEN = re.compile(r"几点|几号|哪天|哪一天|什么时候|啥时候|何时|截止|多久|多长时间|日期|时间")
_WHERE = re.compile(r"哪里|哪儿|在哪|地址|寄到|送到|交到|网址|网站|平台|系统")
_WHO_TO_ASK = re.compile(r"(?:找谁|问谁|联系谁|咨询谁)(?:咨询|问|联系|了解)?[？?吗呢]*$|找哪个部门|找哪位")
_WHO = re.compile(r"谁|哪个单位|哪个部门|联系人|找哪|电话|联系方式")
_HOW_MANY = re.compile(r"(?<!哪)几\s*(?:份|家|个|项|人|年|岁|位|本|套)|多少|比例|上限|下限|最多|最少|至少")


@dataclass(frozen=True)
class Frame:
    text: str  # in the notices' words (applicants' synonyms and typos replaced)
    as_asked: str  # in the applicant's own words
    form: Form
    compared: str | None  # the whole comparing question, when the form is COMPARE
    plain: str  # what each side of a comparison answers; else the text
    stated: Situation  # what this message says about the applicant

    @property
    def wants_verdict(self) -> bool:
        return self.form in (Form.YES_NO, Form.ALLOWED, Form.ON_TIME)


def question_form(text: str, stated: Situation | None = None) -> Form:
    """The form of the question, the most specific first."""
    normalized = normalize(text)
    stated = stated if stated is not None else read_situation(text)
    if asks_to_compare(text):
        return Form.COMPARE
    if _WHO_TO_ASK.search(normalized):
        return Form.WHO
    if WHAT_TO_DO.search(normalized):
        return Form.WHAT_TO_DO
    if CONSEQUENCE.search(normalized):
        return Form.WHAT_IF
    if stated.moment is not None and _ON_TIME.search(normalized):
        return Form.ON_TIME
    if asks_if_still_open(text):
        return Form.STILL_OPEN
    if asks_for_verdict(text) or ASKS_IF_REQUIRED.search(normalized):
        if stated or practice_said(normalized) is not None:
            return Form.ALLOWED
        return Form.YES_NO
    for form, pattern in ((Form.WHEN, _WHEN), (Form.WHERE, _WHERE), (Form.WHO, _WHO), (Form.HOW_MANY, _HOW_MANY)):
        if pattern.search(normalized):
            return form
    return Form.WHAT


def understand(as_asked: str, in_notice_words: str) -> Frame:
    """The frame of one message: ``in_notice_words`` is ``as_asked`` with the applicants' words
    replaced by the notices' (the composer's synonyms and typo corrections)."""
    stated = read_situation(as_asked)
    form = question_form(in_notice_words, stated)
    compared = in_notice_words if form is Form.COMPARE else None
    plain = plain_question(in_notice_words) if compared else in_notice_words
    return Frame(in_notice_words, as_asked, form, compared, plain, stated)
