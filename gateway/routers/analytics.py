"""Console analytics (any logged-in staff member; an applicant's session token opens nothing here).

- ``GET /console/analytics``: the page (static/analytics.html)
- ``GET /api/console/analytics?days=N&program=KEY``: figures, clusters of unanswered and 👎
  questions, handoffs, satisfaction, questions per day, top questions
- ``GET /api/console/analytics.csv?days=N&program=KEY&part=figures|conversations``: the same
  figures, or every message of the period's conversations, personal data masked
- ``GET /api/console/analytics/conversations/{session_id}``: a conversation's transcript
  (a cluster's "open the conversation"); an id without messages is 404
"""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Callable
from contextlib import nullcontext
from typing import Annotated, Any, Literal

import numpy as np
from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from connectors.web import message_frame
from gateway.deps import KnowledgeDep, StoreDep
from persistence.staff_accounts import aware
from gateway.helpdesk.analytics import MAX_DAYS, AnalyticsReader, Figures, ProgramFinder, report
from gateway.helpdesk.clusters import Encoder
from gateway.helpdesk.outcomes import UNANSWERED_LABELS, reply_outcome
from gateway.knowledge_service import KnowledgeProvider, KnowledgeUnavailable
from gateway.routers.console import AUTH_RESPONSES, HelpdeskDep, StaffDep
from gateway.routers.web import page
from gateway.schemas import SESSION_ID_PATTERN, ErrorResponse, ProgramKey
from knowledge.privacy import mask_pii

router = APIRouter(tags=["console"])

DaysQuery = Annotated[int, Query(ge=1, le=MAX_DAYS, description=f"统计最近多少天（1-{MAX_DAYS}）")]
ProgramQuery = Annotated[ProgramKey | None, Query(description="只统计这个项目（省略：全部）")]
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


class KnowledgeTools(BaseModel):
    """What analytics borrows from the knowledge base: its embeddings, its program detector and
    which program each cited notice belongs to (all optional: without them, words alone)."""

    model_config = {"arbitrary_types_allowed": True}

    encode: Callable[[list[str]], np.ndarray] | None = None
    find_programs: Callable[[str], Any] | None = None
    source_programs: dict[str, str] = {}


def knowledge_tools(service: Any) -> KnowledgeTools:
    encoder = getattr(getattr(service, "retriever", None), "encoder", None)
    lock = getattr(service, "_lock", None)  # the dense encoder is not re-entrant (knowledge.api)
    guard: Callable[[], Any] = (lambda: lock) if isinstance(lock, type(threading.Lock())) else nullcontext

    def encode(texts: list[str]) -> np.ndarray:
        with guard():
            return encoder.encode(texts)  # type: ignore[union-attr]

    detector = getattr(getattr(service, "composer", None), "detector", None)
    programs = getattr(getattr(service, "data", None), "programs", None) or {}
    return KnowledgeTools(
        encode=encode if encoder is not None else None,
        find_programs=(lambda text: detector.detect(text).programs) if detector is not None else None,
        source_programs={getattr(p, "source", key): key for key, p in programs.items()},
    )


async def _tools(knowledge: KnowledgeProvider) -> KnowledgeTools:
    try:
        return knowledge_tools(await knowledge.get())
    except KnowledgeUnavailable:
        return KnowledgeTools()


def _reader(request: Request, tools: KnowledgeTools) -> AnalyticsReader:
    settings = request.app.state.settings
    finder: ProgramFinder | None = tools.find_programs
    return AnalyticsReader(request.app.state.store._sessions, timezone=settings.helpdesk_timezone,
                           find_programs=finder, source_programs=tools.source_programs)


async def _figures(request: Request, knowledge: KnowledgeProvider, days: int, program: ProgramKey | None) -> tuple[Figures, KnowledgeTools]:
    tools = await _tools(knowledge)
    reader = _reader(request, tools)
    period = reader.period(days, program.value if program else None)
    return await run_in_threadpool(reader.read, period), tools


@router.get("/console/analytics", include_in_schema=False)
async def analytics_page() -> FileResponse:
    return page("analytics.html")


@router.get("/api/console/analytics", summary="咨询统计 / Analytics", responses=AUTH_RESPONSES)
async def analytics(request: Request, staff: StaffDep, helpdesk: HelpdeskDep, knowledge: KnowledgeDep,
                    days: DaysQuery = 30, program: ProgramQuery = None) -> dict[str, Any]:
    """消息数、问题数、已回答/未回答（按类型）、没帮助（及原因）、转人工（按原因）、满意度、首次人工回复等待中位数、
    每日问题数、热门问题；未回答和没帮助的问题按相似度聚类（每类附已有的常见问题）。按存储的消息统计。"""
    figures, tools = await _figures(request, knowledge, days, program)
    encode: Encoder | None = tools.encode
    return await run_in_threadpool(report, figures, encode, helpdesk.faq)


def _csv(rows: list[list[Any]], filename: str) -> Response:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    # the BOM lets Excel read the UTF-8 Chinese text
    return Response("\ufeff" + buffer.getvalue(), media_type=CSV_MEDIA_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def figure_rows(data: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = [["部分", "项目", "数值", "说明"]]
    rows += [["总数", key, value, ""] for key, value in data["totals"].items()]
    rows += [["未回答类型", kind, n, UNANSWERED_LABELS[kind]] for kind, n in data["unanswered_by_kind"].items()]
    rows += [["没帮助原因", reason, n, ""] for reason, n in data["downvote_reasons"].items()]
    rows += [["转人工原因", reason, n, data["handoffs"]["reason_labels"].get(reason, "")]
             for reason, n in data["handoffs"]["by_reason"].items()]
    rows.append(["转人工", "median_wait_seconds", data["handoffs"]["median_wait_seconds"], "首次人工回复等待时间中位数（秒）"])
    rows += [["满意度", key, data["csat"][key], ""] for key in ("average", "count")]
    rows += [["满意度分布", f"{score}分", n, ""] for score, n in data["csat"]["distribution"].items()]
    rows += [["每日问题数", day["date"], day["questions"], f"未回答{day['unanswered']}"] for day in data["per_day"]]
    rows += [["热门问题", item["question"], item["count"], f"已回答{item['answered']}"] for item in data["top_questions"]]
    for section, clusters in (("未回答聚类", data["unanswered"]), ("没帮助聚类", data["downvoted"])):
        rows += [[section, c["question"], c["count"], " | ".join(c["examples"])] for c in clusters]
    return rows


def conversation_rows(request: Request, figures: Figures) -> list[list[Any]]:
    sessions = sorted({q.session_id for q in figures.questions} | {d.session_id for d in figures.downvotes}
                      | {h.session_id for h in figures.handoffs})
    store = request.app.state.store
    rows: list[list[Any]] = [["session_id", "channel", "message_id", "time", "sender", "text", "outcome", "rating", "reason"]]
    channels = {q.session_id: q.channel for q in figures.questions} | {h.session_id: h.channel for h in figures.handoffs}
    for session_id in sessions:
        messages = [m for m in store.messages(session_id)
                    if figures.period.since <= aware(m.created_at) <= figures.period.until]
        for message in messages:
            outcome = reply_outcome(message.text) if message.sender == "bot" else ""
            rows.append([session_id, channels.get(session_id, ""), message.id, aware(message.created_at).isoformat(),
                         message.sender, mask_pii(message.title or message.text), outcome, message.rating or "",
                         mask_pii(message.rating_reason or "")])
    return rows


@router.get("/api/console/analytics.csv", summary="导出统计CSV / Analytics as CSV", response_class=Response,
            responses={**AUTH_RESPONSES, 200: {"content": {"text/csv": {}}, "description": "CSV（UTF-8，含BOM），个人信息已脱敏"}})
async def analytics_csv(request: Request, staff: StaffDep, helpdesk: HelpdeskDep, knowledge: KnowledgeDep,
                        days: DaysQuery = 30, program: ProgramQuery = None,
                        part: Annotated[Literal["figures", "conversations"], Query(description="figures：统计数字；conversations：对话明细")] = "figures") -> Response:
    figures, tools = await _figures(request, knowledge, days, program)
    suffix = f"{days}d{'-' + program.value if program else ''}"
    if part == "conversations":
        rows = await run_in_threadpool(conversation_rows, request, figures)
        return _csv(rows, f"conversations-{suffix}.csv")
    data = await run_in_threadpool(report, figures, tools.encode, helpdesk.faq)
    return _csv(figure_rows(data), f"analytics-{suffix}.csv")


class TranscriptOut(BaseModel):
    session_id: str
    messages: list[dict[str, Any]]


@router.get("/api/console/analytics/conversations/{session_id}", response_model=TranscriptOut,
            summary="查看对话 / A conversation's transcript",
            responses={**AUTH_RESPONSES, 404: {"model": ErrorResponse, "description": "没有这个对话"}})
async def transcript(session_id: Annotated[str, Path(pattern=SESSION_ID_PATTERN, max_length=64)],
                     staff: StaffDep, store: StoreDep) -> TranscriptOut:
    rows = await run_in_threadpool(store.messages_after, session_id, 0, 500)
    if not rows:
        raise HTTPException(404, detail="未找到这个对话")
    return TranscriptOut(session_id=session_id, messages=[message_frame(row) for row in rows])
