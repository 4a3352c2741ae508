"""What became of an applicant's question, read from the bot's stored reply.

The actions answer from ``knowledge.answers``; the kinds of reply that are not an answer have
fixed openings built there and in ``actions.fallback``, so the stored text tells them apart
(no separate log that could drift): out of scope, "the notices do not say", not understood.
``tests/analytics/test_analytics_outcomes.py`` checks this against the composer's own ``Reply.kind``.
"""

from __future__ import annotations

import inspect
import re
from typing import Literal

from messaging import NOT_UNDERSTOOD, NOT_UNDERSTOOD_AGAIN
from knowledge.answers import AnswerComposer

Outcome = Literal["answered", "out_of_scope", "not_in_notices", "fallback", "form_step"]
UNANSWERED_KINDS: tuple[Outcome, ...] = ("out_of_scope", "not_in_notices", "fallback")
UNANSWERED_LABELS = {"out_of_scope": "超出范围", "not_in_notices": "通知未说明", "fallback": "未理解"}

OUT_OF_SCOPE_LEAD: str = inspect.signature(AnswerComposer.out_of_scope).parameters["lead"].default
FALLBACK_LEADS = (NOT_UNDERSTOOD, NOT_UNDERSTOOD_AGAIN)
# knowledge.answers: _unknown ("通知中没有提到…") and _not_given ("通知中没有给出…")
NOT_IN_NOTICES_LEAD = "通知中没有"
# knowledge.forms.engine: a form asks its next field as "（3/20）请填写…"; the applicant's text
# before it was a field value, not a question
FORM_STEP = re.compile(r"^（\d+/\d+）")
# what the composer puts before the answer itself: "【上海市5G+医疗健康应用试点】", "（依据…的通知）"
ANSWER_PREFIXES = re.compile(r"^(?:\s*(?:【[^】]*】|（依据[^）]*）))*\s*")


def reply_outcome(reply_text: str) -> Outcome:
    """The outcome of a question whose (first) reply from the bot is ``reply_text``."""
    text = ANSWER_PREFIXES.sub("", reply_text, count=1)
    if text.startswith(FALLBACK_LEADS):
        return "fallback"
    if text.startswith(OUT_OF_SCOPE_LEAD):
        return "out_of_scope"
    if text.startswith(NOT_IN_NOTICES_LEAD):
        return "not_in_notices"
    if FORM_STEP.match(text):
        return "form_step"
    return "answered"
