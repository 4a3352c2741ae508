"""Round facts of a program (dates, contacts, addresses, URLs), maintained by admins in the console.

- ``GET /api/console/rounds/{program}`` (any staff): every field a round may change, its current
  value and the notice's, and the history of changes (newest first)
- ``POST /api/console/rounds/{program}/changes`` (admins): change one field, with a reason
- ``POST /api/console/rounds/changes/{id}/revert`` (admins): back to the value before that change

A change is used at once by answers, the FAQ and every process (knowledge/overlay.py); other
staff get 403. Unknown programs are 422 (the program enum), unknown facts, fields or changes 404/422.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from connectors.web import iso
from persistence.staff_accounts import StaffIdentity
from persistence.rounds import MAX_REASON_CHARS, ChangeView, FactView, RoundInputError, RoundNotFound
from gateway.routers.console import AUTH_RESPONSES, HelpdeskDep, StaffDep
from gateway.schemas import ErrorResponse, ProgramKey
from knowledge.overlay import MAX_VALUE_CHARS

router = APIRouter(prefix="/api/console/rounds", tags=["console"], responses=AUTH_RESPONSES)

ADMINS_ONLY = "只有管理员可以修改申报轮次信息"
CHANGE_RESPONSES = {
    403: {"model": ErrorResponse, "description": "不是管理员，或缺少 X-CSRF-Token"},
    404: {"model": ErrorResponse, "description": "没有这条修改"},
    422: {"model": ErrorResponse, "description": "事项、字段或取值不正确，或未写原因"},
}


class FactOut(BaseModel):
    item_id: str
    group: str = Field(description="deadlines, submission or contacts")
    title: str
    field: str = Field(description="e.g. end, text, people.0.phone")
    label: str
    value: str = Field(description="current value (dates as 2027-03-31T17:00)")
    notice_value: str = Field(description="the value the notice states")
    source: str = Field(description="notice, or staff when a person changed it")
    changed_by: str | None
    changed_at: str | None


class ChangeOut(BaseModel):
    id: int
    program: str
    item_id: str
    field: str
    label: str
    old_value: str
    new_value: str
    reason: str
    author: str
    created_at: str
    reverts: int | None = Field(description="the change this one undoes")
    reverted_by: int | None = Field(description="the change that undid this one")


class RoundOut(BaseModel):
    program: str
    can_edit: bool
    facts: list[FactOut]
    history: list[ChangeOut]


class ChangeIn(BaseModel):
    model_config = {"json_schema_extra": {"examples": [{
        "item_id": "sh5g.deadline.central", "field": "end", "value": "2027-03-31T17:00", "reason": "2027年度申报通知"}]}}

    item_id: str = Field(min_length=1, max_length=128)
    field: str = Field(min_length=1, max_length=64)
    value: str = Field(max_length=MAX_VALUE_CHARS)
    reason: str = Field(default="", max_length=MAX_REASON_CHARS, description="修改原因（必填，如：2027年度申报通知）")


class RevertIn(BaseModel):
    reason: str = Field(default="", max_length=MAX_REASON_CHARS)


def _when(moment: datetime | None) -> str | None:
    return iso(moment) if moment else None


def fact_out(view: FactView) -> FactOut:
    f = view.field
    return FactOut(item_id=f.item_id, group=f.group, title=f.title, field=f.field, label=f.label, value=f.value,
                   notice_value=view.notice_value, source="staff" if view.changed_by is not None else "notice",
                   changed_by=view.changed_by, changed_at=_when(view.changed_at))


def change_out(view: ChangeView) -> ChangeOut:
    return ChangeOut(**{**asdict(view), "created_at": iso(view.created_at)})


def _admin(staff: StaffIdentity) -> None:
    if not staff.is_admin:
        raise HTTPException(403, detail=ADMINS_ONLY)


@router.get("/{program}", response_model=RoundOut, summary="申报轮次信息与修改记录 / Round facts and history")
async def round_facts(program: ProgramKey, staff: StaffDep, helpdesk: HelpdeskDep) -> RoundOut:
    facts = await run_in_threadpool(helpdesk.rounds.facts, program.value)
    history = await run_in_threadpool(helpdesk.rounds.history, program.value)
    return RoundOut(program=program.value, can_edit=staff.is_admin, facts=[fact_out(f) for f in facts],
                    history=[change_out(c) for c in history])


@router.post("/{program}/changes", response_model=ChangeOut, status_code=201, responses=CHANGE_RESPONSES,
             summary="修改一项申报轮次信息（管理员）/ Change a round fact (admins)")
async def change_fact(program: ProgramKey, body: ChangeIn, staff: StaffDep, helpdesk: HelpdeskDep) -> ChangeOut:
    _admin(staff)
    try:
        view = await run_in_threadpool(helpdesk.rounds.change, program.value, body.item_id, body.field, body.value,
                                       body.reason, staff.id)
    except RoundInputError as error:
        raise HTTPException(422, detail=str(error)) from None
    return change_out(view)


@router.post("/changes/{change_id}/revert", response_model=ChangeOut, status_code=201, responses=CHANGE_RESPONSES,
             summary="撤销一次修改（管理员）/ Revert a change (admins)")
async def revert_change(change_id: Annotated[int, Path(ge=1, le=2**62)], body: RevertIn, staff: StaffDep,
                        helpdesk: HelpdeskDep) -> ChangeOut:
    _admin(staff)
    try:
        view = await run_in_threadpool(helpdesk.rounds.revert, change_id, body.reason, staff.id)
    except RoundNotFound:
        raise HTTPException(404, detail="没有这条修改记录") from None
    except RoundInputError as error:
        raise HTTPException(422, detail=str(error)) from None
    return change_out(view)
