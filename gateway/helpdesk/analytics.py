"""What applicants asked and what the assistant missed, counted from the stored messages,
handoffs and ratings of a period (no separate log that could drift).

- A **question** is an applicant's message (not a button command such as ``/inform_program``)
  whose first reply is the bot's, and which neither asked for a person nor filled a form field.
  Its outcome is read from that reply (``outcomes.reply_outcome``): answered, or unanswered as
  out of scope / not in the notices / not understood.
- Its **programs**: those of the reply's citations, else those the question names
  (the knowledge base's program detector), else the conversation's program so far.
- **👎**: bot messages of the period rated down, with the question before them and the reason.
- **Handoffs** requested in the period by reason; the wait to the first staff message; the
  satisfaction ratings given in the period.
Texts leave this module masked (``knowledge.privacy.mask_pii``).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from persistence.staff_accounts import aware
from gateway.helpdesk.clusters import Encoder, group_similar
from persistence.staff_faq import BOT_THRESHOLD, StaffFaqRepository
from persistence.helpdesk_models import Handoff, Rating
from gateway.helpdesk.outcomes import UNANSWERED_KINDS, Outcome, reply_outcome
from gateway.helpdesk.service import reason_label
from persistence.models import Conversation, Message, utcnow
from gateway.schemas import FEEDBACK_REASON_CHOICES
from knowledge.privacy import mask_pii

MAX_DAYS = 366
MAX_CLUSTERS = 30
MAX_EXAMPLES = 5
TOP_QUESTIONS = 10
OTHER_REASON = FEEDBACK_REASON_CHOICES[-1]

ProgramFinder = Callable[[str], Sequence[str]]


@dataclass(frozen=True)
class Question:
    message_id: int
    session_id: str
    channel: str
    text: str  # masked
    asked_at: datetime
    outcome: Outcome
    programs: tuple[str, ...]
    reply_id: int


@dataclass(frozen=True)
class Downvote:
    question: Question | None
    reply_id: int
    session_id: str
    reply_text: str  # masked
    reason: str | None  # masked
    programs: tuple[str, ...]


@dataclass(frozen=True)
class Period:
    days: int
    since: datetime
    until: datetime
    program: str | None
    timezone: str


@dataclass
class Figures:
    period: Period
    messages: int = 0
    conversations: int = 0
    questions: list[Question] = field(default_factory=list)
    downvotes: list[Downvote] = field(default_factory=list)
    handoffs: list[Handoff] = field(default_factory=list)
    first_staff_reply: dict[int, datetime] = field(default_factory=dict)
    ratings: list[int] = field(default_factory=list)


def reason_choice(reason: str | None) -> str:
    """The quick choice a 👎 reason starts with ("答非所问：…" → 答非所问); free text is 其他."""
    if not reason:
        return "未说明"
    head = reason.split("：", 1)[0].split(":", 1)[0].strip()
    return head if head in FEEDBACK_REASON_CHOICES else OTHER_REASON


def _programs_of_citations(citations: Iterable[dict[str, Any]], sources: dict[str, str]) -> tuple[str, ...]:
    found = [sources.get(str(c.get("doc") or "")) for c in citations or []]
    return tuple(dict.fromkeys(p for p in found if p))


class AnalyticsReader:
    """Reads one period's figures from the gateway database."""

    def __init__(self, sessions: sessionmaker[Session], *, timezone: str, find_programs: ProgramFinder | None = None,
                 source_programs: dict[str, str] | None = None) -> None:
        self._sessions = sessions
        self._timezone = timezone
        self._find_programs = find_programs or (lambda text: ())
        self._sources = source_programs or {}

    def period(self, days: int, program: str | None, now: datetime | None = None) -> Period:
        until = now or utcnow()
        return Period(days, until - timedelta(days=days), until, program, self._timezone)

    def read(self, period: Period) -> Figures:
        with self._sessions() as db:
            rows = db.execute(
                select(Message, Conversation.channel).join(Conversation, Conversation.session_id == Message.session_id)
                .where(Message.created_at >= period.since, Message.created_at <= period.until)
                .order_by(Message.session_id, Message.id)
            ).all()
            handoffs = list(db.scalars(select(Handoff).where(Handoff.requested_at >= period.since,
                                                             Handoff.requested_at <= period.until).order_by(Handoff.id)))
            ratings = db.execute(select(Rating.score, Handoff.program).join(Handoff, Handoff.id == Rating.handoff_id)
                                 .where(Rating.created_at >= period.since, Rating.created_at <= period.until)).all()
            staff_rows = db.execute(select(Message.session_id, Message.created_at).where(
                Message.sender == "staff", Message.created_at >= period.since)).all() if handoffs else []
        by_session: dict[str, list[tuple[Message, str]]] = defaultdict(list)
        for message, channel in rows:
            by_session[message.session_id].append((message, channel))
        requests = defaultdict(list)
        for handoff in handoffs:
            requests[handoff.session_id].append(aware(handoff.requested_at))
        figures = Figures(period)
        counted_sessions = set()
        for session_id, messages in by_session.items():
            questions, downvotes = self._conversation(messages, requests.get(session_id, []))
            conversation_programs = {p for q in questions for p in q.programs}
            if period.program and period.program not in conversation_programs:
                continue
            counted_sessions.add(session_id)
            figures.messages += len(messages)
            figures.questions += [q for q in questions if not period.program or period.program in q.programs]
            figures.downvotes += [d for d in downvotes if not period.program or period.program in d.programs]
        figures.conversations = len(counted_sessions)
        figures.handoffs = [h for h in handoffs if not period.program or h.program == period.program]
        figures.ratings = [score for score, program in ratings if not period.program or program == period.program]
        figures.first_staff_reply = self._first_staff_replies(figures.handoffs, staff_rows)
        return figures

    def _conversation(self, messages: list[tuple[Message, str]], handoff_requests: list[datetime]) -> tuple[list[Question], list[Downvote]]:
        questions: list[Question] = []
        downvotes: list[Downvote] = []
        context: tuple[str, ...] = ()
        last_question: Question | None = None
        for index, (message, channel) in enumerate(messages):
            if message.sender == "bot" and message.rating == "down":
                programs = _programs_of_citations(message.citations, self._sources) or (last_question.programs if last_question else context)
                reason = mask_pii(message.rating_reason) if message.rating_reason else None
                downvotes.append(Downvote(last_question, message.id, message.session_id, mask_pii(message.text), reason, programs))
            if message.sender != "user" or message.text.startswith("/"):
                continue
            reply = self._first_reply(messages, index)
            if reply is None or reply.sender != "bot" or self._asked_for_person(message, reply, handoff_requests):
                continue
            outcome = reply_outcome(reply.text)
            if outcome == "form_step":
                continue
            named = tuple(self._find_programs(message.text))
            programs = _programs_of_citations(reply.citations, self._sources) or named or context
            context = programs or context
            last_question = Question(message.id, message.session_id, channel, mask_pii(message.title or message.text),
                                     aware(message.created_at), outcome, programs, reply.id)
            questions.append(last_question)
        return questions, downvotes

    @staticmethod
    def _first_reply(messages: list[tuple[Message, str]], index: int) -> Message | None:
        for message, _ in messages[index + 1:]:
            return None if message.sender == "user" else message
        return None

    @staticmethod
    def _asked_for_person(message: Message, reply: Message, requests: list[datetime]) -> bool:
        """The message started a handoff ("转人工"): a request made between it and its reply."""
        asked, replied = aware(message.created_at), aware(reply.created_at)
        return any(asked <= at <= replied + timedelta(seconds=1) for at in requests)

    @staticmethod
    def _first_staff_replies(handoffs: list[Handoff], staff_rows: Sequence[Any]) -> dict[int, datetime]:
        by_session: dict[str, list[datetime]] = defaultdict(list)
        for session_id, created_at in staff_rows:
            by_session[session_id].append(aware(created_at))
        first = {}
        for handoff in handoffs:
            start = aware(handoff.requested_at)
            end = aware(handoff.ended_at) if handoff.ended_at else None
            replies = [at for at in by_session.get(handoff.session_id, []) if at >= start and (end is None or at <= end)]
            if replies:
                first[handoff.id] = min(replies)
        return first


# --- the figures as the API returns them ----------------------------------------------------


def _local_day(moment: datetime, zone: ZoneInfo) -> date:
    return aware(moment).astimezone(zone).date()


def per_day(figures: Figures) -> list[dict[str, Any]]:
    zone = ZoneInfo(figures.period.timezone)
    first, last = _local_day(figures.period.since, zone), _local_day(figures.period.until, zone)
    asked = Counter(_local_day(q.asked_at, zone) for q in figures.questions)
    missed = Counter(_local_day(q.asked_at, zone) for q in figures.questions if q.outcome in UNANSWERED_KINDS)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [{"date": d.isoformat(), "questions": asked[d], "unanswered": missed[d]} for d in days]


def _key(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


def top_questions(questions: Sequence[Question], limit: int = TOP_QUESTIONS) -> list[dict[str, Any]]:
    groups: dict[str, list[Question]] = defaultdict(list)
    for question in questions:
        groups[_key(question.text) or question.text].append(question)
    ranked = sorted(groups.values(), key=lambda g: (-len(g), g[0].message_id))[:limit]
    return [{"question": g[0].text, "count": len(g), "answered": sum(q.outcome == "answered" for q in g),
             "programs": sorted({p for q in g for p in q.programs})} for g in ranked]


def _faq_match(repository: StaffFaqRepository | None, texts: Sequence[str], programs: Sequence[str]) -> dict[str, Any] | None:
    """The staff FAQ entry the bot would now answer one of these questions with."""
    if repository is None:
        return None
    program = programs[0] if len(programs) == 1 else None
    for text in texts:
        hits = repository.search(text, program, BOT_THRESHOLD)
        if hits:
            hit = hits[0]
            return {"id": hit.entry_id, "question": hit.question, "answer": hit.answer}
    return None


def _cluster_out(members: list[Question], conversations: list[dict[str, Any]], repository: StaffFaqRepository | None) -> dict[str, Any]:
    examples = list(dict.fromkeys(q.text for q in members))
    programs = sorted({p for q in members for p in q.programs})
    return {
        "question": members[0].text,
        "count": len(members),
        "programs": programs,
        "examples": examples[:MAX_EXAMPLES],
        "variants": examples[:10],  # what "add to FAQ" fills in (an entry holds up to 10)
        "conversations": conversations[:MAX_EXAMPLES],
        "faq": _faq_match(repository, examples, programs),
    }


def unanswered_clusters(questions: Sequence[Question], encode: Encoder | None,
                        repository: StaffFaqRepository | None) -> list[dict[str, Any]]:
    missed = [q for q in questions if q.outcome in UNANSWERED_KINDS]
    clusters = []
    for group in group_similar([q.text for q in missed], encode)[:MAX_CLUSTERS]:
        members = [missed[i] for i in group.members]
        conversations = [{"session_id": q.session_id, "message_id": q.message_id} for q in members]
        cluster = _cluster_out(members, conversations, repository)
        cluster["kinds"] = dict(Counter(q.outcome for q in members))
        clusters.append(cluster)
    return clusters


def downvoted_clusters(downvotes: Sequence[Downvote], encode: Encoder | None,
                       repository: StaffFaqRepository | None) -> list[dict[str, Any]]:
    asked = [d for d in downvotes if d.question is not None]
    clusters = []
    for group in group_similar([d.question.text for d in asked], encode)[:MAX_CLUSTERS]:  # type: ignore[union-attr]
        members = [asked[i] for i in group.members]
        conversations = [{"session_id": d.session_id, "message_id": d.reply_id} for d in members]
        cluster = _cluster_out([d.question for d in members], conversations, repository)  # type: ignore[misc]
        cluster["reasons"] = dict(Counter(reason_choice(d.reason) for d in members))
        cluster["reason_texts"] = [d.reason for d in members if d.reason][:MAX_EXAMPLES]
        clusters.append(cluster)
    return clusters


def csat(scores: Sequence[int]) -> dict[str, Any]:
    distribution = Counter(scores)
    return {
        "average": round(statistics.fmean(scores), 2) if scores else None,
        "count": len(scores),
        "distribution": {str(n): distribution[n] for n in range(1, 6)},
    }


def handoff_figures(figures: Figures) -> dict[str, Any]:
    waits = [(figures.first_staff_reply[h.id] - aware(h.requested_at)).total_seconds()
             for h in figures.handoffs if h.id in figures.first_staff_reply]
    return {
        "total": len(figures.handoffs),
        "by_reason": dict(Counter(h.reason for h in figures.handoffs)),
        "reason_labels": {h.reason: reason_label(h.reason) for h in figures.handoffs},
        "replied": len(waits),
        "median_wait_seconds": round(statistics.median(waits), 1) if waits else None,
    }


def report(figures: Figures, encode: Encoder | None = None, repository: StaffFaqRepository | None = None) -> dict[str, Any]:
    """The JSON of ``GET /api/console/analytics``."""
    questions = figures.questions
    unanswered = [q for q in questions if q.outcome in UNANSWERED_KINDS]
    period = figures.period
    return {
        "period": {"days": period.days, "since": period.since.isoformat(), "until": period.until.isoformat(),
                   "program": period.program, "timezone": period.timezone},
        "totals": {
            "messages": figures.messages,
            "conversations": figures.conversations,
            "questions": len(questions),
            "answered": len(questions) - len(unanswered),
            "unanswered": len(unanswered),
            "downvoted": len(figures.downvotes),
            "handoffs": len(figures.handoffs),
        },
        "unanswered_by_kind": {kind: sum(q.outcome == kind for q in unanswered) for kind in UNANSWERED_KINDS},
        "downvote_reasons": dict(Counter(reason_choice(d.reason) for d in figures.downvotes)),
        "unanswered": unanswered_clusters(questions, encode, repository),
        "downvoted": downvoted_clusters(figures.downvotes, encode, repository),
        "handoffs": handoff_figures(figures),
        "csat": csat(figures.ratings),
        "per_day": per_day(figures),
        "top_questions": top_questions(questions),
    }
