"""The portal web chat: its pages, its WebSocket, history, feedback and the settings it reads.

- ``GET /``: a demo portal page embedding the chat with one ``<script>`` tag (static/widget.js)
- ``GET /chat``: the chat itself (WeChat style; what the widget shows in its panel)
- ``WS /ws``: the real-time channel (protocol in ``connectors/web.py``)
- ``GET /api/config``, ``GET /api/history``, ``POST /api/feedback``
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request, WebSocket
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.concurrency import run_in_threadpool

from connectors import outbound
from connectors.web import WebChannel, message_frame, push_messages, set_current
from gateway.deps import MetricsDep, SettingsDep, StoreDep
from gateway.helpdesk.applicants import TOKEN_HEADER, WEB_PREFIX, check_session_access, issue_session
from gateway.metrics import Counter, Metrics
from gateway.routers.chat import route_message
from gateway.routers.faq import PROGRAM_LABELS, TOPIC_LABELS
from gateway.schemas import (
    FEEDBACK_REASON_CHOICES, MAX_FEEDBACK_REASON_CHARS, MAX_MESSAGE_ID, SESSION_ID_PATTERN, Attachment, Button, Citation,
    ErrorResponse, clean_feedback_reason,
)
from persistence.messages import RatingError

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
PAGE_HEADERS = {"Cache-Control": "no-cache"}

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

    helpdesk = getattr(app.state, "helpdesk", None)

    async def authorize(session_id: str, token: str | None) -> bool:
        return helpdesk is None or await run_in_threadpool(helpdesk.applicants.allows, session_id, token)

    events = {"connect": "gateway_ws_connections_total", "error": "gateway_ws_bad_frames_total"}
    channel = WebChannel(
        app.state.store,
        route,
        max_chars=app.state.settings.max_message_chars,
        on_event=lambda name: metrics.inc(events[name]) if name in events else None,
        authorize=authorize,
    )
    app.state.web_chat = channel
    set_current(channel)
    outbound.register("web", push_messages)  # staff replies and reminders reach the web chat
    if helpdesk is not None:
        helpdesk.bus.subscribe(deliver_from_other_processes(channel, helpdesk.bus.origin))
    try:
        yield
    finally:
        await channel.close()
        outbound.unregister("web")
        set_current(None)


def deliver_from_other_processes(channel: WebChannel, origin: str) -> Callable[[dict[str, Any]], Awaitable[int] | None]:
    """Messages another gateway process stored reach the sockets this process holds."""

    def on_event(event: dict[str, Any]) -> Awaitable[int] | None:
        session_id = event.get("s")
        if event.get("t") != "msg" or event.get("o") == origin or not isinstance(session_id, str):
            return None
        ids = [i for i in event.get("ids") or [] if isinstance(i, int)]
        if not ids or not channel.connected(session_id):
            return None
        return channel.deliver_stored(session_id, ids)

    return on_event


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
    rating_reason: str | None = Field(default=None, description="没帮助的原因 / why it was rated down")


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
    responses={
        403: {"model": ErrorResponse, "description": "会话凭证（X-Session-Token）缺失或无效"},
        422: {"model": ErrorResponse, "description": "参数错误"},
    },
)
async def history(
    request: Request,
    store: StoreDep,
    session_id: Annotated[str, Query(min_length=1, max_length=64, pattern=SESSION_ID_PATTERN, description="会话标识 / conversation id")],
    after: Annotated[int, Query(ge=0, le=MAX_MESSAGE_ID, description="只返回编号大于此值的消息 / only ids above")] = 0,
    limit: Annotated[int, Query(ge=1, le=500, description="最多条数 / at most")] = 200,
) -> HistoryResponse:
    await check_session_access(request, session_id)
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
    message_id: int = Field(ge=1, le=MAX_MESSAGE_ID, description="助手回答的消息编号 / id of the assistant's message")
    rating: Literal["up", "down"] = Field(description="up（有帮助）或 down（没帮助）")
    reason: str | None = Field(
        default=None, max_length=MAX_FEEDBACK_REASON_CHARS,
        description=("没帮助的原因（可选，仅 down）：快捷选项 " + " / ".join(FEEDBACK_REASON_CHOICES)
                     + "，可加“：”和补充说明 / why it did not help (optional, with down)"),
    )

    @field_validator("reason")
    @classmethod
    def _clean_reason(cls, value: str | None) -> str | None:
        return clean_feedback_reason(value)


class FeedbackResponse(BaseModel):
    status: str = "ok"
    message_id: int
    rating: str
    reason: str | None = None


@router.post(
    "/api/feedback",
    response_model=FeedbackResponse,
    response_model_exclude_none=True,
    tags=["web"],
    summary="评价回答 / Rate an answer",
    description=(
        "对助手的一条回答点赞（up）或点踩（down）；再次评价会覆盖上一次。\n\n"
        "Thumbs up or down on one of the assistant's messages; a later rating replaces the earlier one."
    ),
    responses={
        403: {"model": ErrorResponse, "description": "会话凭证（X-Session-Token）缺失或无效"},
        404: {"model": ErrorResponse, "description": "会话中没有这条消息"},
        422: {"model": ErrorResponse, "description": "参数错误"},
    },
)
async def feedback(request: Request, body: FeedbackRequest, store: StoreDep, metrics: MetricsDep) -> FeedbackResponse:
    await check_session_access(request, body.session_id)
    rating = body.rating
    try:
        await run_in_threadpool(store.rate_message, body.session_id, body.message_id, rating, body.reason)
    except RatingError as exc:
        if exc.reason == "not_bot":
            raise HTTPException(422, detail="只能评价助手的回答") from None
        raise HTTPException(404, detail="未找到这条消息：请检查session_id和message_id") from None
    register_counters(metrics)
    metrics.inc("gateway_feedback_total")
    log.info("feedback session=%s message=%d rating=%s reason=%s", body.session_id, body.message_id, rating,
             "yes" if body.reason else "no")
    return FeedbackResponse(message_id=body.message_id, rating=rating, reason=body.reason if rating == "down" else None)


class SessionRequest(BaseModel):
    """No fields: the server makes the id (a ``session_id`` in the body is 422)."""

    model_config = ConfigDict(extra="forbid")


class SessionResponse(BaseModel):
    session_id: str
    token: str = Field(description=f"会话凭证：之后在hello帧的token字段或{TOKEN_HEADER}请求头中提供")


@router.post(
    "/api/session",
    response_model=SessionResponse,
    tags=["web"],
    summary="开始会话 / Start a conversation and get its token",
    description=(
        "新建一个会话，返回会话标识和会话凭证；此后只有持有凭证的页面能读写该会话（WebSocket hello 的 token 字段、"
        f"{TOKEN_HEADER} 请求头）。已有的会话不会重新签发凭证。\n\n"
        "Creates a conversation and returns its id and secret token; afterwards only the holder "
        "of the token reaches it. An existing conversation is never bound to a new token."
    ),
    responses={
        422: {"model": ErrorResponse, "description": "请求中指定了session_id，或格式错误"},
    },
)
async def new_session(request: Request, body: SessionRequest | None = None) -> SessionResponse:
    issued = await issue_session(request, WEB_PREFIX)
    return SessionResponse(session_id=issued.session_id, token=issued.token)
