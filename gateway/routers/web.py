"""The portal web chat: its pages, its WebSocket, history, feedback and the settings it reads.

- ``GET /``: a demo portal page embedding the chat with one ``<script>`` tag (static/widget.js)
- ``GET /chat``: the chat itself (WeChat style; what the widget shows in its panel)
- ``WS /ws``: the real-time channel (protocol in ``connectors/web.py``)
- ``GET /api/config``, ``GET /api/history``, ``POST /api/feedback``
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, HTTPException, Query, WebSocket
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from connectors.web import ERRORS, SESSION_ID_RE, WebChannel, message_frame, set_current
from gateway.deps import MetricsDep, SettingsDep, StoreDep
from gateway.metrics import Counter, Metrics
from gateway.routers.chat import route_message
from gateway.routers.faq import PROGRAM_LABELS, TOPIC_LABELS
from gateway.schemas import SESSION_ID_PATTERN, Attachment, Button, Citation, ErrorResponse
from gateway.store import RatingError

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
PAGE_HEADERS = {"Cache-Control": "no-cache"}
MAX_MESSAGE_ID = 2**62

WEB_COUNTERS = {
    "gateway_ws_connections_total": "WebSocket connections opened by the web chat.",
    "gateway_ws_bad_frames_total": "Web chat frames refused with an error frame.",
    "gateway_feedback_total": "Thumbs up/down ratings stored.",
}


def register_counters(metrics: Metrics) -> None:
    for name, help_text in WEB_COUNTERS.items():
        metrics.counters.setdefault(name, Counter(name, help_text))


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Runs inside the app's lifespan (store, Rasa client ready): starts the web chat channel."""
    metrics: Metrics = app.state.metrics
    register_counters(metrics)

    async def route(session_id: str, text: str):  # noqa: ANN202
        return await route_message(
            session_id, text, rasa=app.state.rasa, knowledge=app.state.knowledge, metrics=app.state.metrics
        )

    events = {"connect": "gateway_ws_connections_total", "error": "gateway_ws_bad_frames_total"}
    channel = WebChannel(
        app.state.store,
        route,
        max_chars=app.state.settings.max_message_chars,
        on_event=lambda name: metrics.inc(events[name]) if name in events else None,
    )
    app.state.web_chat = channel
    set_current(channel)
    try:
        yield
    finally:
        await channel.close()
        set_current(None)


router = APIRouter(lifespan=lifespan)


def page(name: str) -> FileResponse:
    return FileResponse(STATIC_DIR / name, media_type="text/html; charset=utf-8", headers=PAGE_HEADERS)


@router.get("/", include_in_schema=False)
async def portal_page() -> FileResponse:
    return page("index.html")


@router.get("/chat", include_in_schema=False)
async def chat_page() -> FileResponse:
    return page("chat.html")


@router.websocket("/ws")
async def chat_socket(websocket: WebSocket) -> None:
    channel: WebChannel = websocket.app.state.web_chat
    await channel.handle(websocket)


# --- JSON API ----------------------------------------------------------------------------------


class LabelledKey(BaseModel):
    key: str
    label: str


class WebConfig(BaseModel):
    max_message_chars: int = Field(description="单条消息最大字数 / longest accepted message")
    programs: list[LabelledKey]
    topics: list[LabelledKey]


@router.get(
    "/api/config",
    response_model=WebConfig,
    tags=["web"],
    summary="网页端配置 / Settings the web pages need",
)
async def web_config(settings: SettingsDep) -> WebConfig:
    return WebConfig(
        max_message_chars=settings.max_message_chars,
        programs=[LabelledKey(key=k, label=v) for k, v in PROGRAM_LABELS.items()],
        topics=[LabelledKey(key=k, label=v) for k, v in TOPIC_LABELS.items()],
    )


class HistoryMessage(BaseModel):
    id: int
    sender: str = Field(description="user | bot | staff | system")
    text: str
    buttons: list[Button] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    attachment: Attachment | None = None
    created_at: str
    client_id: str | None = None
    title: str | None = Field(default=None, description="快捷回复的显示文字 / label of a tapped quick reply")
    rating: str | None = None


class HistoryResponse(BaseModel):
    session_id: str
    messages: list[HistoryMessage]


@router.get(
    "/api/history",
    response_model=HistoryResponse,
    response_model_exclude_none=True,
    tags=["web"],
    summary="对话历史 / Conversation history",
    description=(
        "按时间顺序返回会话中编号大于 after 的消息（after=0 时返回最近 limit 条）。\n\n"
        "Messages of a conversation with an id above `after`, oldest first (the latest `limit` when after=0)."
    ),
    responses={422: {"model": ErrorResponse, "description": "参数错误"}},
)
async def history(
    store: StoreDep,
    session_id: Annotated[str, Query(max_length=200, description="会话标识 / conversation id")],
    after: Annotated[int, Query(ge=0, le=MAX_MESSAGE_ID, description="只返回编号大于此值的消息 / only ids above")] = 0,
    limit: Annotated[int, Query(ge=1, le=500, description="最多条数 / at most")] = 200,
) -> HistoryResponse:
    if not SESSION_ID_RE.match(session_id):
        raise HTTPException(422, detail=ERRORS["bad_session"])
    rows = await run_in_threadpool(store.messages_after, session_id, after, limit)
    messages = []
    for row in rows:
        frame: dict[str, Any] = message_frame(row)
        frame.pop("type")
        messages.append(HistoryMessage.model_validate(frame))
    return HistoryResponse(session_id=session_id, messages=messages)


class FeedbackRequest(BaseModel):
    model_config = {"json_schema_extra": {"examples": [{"session_id": "web-3f2a9c", "message_id": 42, "rating": "up"}]}}

    session_id: Annotated[str, Field(min_length=1, max_length=64, pattern=SESSION_ID_PATTERN)]
    message_id: int = Field(description="助手回答的消息编号 / id of the assistant's message")
    rating: str = Field(description="up（有帮助）或 down（没帮助）")


class FeedbackResponse(BaseModel):
    status: str = "ok"
    message_id: int
    rating: str


@router.post(
    "/api/feedback",
    response_model=FeedbackResponse,
    tags=["web"],
    summary="评价回答 / Rate an answer",
    description=(
        "对助手的一条回答点赞（up）或点踩（down）；再次评价会覆盖上一次。\n\n"
        "Thumbs up or down on one of the assistant's messages; a later rating replaces the earlier one."
    ),
    responses={
        404: {"model": ErrorResponse, "description": "会话中没有这条消息"},
        422: {"model": ErrorResponse, "description": "参数错误"},
    },
)
async def feedback(body: FeedbackRequest, store: StoreDep, metrics: MetricsDep) -> FeedbackResponse:
    rating = body.rating.strip().lower()
    if rating not in ("up", "down"):
        raise HTTPException(422, detail="rating应为up（有帮助）或down（没帮助）")
    if not 1 <= body.message_id <= MAX_MESSAGE_ID:
        raise HTTPException(422, detail="message_id应为正整数（消息编号）")
    try:
        await run_in_threadpool(store.rate_message, body.session_id, body.message_id, rating)
    except RatingError as exc:
        if exc.reason == "not_bot":
            raise HTTPException(422, detail="只能评价助手的回答") from None
        raise HTTPException(404, detail="未找到这条消息：请检查session_id和message_id") from None
    register_counters(metrics)
    metrics.inc("gateway_feedback_total")
    log.info("feedback session=%s message=%d rating=%s", body.session_id, body.message_id, rating)
    return FeedbackResponse(message_id=body.message_id, rating=rating)
