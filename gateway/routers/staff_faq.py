"""FAQ entries written by staff ("Add to FAQ"), for logged-in staff.

- ``POST /api/console/faq``: question variants + answer + (optional) the clause it relies on;
  without a clause the staff member is named as the source. Used at once by ``/api/faq/search``,
  the console's suggestions and the bot (no restart).
- ``GET /api/console/faq``: the active entries; ``DELETE /api/console/faq/{id}``: withdraw one.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from connectors.web import iso
from persistence.staff_faq import MAX_ANSWER_CHARS, MAX_QUESTIONS, EntryView, FaqInputError
from gateway.routers.console import AUTH_RESPONSES, HelpdeskDep, StaffDep
from gateway.schemas import Citation, ErrorResponse, ProgramKey

router = APIRouter(prefix="/api/console/faq", tags=["console"], responses=AUTH_RESPONSES)


class FaqCitationIn(BaseModel):
    doc: str = Field(default="", max_length=64)
    title: str = Field(max_length=200)
    clause: str = Field(max_length=200)
    quote: str = Field(default="", max_length=2000)


class FaqEntryIn(BaseModel):
    model_config = {"json_schema_extra": {"examples": [{
        "questions": ["申报书可以手写吗", "申报材料能不能手写"],
        "answer": "申报书需打印，不接受手写。", "program": "sh5g"}]}}

    questions: list[Annotated[str, Field(max_length=200)]] = Field(min_length=1, max_length=MAX_QUESTIONS)
    answer: str = Field(min_length=1, max_length=MAX_ANSWER_CHARS)
    program: ProgramKey | None = None
    citation: FaqCitationIn | None = Field(default=None, description="依据的条款；不填则以工作人员为来源")
    handoff_id: int | None = Field(default=None, ge=1, le=2**62)


class FaqEntryOut(BaseModel):
    id: int
    questions: list[str]
    answer: str
    program: str | None
    citations: list[Citation]
    author: str
    created_at: str


def entry_out(view: EntryView) -> FaqEntryOut:
    return FaqEntryOut(
        id=view.id, questions=view.questions, answer=view.answer, program=view.program,
        citations=[Citation(**c.model_dump()) for c in view.citations()], author=view.author,
        created_at=iso(view.created_at),
    )


@router.post("", response_model=FaqEntryOut, status_code=201, summary="加入常见问题 / Add to FAQ",
             responses={422: {"model": ErrorResponse, "description": "内容不完整或过长"}})
async def add_entry(body: FaqEntryIn, staff: StaffDep, helpdesk: HelpdeskDep) -> FaqEntryOut:
    citation: dict[str, Any] | None = body.citation.model_dump() if body.citation else None
    try:
        entry = await run_in_threadpool(
            lambda: helpdesk.faq.add(body.questions, body.answer, program=body.program.value if body.program else None,
                                     citation=citation, staff_id=staff.id, handoff_id=body.handoff_id)
        )
    except FaqInputError as error:
        raise HTTPException(422, detail=str(error)) from None
    views = await run_in_threadpool(helpdesk.faq.entries)
    return entry_out(next(v for v in views if v.id == entry.id))


@router.get("", response_model=list[FaqEntryOut], summary="工作人员整理的问答 / Staff FAQ entries")
async def list_entries(staff: StaffDep, helpdesk: HelpdeskDep) -> list[FaqEntryOut]:
    return [entry_out(view) for view in await run_in_threadpool(helpdesk.faq.entries)]


@router.delete("/{entry_id}", status_code=204, summary="撤下问答 / Withdraw an entry",
               responses={404: {"model": ErrorResponse, "description": "没有这条问答"}})
async def withdraw_entry(entry_id: Annotated[int, Path(ge=1, le=2**62)], staff: StaffDep, helpdesk: HelpdeskDep) -> Response:
    if not await run_in_threadpool(helpdesk.faq.deactivate, entry_id):
        raise HTTPException(404, detail="未找到这条问答")
    return Response(status_code=204)
