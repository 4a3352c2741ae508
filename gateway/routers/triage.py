"""Triage in the console, for logged-in staff.

- ``GET /api/console/conversations``: search handoffs by text, program, channel, date and status
  (``waiting`` / ``active`` / ``open`` / ``ended``), ``mine=true`` for one's own; newest first, 50 at most
- ``GET|POST /api/console/canned``, ``PUT|DELETE /api/console/canned/{id}``: the shared library of
  canned replies (any staff member creates, edits and withdraws them), tagged by program
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from connectors.web import iso
from gateway.helpdesk.triage import MAX_REPLY_CHARS, MAX_TITLE_CHARS, CannedInputError, CannedView, SearchFilters
from gateway.routers.console import AUTH_RESPONSES, HelpdeskDep, StaffDep
from gateway.routers.handoffs import HandoffOut, _names, handoff_out
from gateway.schemas import ErrorResponse, ProgramKey

router = APIRouter(prefix="/api/console", tags=["console"], responses=AUTH_RESPONSES)

CannedId = Annotated[int, Path(ge=1, le=2**62, description="常用回复编号 / canned reply id")]
NOT_FOUND = {404: {"model": ErrorResponse, "description": "没有这条常用回复"}}


@router.get("/conversations", response_model=list[HandoffOut], summary="搜索会话 / Search conversations",
            responses={422: {"model": ErrorResponse, "description": "参数错误"}})
async def search_conversations(
    staff: StaffDep, helpdesk: HelpdeskDep,
    q: Annotated[str, Query(max_length=100, description="问题或对话中的文字 / text")] = "",
    program: ProgramKey | None = None,
    channel: Annotated[Literal["web", "wechat"] | None, Query(description="渠道 / channel")] = None,
    status: Annotated[Literal["waiting", "active", "open", "ended"] | None, Query(description="状态 / status")] = None,
    since: Annotated[date | None, Query(description="转人工日期起（含）/ from (UTC date)")] = None,
    until: Annotated[date | None, Query(description="转人工日期止（含）/ to (UTC date)")] = None,
    mine: bool = False,
) -> list[HandoffOut]:
    filters = SearchFilters(text=q, program=program.value if program else None, channel=channel, status=status,
                            since=since, until=until, staff_id=staff.id if mine else None)

    def read() -> list[HandoffOut]:
        found = helpdesk.triage.search(filters)
        left = helpdesk.triage.contact_left(h.session_id for h in found)
        names = _names(helpdesk)
        return [handoff_out(h, staff, names, helpdesk.handoffs.rating_of(h.id), h.session_id in left) for h in found]

    return await run_in_threadpool(read)


class CannedIn(BaseModel):
    model_config = {"json_schema_extra": {"examples": [{
        "title": "材料份数", "text": "纸质申报材料一式六份，另附电子版（光盘）。", "programs": ["sh5g"]}]}}

    title: str = Field(min_length=1, max_length=MAX_TITLE_CHARS)
    text: str = Field(min_length=1, max_length=MAX_REPLY_CHARS)
    programs: list[ProgramKey] = Field(default=[], max_length=20, description="适用项目；不填则适用于所有项目")


class CannedOut(BaseModel):
    id: int
    title: str
    text: str
    programs: list[str]
    author: str = Field(description="最后编辑的工作人员")
    updated_at: str


def canned_out(view: CannedView) -> CannedOut:
    return CannedOut(id=view.id, title=view.title, text=view.text, programs=view.programs, author=view.author,
                     updated_at=iso(view.updated_at))


def _saved(error: CannedInputError) -> HTTPException:
    return HTTPException(422, detail=str(error))


@router.get("/canned", response_model=list[CannedOut], summary="常用回复 / Canned replies")
async def list_canned(staff: StaffDep, helpdesk: HelpdeskDep,
                      program: Annotated[ProgramKey | None, Query(description="此项目的排在前面")] = None) -> list[CannedOut]:
    views = await run_in_threadpool(helpdesk.canned.all, program.value if program else None)
    return [canned_out(v) for v in views]


async def _one(helpdesk: HelpdeskDep, reply_id: int) -> CannedOut:
    views = await run_in_threadpool(helpdesk.canned.all)
    return canned_out(next(v for v in views if v.id == reply_id))


@router.post("/canned", response_model=CannedOut, status_code=201, summary="新建常用回复 / New canned reply",
             responses={422: {"model": ErrorResponse, "description": "内容不完整或过长"}})
async def add_canned(body: CannedIn, staff: StaffDep, helpdesk: HelpdeskDep) -> CannedOut:
    try:
        reply_id = await run_in_threadpool(helpdesk.canned.add, body.title, body.text, [p.value for p in body.programs], staff.id)
    except CannedInputError as error:
        raise _saved(error) from None
    return await _one(helpdesk, reply_id)


@router.put("/canned/{reply_id}", response_model=CannedOut, summary="修改常用回复 / Edit a canned reply",
            responses={**NOT_FOUND, 422: {"model": ErrorResponse, "description": "内容不完整或过长"}})
async def edit_canned(reply_id: CannedId, body: CannedIn, staff: StaffDep, helpdesk: HelpdeskDep) -> CannedOut:
    try:
        found = await run_in_threadpool(helpdesk.canned.edit, reply_id, body.title, body.text,
                                        [p.value for p in body.programs], staff.id)
    except CannedInputError as error:
        raise _saved(error) from None
    if not found:
        raise HTTPException(404, detail="未找到这条常用回复")
    return await _one(helpdesk, reply_id)


@router.delete("/canned/{reply_id}", status_code=204, summary="删除常用回复 / Withdraw a canned reply", responses=NOT_FOUND)
async def remove_canned(reply_id: CannedId, staff: StaffDep, helpdesk: HelpdeskDep) -> Response:
    if not await run_in_threadpool(helpdesk.canned.remove, reply_id):
        raise HTTPException(404, detail="未找到这条常用回复")
    return Response(status_code=204)
