"""The handoff life cycle, all of it in the gateway database (nothing is lost on a restart):

    request ──> waiting ──claim──> active ──close──> closed      (rating asked)
                   ^                 │  └──hand back──> returned (rating asked)
                   └────release──────┘
    waiting/active ──applicant cancels──> cancelled

A request made outside office hours, or while no staff member is online, is a left message
(``kind="message"``): it waits in the same queue and the staff reply reaches the applicant
through the channel's push or when they come back. Every state change is one conditional
UPDATE, so two staff members (or two gateway processes) cannot claim the same conversation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from persistence.staff_accounts import StaffAccounts, aware
from gateway.helpdesk.hours import OfficeHours
from persistence.helpdesk_models import OPEN_STATUSES, Handoff, Rating
from persistence.models import Conversation, Message, utcnow
from gateway.schemas import ProgramKey

REASON_LABELS = {
    "user_request": "申请人要求人工服务",
    "not_understood": "连续两次未能理解",
    "out_of_scope": "超出回答范围",
    "answer_rated_down": "对回答不满意",
    "form_validation": "表单同一项多次校验未通过",
    "other": "其他",
}
REASON_RE = re.compile(r"^[a-z0-9_\-.:]{1,64}$")
RATING_WINDOW = timedelta(days=1)
MAX_RESOLUTION_CHARS = 500
PROGRAM_KEYS = frozenset(key.value for key in ProgramKey)

ERRORS = {
    "not_found": "未找到该转人工记录",
    "taken": "该会话已被其他工作人员接入或已结束",
    "not_owner": "该会话由其他工作人员负责，请先由其释放",
    "not_open": "该会话的人工服务已结束",
    "not_claimed": "请先接入该会话再回复",
}


class HandoffError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(ERRORS[code])
        self.code = code
        self.detail = ERRORS[code]


def clean_reason(raw: object) -> str:
    """A reason string from an action (any feature may add its own): kept if it looks like an
    identifier, else "other"."""
    reason = str(raw or "").strip().lower()
    return reason if REASON_RE.match(reason) else "other"


def reason_label(reason: str) -> str:
    return REASON_LABELS.get(reason, reason)


@dataclass(frozen=True)
class RequestOutcome:
    handoff: Handoff
    created: bool
    position: int  # place in the queue (1: next); 0 when a staff member already has it


@dataclass(frozen=True)
class CancelOutcome:
    handoff: Handoff | None
    kept: bool  # a left message stays in the queue (the applicant wrote something since asking)


class HandoffService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        hours: OfficeHours,
        accounts: StaffAccounts,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self.hours = hours
        self.accounts = accounts
        self._clock = clock

    # --- reading --------------------------------------------------------------------------------

    def get(self, handoff_id: int) -> Handoff | None:
        with self._sessions() as db:
            return db.get(Handoff, handoff_id)

    def open_for(self, session_id: str) -> Handoff | None:
        with self._sessions() as db:
            return self._open(db, session_id)

    @staticmethod
    def _open(db: Session, session_id: str) -> Handoff | None:
        return db.scalar(select(Handoff).where(Handoff.session_id == session_id, Handoff.status.in_(OPEN_STATUSES)))

    def channel_of(self, session_id: str) -> str:
        """The channel the conversation came in on ("web" until it is stored)."""
        with self._sessions() as db:
            return db.scalar(select(Conversation.channel).where(Conversation.session_id == session_id)) or "web"

    def open_sessions(self) -> set[str]:
        with self._sessions() as db:
            return set(db.scalars(select(Handoff.session_id).where(Handoff.status.in_(OPEN_STATUSES))))

    def position(self, handoff: Handoff) -> int:
        if handoff.status != "waiting":
            return 0
        with self._sessions() as db:
            return int(db.scalar(select(func.count()).select_from(Handoff).where(
                Handoff.status == "waiting", Handoff.id <= handoff.id)) or 0)

    def waiting(self) -> list[Handoff]:
        """The queue, oldest first."""
        with self._sessions() as db:
            return list(db.scalars(select(Handoff).where(Handoff.status == "waiting").order_by(Handoff.id)))

    def active(self) -> list[Handoff]:
        with self._sessions() as db:
            return list(db.scalars(select(Handoff).where(Handoff.status == "active").order_by(Handoff.claimed_at)))

    def recent(self, limit: int = 20) -> list[tuple[Handoff, int | None]]:
        """Ended handoffs, newest first, with their rating (if any)."""
        with self._sessions() as db:
            rows = db.execute(
                select(Handoff, Rating.score)
                .outerjoin(Rating, Rating.handoff_id == Handoff.id)
                .where(Handoff.status.not_in(OPEN_STATUSES))
                .order_by(Handoff.ended_at.desc(), Handoff.id.desc())
                .limit(limit)
            ).all()
        return [(row[0], row[1]) for row in rows]

    def rating_of(self, handoff_id: int) -> int | None:
        with self._sessions() as db:
            return db.scalar(select(Rating.score).where(Rating.handoff_id == handoff_id))

    def last_answer_rated_down(self, session_id: str) -> bool:
        """True if the assistant's latest message in the conversation got a thumbs down."""
        with self._sessions() as db:
            rating = db.scalar(
                select(Message.rating).where(Message.session_id == session_id, Message.sender == "bot")
                .order_by(Message.id.desc()).limit(1)
            )
        return rating == "down"

    def last_question(self, handoff: Handoff) -> str | None:
        """What the applicant asks staff: their latest message since the request (not a
        command), else the question they asked before requesting a person."""
        with self._sessions() as db:
            texts = db.scalars(
                select(Message.text).where(Message.session_id == handoff.session_id, Message.sender == "user",
                                           Message.created_at >= handoff.requested_at)
                .order_by(Message.id.desc()).limit(10)
            )
            latest = next((t for t in texts if t and not t.startswith("/")), None)
        return latest or handoff.question

    def _context(self, db: Session, session_id: str, current_text: str) -> tuple[str | None, str | None]:
        """The applicant's last real question (not a command, not the request itself) and the
        program of the latest cited answer."""
        texts = db.scalars(
            select(Message.text).where(Message.session_id == session_id, Message.sender == "user")
            .order_by(Message.id.desc()).limit(10)
        )
        question = next((t for t in texts if t and not t.startswith("/") and t != current_text), None)
        if question is None and current_text and not current_text.startswith("/"):
            question = current_text
        citations = db.scalars(
            select(Message.citations).where(Message.session_id == session_id, Message.sender == "bot")
            .order_by(Message.id.desc()).limit(10)
        )
        docs = (c[0].get("doc") for c in citations if c and isinstance(c[0], dict))
        program = next((doc for doc in docs if doc in PROGRAM_KEYS), None)
        return (question[:500] if question else None), program

    # --- the applicant's side ---------------------------------------------------------------------

    def request(self, session_id: str, reason: str, *, channel: str = "web", text: str = "",
                program: str | None = None) -> RequestOutcome:
        """Put the conversation in the queue (or find it there). Live when it is office hours
        and someone is online, otherwise a left message. ``program``: the one in focus, if
        known (else the program of the latest cited answer)."""
        now = self._clock()
        live = self.hours.is_open(now) and self.accounts.online_count() > 0
        try:
            with self._sessions.begin() as db:
                existing = self._open(db, session_id)
                if existing is not None:
                    existing.bot_paused = True
                    handoff, created = existing, False
                else:
                    question, cited_program = self._context(db, session_id, text)
                    handoff = Handoff(
                        session_id=session_id, channel=channel[:32] or "web", kind="live" if live else "message",
                        status="waiting", reason=clean_reason(reason), program=program or cited_program, question=question,
                        bot_paused=True, requested_at=now, rating_requested=False,
                    )
                    db.add(handoff)
                    created = True
        except IntegrityError:  # the same conversation asked twice at once
            handoff = self.open_for(session_id)
            if handoff is None:
                raise
            created = False
        return RequestOutcome(handoff, created, self.position(handoff))

    def cancel(self, session_id: str) -> CancelOutcome:
        """The applicant wants the assistant back. A waiting request the applicant has written
        into since asking stays in the queue (the staff reply will still reach them), but the
        assistant answers again; otherwise the request is cancelled."""
        now = self._clock()
        with self._sessions.begin() as db:
            handoff = self._open(db, session_id)
            if handoff is None:
                return CancelOutcome(None, kept=False)
            wrote = db.scalar(select(func.count()).select_from(Message).where(
                Message.session_id == session_id, Message.sender == "user",
                Message.created_at > handoff.requested_at, ~Message.text.startswith("/"),
            ))
            if handoff.status == "waiting" and wrote:
                handoff.bot_paused = False
                return CancelOutcome(handoff, kept=True)
            handoff.status = "cancelled"
            handoff.ended_at = now
            handoff.resolution = "申请人取消"
            return CancelOutcome(handoff, kept=False)

    def rating_pending(self, session_id: str) -> Handoff | None:
        """The latest handoff a staff member handled, if its rating was asked and not given yet."""
        since = self._clock() - RATING_WINDOW
        with self._sessions() as db:
            handoff = db.scalar(
                select(Handoff).where(Handoff.session_id == session_id, Handoff.status.not_in(OPEN_STATUSES))
                .order_by(Handoff.id.desc()).limit(1)
            )
            if handoff is None or not handoff.rating_requested or handoff.ended_at is None:
                return None
            if aware(handoff.ended_at) < since:
                return None
            if db.scalar(select(Rating.id).where(Rating.handoff_id == handoff.id)) is not None:
                return None
            return handoff

    def rate(self, session_id: str, score: int) -> Handoff | None:
        """Store the applicant's 1-5 rating of the latest handled handoff (None: nothing to rate)."""
        if not 1 <= score <= 5:
            raise ValueError("score must be 1-5")
        handoff = self.rating_pending(session_id)
        if handoff is None:
            return None
        try:
            with self._sessions.begin() as db:
                db.add(Rating(handoff_id=handoff.id, session_id=session_id, score=score, created_at=self._clock()))
        except IntegrityError:  # rated twice at once
            return None
        return handoff

    # --- the staff's side ---------------------------------------------------------------------------

    def _change(self, handoff_id: int, condition, values: dict, failure: Callable[[Handoff], str]) -> Handoff:  # noqa: ANN001
        with self._sessions.begin() as db:
            result = db.execute(update(Handoff).where(Handoff.id == handoff_id, condition).values(**values))
            handoff = db.get(Handoff, handoff_id)
            if handoff is None:
                raise HandoffError("not_found")
            if result.rowcount != 1:
                raise HandoffError(failure(handoff))
            db.refresh(handoff)
            return handoff

    def claim(self, handoff_id: int, staff_id: int) -> Handoff:
        return self._change(
            handoff_id, Handoff.status == "waiting",
            {"status": "active", "staff_id": staff_id, "claimed_at": self._clock(), "bot_paused": True},
            lambda h: "taken",
        )

    def release(self, handoff_id: int, staff_id: int) -> Handoff:
        """Back to the queue, for another staff member."""
        return self._change(
            handoff_id, (Handoff.status == "active") & (Handoff.staff_id == staff_id),
            {"status": "waiting", "staff_id": None},
            lambda h: "not_owner" if h.status == "active" else "not_open",
        )

    def end(self, handoff_id: int, staff_id: int, *, status: str, resolution: str = "") -> Handoff:
        """Close (``status="closed"``, with a resolution) or hand back to the bot
        (``"returned"``). A waiting request (e.g. a left message) may be ended unclaimed."""
        assert status in ("closed", "returned")
        mine_or_unclaimed = (Handoff.status == "waiting") | ((Handoff.status == "active") & (Handoff.staff_id == staff_id))
        return self._change(
            handoff_id, mine_or_unclaimed,
            {"status": status, "ended_at": self._clock(), "ended_by": staff_id,
             "resolution": resolution.strip()[:MAX_RESOLUTION_CHARS] or None,
             "rating_requested": Handoff.claimed_at.is_not(None)},
            lambda h: "not_owner" if h.status == "active" else "not_open",
        )

    def check_owner(self, handoff_id: int, staff_id: int) -> Handoff:
        """The handoff, if this staff member owns it (only the owner writes to the applicant)."""
        handoff = self.get(handoff_id)
        if handoff is None:
            raise HandoffError("not_found")
        if handoff.status == "waiting":
            raise HandoffError("not_claimed")
        if handoff.status != "active":
            raise HandoffError("not_open")
        if handoff.staff_id != staff_id:
            raise HandoffError("not_owner")
        return handoff
