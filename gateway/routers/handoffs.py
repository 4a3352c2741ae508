"""The helpdesk queue and the handoffs, for logged-in staff (``/api/console/...``).

- ``GET /api/console/queue``: waiting conversations (waiting time, channel, program, reason),
  the ones being handled, the latest ended ones with their ratings, presence and office hours
- ``GET /api/console/handoffs/{id}``: the handoff, the full transcript (answers with their
  citations), the last intents and the form in progress
- ``GET /api/console/handoffs/{id}/messages?after=``: messages newer than an id
- ``GET /api/console/handoffs/{id}/suggestions``: answers from the knowledge base (and staff
  FAQ entries) for the applicant's last question
- ``POST …/claim``, ``…/release``, ``…/return`` (hand back to the bot), ``…/close``, ``…/reply``
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from persistence.drafts import DraftStore
from connectors.web import iso, message_frame
from gateway.deps import KnowledgeDep, SettingsDep
from persistence.staff_accounts import StaffIdentity, aware
from persistence.helpdesk_models import Handoff
from gateway.helpdesk.service import HandoffError, reason_label
from gateway.knowledge_service import KnowledgeUnavailable
from persistence.models import utcnow
from gateway.routers.console import AUTH_RESPONSES, HelpdeskDep, StaffDep
from gateway.routers.faq import PROGRAM_LABELS, to_result
from gateway.schemas import Citation, ErrorResponse
from knowledge.forms.engine import progress
from knowledge.forms.loader import get_forms

router = APIRouter(prefix="/api/console", tags=["console"], responses=AUTH_RESPONSES)

HandoffId = Annotated[int, Path(ge=1, le=2**62, description="转人工记录编号 / handoff id")]
TRANSCRIPT_LIMIT = 500
CHANGE_RESPONSES = {
    404: {"model": ErrorResponse, "description": "没有这条转人工记录"},
    409: {"model": ErrorResponse, "description": "状态已变化（已被他人接入、已结束等）"},
}


class HandoffOut(BaseModel):
    id: int
    session_id: str
    channel: str
    kind: str = Field(description="live（实时排队）| message（留言）")
    status: str = Field(description="waiting | active | closed | returned | cancelled")
    reason: str
    reason_label: str
    program: str | None
    program_label: str | None
    question: str | None = Field(description="申请人最后的问题 / the applicant's last question")
    requested_at: str
    waiting_seconds: int
    claimed_at: str | None
    staff_name: str | None
    mine: bool
    ended_at: str | None
    resolution: str | None
    rating: int | None = None
    contact_left: bool = Field(default=False, description="申请人是否留下了电话、邮箱等联系方式 / contact details left")


class QueueOut(BaseModel):
    waiting: list[HandoffOut]
    active: list[HandoffOut]
    recent: list[HandoffOut]
    online_staff: int
    office_open: bool
    office_hours: str


class DialogueOut(BaseModel):
    available: bool
    intents: list[dict[str, Any]]
    active_form: str | None
    requested_slot: str | None
    slots: dict[str, Any]


class FormProgressOut(BaseModel):
    title: str
    code: str
    phase: str
    asking: str | None
    filled: list[dict[str, str]]
    total: int


class TranscriptOut(BaseModel):
    handoff: HandoffOut
    messages: list[dict[str, Any]]
    dialogue: DialogueOut
    form: FormProgressOut | None = Field(default=None, description="表单填写进度 / the applicant's latest form draft")


def form_progress(drafts: DraftStore, session_id: str) -> FormProgressOut | None:
    stored = drafts.latest(session_id)
    if stored is None:
        return None
    form = get_forms().get(stored.draft.form_id) if stored.draft.form_id else None
    title = form.title if form else f"{stored.draft.program} 申报资格预审"
    return FormProgressOut(title=title, code=stored.code, **progress(form, stored.draft))


class MessagesOut(BaseModel):
    messages: list[dict[str, Any]]


class ReplyRequest(BaseModel):
    text: str = Field(min_length=1, max_length=20_000)


class CloseRequest(BaseModel):
    resolution: str = Field(default="", max_length=500, description="处理结果 / resolution")


class Suggestion(BaseModel):
    question: str | None
    answer: str
    citations: list[Citation]
    score: float
    source: str = Field(description="knowledge（政策知识库）| staff（工作人员整理的问答）")


class SuggestionsOut(BaseModel):
    question: str | None
    suggestions: list[Suggestion]


def _when(moment: datetime | None) -> str | None:
    return iso(moment) if moment else None


def handoff_out(handoff: Handoff, staff: StaffIdentity, names: dict[int, str], rating: int | None = None,
                contact_left: bool = False) -> HandoffOut:
    end = aware(handoff.claimed_at or handoff.ended_at or utcnow())
    return HandoffOut(
        id=handoff.id, session_id=handoff.session_id, channel=handoff.channel, kind=handoff.kind,
        status=handoff.status, reason=handoff.reason, reason_label=reason_label(handoff.reason),
        program=handoff.program, program_label=PROGRAM_LABELS.get(handoff.program or "", handoff.program),
        question=handoff.question, requested_at=iso(handoff.requested_at),
        waiting_seconds=max(0, int((end - aware(handoff.requested_at)).total_seconds())),
        claimed_at=_when(handoff.claimed_at), staff_name=names.get(handoff.staff_id or 0),
        mine=handoff.staff_id == staff.id, ended_at=_when(handoff.ended_at), resolution=handoff.resolution,
        rating=rating, contact_left=contact_left,
    )


def _names(helpdesk: HelpdeskDep) -> dict[int, str]:
    return {row.id: row.display_name for row in helpdesk.accounts.all()}


def _found(handoff: Handoff | None) -> Handoff:
    if handoff is None:
        raise HTTPException(404, detail="未找到该转人工记录")
    return handoff


async def _change(action, *args: Any, **kwargs: Any) -> Handoff:  # noqa: ANN001
    try:
        return await action(*args, **kwargs)
    except HandoffError as error:
        raise HTTPException(404 if error.code == "not_found" else 409, detail=error.detail) from None


@router.get("/queue", response_model=QueueOut, summary="排队中的会话 / The queue")
async def queue(staff: StaffDep, helpdesk: HelpdeskDep) -> QueueOut:
    def read() -> QueueOut:
        names = _names(helpdesk)
        service = helpdesk.handoffs
        waiting, active, recent = service.waiting(), service.active(), service.recent()
        left = helpdesk.triage.contact_left(h.session_id for h in [*waiting, *active])
        return QueueOut(
            waiting=[handoff_out(h, staff, names, contact_left=h.session_id in left) for h in waiting],
            active=[handoff_out(h, staff, names, contact_left=h.session_id in left) for h in active],
            recent=[handoff_out(h, staff, names, rating) for h, rating in recent],
            online_staff=helpdesk.accounts.online_count(),
            office_open=service.hours.is_open(utcnow()),
            office_hours=service.hours.describe(),
        )

    return await run_in_threadpool(read)


@router.get("/handoffs/{handoff_id}", response_model=TranscriptOut, summary="会话详情与完整记录 / Transcript",
            responses={404: CHANGE_RESPONSES[404]})
async def transcript(handoff_id: HandoffId, staff: StaffDep, helpdesk: HelpdeskDep) -> TranscriptOut:
    def read() -> TranscriptOut:
        handoff = _found(helpdesk.handoffs.get(handoff_id))
        rows = helpdesk.store.messages_after(handoff.session_id, 0, TRANSCRIPT_LIMIT)
        dialogue = helpdesk.tracker.state(handoff.session_id)
        return TranscriptOut(
            handoff=handoff_out(handoff, staff, _names(helpdesk), helpdesk.handoffs.rating_of(handoff.id)),
            messages=[message_frame(row) for row in rows],
            dialogue=DialogueOut(**dialogue.__dict__),
            form=form_progress(helpdesk.drafts, handoff.session_id),
        )

    return await run_in_threadpool(read)


@router.get("/handoffs/{handoff_id}/messages", response_model=MessagesOut, summary="新消息 / Newer messages",
            responses={404: CHANGE_RESPONSES[404]})
async def messages(
    handoff_id: HandoffId, staff: StaffDep, helpdesk: HelpdeskDep,
    after: Annotated[int, Query(ge=0, le=2**62)] = 0,
) -> MessagesOut:
    handoff = _found(await run_in_threadpool(helpdesk.handoffs.get, handoff_id))
    rows = await run_in_threadpool(helpdesk.store.messages_after, handoff.session_id, after, TRANSCRIPT_LIMIT)
    return MessagesOut(messages=[message_frame(row) for row in rows])


@router.get("/handoffs/{handoff_id}/suggestions", response_model=SuggestionsOut,
            summary="建议回答 / Suggested answers", responses={404: CHANGE_RESPONSES[404]})
async def suggestions(handoff_id: HandoffId, staff: StaffDep, helpdesk: HelpdeskDep, knowledge: KnowledgeDep) -> SuggestionsOut:
    handoff = _found(await run_in_threadpool(helpdesk.handoffs.get, handoff_id))
    question = await run_in_threadpool(helpdesk.handoffs.last_question, handoff)
    if not question:
        return SuggestionsOut(question=None, suggestions=[])
    try:
        kb = await knowledge.get()
    except KnowledgeUnavailable:
        raise HTTPException(503, detail="知识库暂不可用，请稍后再试") from None
    hits = await run_in_threadpool(kb.search_faq, question[:200], handoff.program, 3)  # the conversation's program
    found = [
        Suggestion(**to_result(hit).model_dump(), source="staff" if getattr(hit, "topic", None) == "staff" else "knowledge")
        for hit in hits
    ]
    return SuggestionsOut(question=question, suggestions=found)


@router.post("/handoffs/{handoff_id}/claim", response_model=HandoffOut, summary="接入 / Claim", responses=CHANGE_RESPONSES)
async def claim(handoff_id: HandoffId, staff: StaffDep, helpdesk: HelpdeskDep) -> HandoffOut:
    handoff = await _change(helpdesk.claim, handoff_id, staff)
    return handoff_out(handoff, staff, {staff.id: staff.display_name})


@router.post("/handoffs/{handoff_id}/release", response_model=HandoffOut, summary="放回队列 / Release",
             responses=CHANGE_RESPONSES)
async def release(handoff_id: HandoffId, staff: StaffDep, helpdesk: HelpdeskDep) -> HandoffOut:
    handoff = await _change(helpdesk.release, handoff_id, staff)
    return handoff_out(handoff, staff, {})


@router.post("/handoffs/{handoff_id}/return", response_model=HandoffOut, summary="交回机器人 / Hand back to the bot",
             responses=CHANGE_RESPONSES)
async def hand_back(handoff_id: HandoffId, staff: StaffDep, helpdesk: HelpdeskDep,
                    body: CloseRequest | None = None) -> HandoffOut:
    resolution = body.resolution if body else ""
    handoff = await _change(helpdesk.end, handoff_id, staff, status="returned", resolution=resolution)
    return handoff_out(handoff, staff, {staff.id: staff.display_name})


@router.post("/handoffs/{handoff_id}/close", response_model=HandoffOut, summary="结束并记录处理结果 / Close",
             responses=CHANGE_RESPONSES)
async def close(handoff_id: HandoffId, body: CloseRequest, staff: StaffDep, helpdesk: HelpdeskDep) -> HandoffOut:
    handoff = await _change(helpdesk.end, handoff_id, staff, status="closed", resolution=body.resolution)
    return handoff_out(handoff, staff, {staff.id: staff.display_name})


class ReplyOut(BaseModel):
    delivered: bool = Field(description="是否已实时送达（否则申请人回来时可见）")


@router.post("/handoffs/{handoff_id}/reply", response_model=ReplyOut, summary="回复申请人 / Reply",
             responses={**CHANGE_RESPONSES, 413: {"model": ErrorResponse, "description": "消息过长"},
                        422: {"model": ErrorResponse, "description": "消息为空"}})
async def reply(handoff_id: HandoffId, body: ReplyRequest, staff: StaffDep, helpdesk: HelpdeskDep,
                settings: SettingsDep) -> ReplyOut:
    text = body.text.strip()
    if not text:
        raise HTTPException(422, detail="回复内容不能为空")
    if len(text) > settings.max_message_chars:
        raise HTTPException(413, detail=f"回复过长，请控制在{settings.max_message_chars}字以内")
    try:
        delivered = await helpdesk.reply(handoff_id, staff, text)
    except HandoffError as error:
        raise HTTPException(404 if error.code == "not_found" else 409, detail=error.detail) from None
    return ReplyOut(delivered=delivered)
