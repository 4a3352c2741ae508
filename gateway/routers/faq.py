"""GET /api/faq/search: search the FAQ and policy clauses directly (no dialogue)."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from starlette.concurrency import run_in_threadpool

from gateway.deps import KnowledgeDep, MetricsDep
from gateway.knowledge_service import KnowledgeUnavailable
from gateway.schemas import Citation, ErrorResponse, FaqResponse, FaqResult, ProgramKey

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
    q: Annotated[str, Query(min_length=1, max_length=200, description="问题 / question")],
    program: Annotated[ProgramKey | None, Query(description="限定项目 / restrict to one program")] = None,
    top_k: Annotated[int, Query(ge=1, le=20, description="返回条数 / number of results")] = 5,
) -> FaqResponse:
    query = q.strip()
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
