"""GET /api/faq/search: search the FAQ and policy clauses directly (no dialogue)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from gateway.deps import KnowledgeDep, MetricsDep
from gateway.knowledge_service import KnowledgeUnavailable
from gateway.schemas import NON_BLANK_PATTERN, Citation, ErrorResponse, FaqResponse, FaqResult, ProgramKey, remove_control_chars
from knowledge.loader import configured_knowledge
from knowledge.models import Program

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/faq", tags=["faq"])

CITATION_FIELDS = ("doc", "title", "clause", "quote")


def _as_dict(obj: Any) -> dict[str, Any]:
    if isinstance(obj, dict):
        return obj
    if hasattr(obj, "model_dump"):
        return obj.model_dump()
    return {key: getattr(obj, key, "") for key in CITATION_FIELDS}


def to_result(hit: Any) -> FaqResult:
    """Convert a knowledge-library hit to the API's result shape."""
    citations = []
    for cite in getattr(hit, "citations", None) or []:
        data = _as_dict(cite)
        citations.append(Citation(**{key: str(data.get(key) or "") for key in CITATION_FIELDS}))
    question = getattr(hit, "question", None)
    return FaqResult(
        question=str(question) if question else None,
        answer=str(getattr(hit, "answer", "")),
        citations=citations,
        score=float(getattr(hit, "score", 0.0)),
    )


@router.get(
    "/search",
    response_model=FaqResponse,
    summary="检索常见问题 / Search the FAQ",
    description=(
        "按问题检索常见问题和政策条款，返回答案及其出处。\n\n"
        "Retrieves FAQ answers and policy clauses for a question, each with its citations."
    ),
    responses={
        422: {"model": ErrorResponse, "description": "参数错误"},
        503: {"model": ErrorResponse, "description": "知识库暂不可用"},
    },
)
async def search_faq(
    knowledge: KnowledgeDep,
    metrics: MetricsDep,
    q: Annotated[
        str,
        Query(min_length=1, max_length=200, description="问题 / question", json_schema_extra={"pattern": NON_BLANK_PATTERN}),
    ],
    program: Annotated[ProgramKey | None, Query(description="限定项目 / restrict to one program")] = None,
    top_k: Annotated[int, Query(ge=1, le=20, description="返回条数 / number of results")] = 5,
) -> FaqResponse:
    query = remove_control_chars(q).strip()
    if not query:
        raise HTTPException(422, detail="查询内容不能为空")
    try:
        kb = await knowledge.get()
    except KnowledgeUnavailable:
        raise HTTPException(503, detail="知识库暂不可用，请稍后再试") from None
    program_key = program.value if program is not None else None
    hits = await run_in_threadpool(kb.search_faq, query, program_key, top_k)
    metrics.inc("gateway_faq_requests_total")
    return FaqResponse(results=[to_result(hit) for hit in hits])


# --- GET /api/faq: browse every fact as a question and its cited answer ---------------------

def program_labels(programs: Mapping[str, Program]) -> dict[str, str]:
    """Each program's short label (its file's ``label``), in the program files' order."""
    return {key: program.label for key, program in programs.items()}


PROGRAM_LABELS = program_labels(configured_knowledge().programs)
TOPIC_LABELS = {
    "deadline": "截止时间",
    "eligibility": "申报条件",
    "documents": "申报材料",
    "directions": "申报方向",
    "submission": "提交方式",
    "contact": "联系方式",
    "procedure": "办理流程",
    "overview": "项目概况",
}

TopicKey = StrEnum("TopicKey", {key: key for key in TOPIC_LABELS})  # the API's enum of topics


class FaqItem(BaseModel):
    program: str = Field(description="项目 / program key")
    program_label: str = Field(description="项目名称 / program label")
    topic: str | None = Field(description="主题 / topic key")
    topic_label: str | None = Field(description="主题名称 / topic label")
    question: str
    answer: str
    citations: list[Citation] = Field(default_factory=list)


class FaqListResponse(BaseModel):
    items: list[FaqItem]


class FaqCatalog:
    """``list_faq`` results, cached per (program, topic) of one knowledge base (a new one when staff
    change a round fact), since rendering some answers (directions) takes a while. The first listing
    also builds the whole catalogue in the background, from which every later filter is cut."""

    def __init__(self) -> None:
        self._kb: Any = None
        self._cache: dict[tuple[str | None, str | None], list[Any]] = {}
        self._locks: dict[tuple[str | None, str | None], asyncio.Lock] = {}
        self._warming: asyncio.Task[list[Any]] | None = None

    async def items(self, kb: Any, program: str | None, topic: str | None) -> list[Any]:
        if hasattr(kb, "snapshot"):  # the base in use now: staff's round changes make a new one
            kb = await run_in_threadpool(kb.snapshot)
        if kb is not self._kb:
            self._kb, self._cache, self._locks, self._warming = kb, {}, {}, None
        if self._warming is None:
            self._warming = asyncio.ensure_future(self._compute(kb, None, None))
            self._warming.add_done_callback(lambda t: t.cancelled() or t.exception())
        return await self._compute(kb, program, topic)

    async def _compute(self, kb: Any, program: str | None, topic: str | None) -> list[Any]:
        key = (program, topic)
        if key in self._cache:
            return self._cache[key]
        async with self._locks.setdefault(key, asyncio.Lock()):
            if key not in self._cache:
                everything = self._cache.get((None, None))
                if everything is not None:
                    hits = [h for h in everything if (not program or h.program == program) and (not topic or h.topic == topic)]
                else:
                    hits = await run_in_threadpool(kb.list_faq, program, topic)
                self._cache[key] = list(hits)
        return self._cache[key]


def faq_catalog(request: Request) -> FaqCatalog:
    catalog = getattr(request.app.state, "faq_catalog", None)
    if catalog is None:
        catalog = request.app.state.faq_catalog = FaqCatalog()
    return catalog


def to_item(hit: Any) -> FaqItem:
    result = to_result(hit)
    program = str(getattr(hit, "program", "") or "")
    topic = getattr(hit, "topic", None)
    return FaqItem(
        program=program,
        program_label=PROGRAM_LABELS.get(program, program),
        topic=topic,
        topic_label=TOPIC_LABELS.get(topic or "", None),
        question=result.question or "",
        answer=result.answer,
        citations=result.citations,
    )


@router.get(
    "",
    response_model=FaqListResponse,
    summary="浏览常见问题 / Browse the FAQ",
    description=(
        "按项目和主题列出常见问题及其答案和出处。主题：" + "、".join(f"{k}（{v}）" for k, v in TOPIC_LABELS.items())
        + "。\n\nLists FAQ questions with their cited answers, by program and topic."
    ),
    responses={
        422: {"model": ErrorResponse, "description": "参数错误"},
        503: {"model": ErrorResponse, "description": "知识库暂不可用"},
    },
)
async def list_faq(
    request: Request,
    knowledge: KnowledgeDep,
    metrics: MetricsDep,
    program: Annotated[ProgramKey | None, Query(description="项目 / program")] = None,
    topic: Annotated[TopicKey | None, Query(description="主题 / topic, e.g. deadline")] = None,
) -> FaqListResponse:
    try:
        kb = await knowledge.get()
    except KnowledgeUnavailable:
        raise HTTPException(503, detail="知识库暂不可用，请稍后再试") from None
    if not hasattr(kb, "list_faq"):
        raise HTTPException(503, detail="知识库暂不支持浏览常见问题")
    program_key = program.value if program is not None else None
    hits = await faq_catalog(request).items(kb, program_key, topic.value if topic is not None else None)
    metrics.inc("gateway_faq_requests_total")
    return FaqListResponse(items=[to_item(hit) for hit in hits])
