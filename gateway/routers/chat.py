"""POST /api/chat: one user message in, the assistant's replies out (via Rasa)."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool

from persistence.database import make_session_factory
from gateway.deps import KnowledgeDep, MetricsDep, RasaDep, SettingsDep, StoreDep
from gateway.helpdesk.applicants import API_PREFIX, check_session_access, issue_session
from gateway.helpdesk.runtime import current as current_helpdesk
from persistence.idempotency import STILL_PROCESSING, IdempotencyKey, IdempotencyStore, IdempotencyTimeout
from gateway.knowledge_service import KnowledgeProvider
from gateway.metrics import Counter, Metrics
from persistence.models import utcnow
from gateway.rasa_client import RasaClient, RasaError
from gateway.schemas import ChatRequest, ChatResponse, ErrorResponse
from messaging import BUSY_TEXT, BotMessage, too_long_text
from gateway.settings import Settings
from persistence.messages import MessageStore

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api", tags=["chat"])

REPLAYS_COUNTER = "gateway_idempotent_replays_total"


async def busy_reply(knowledge: KnowledgeProvider) -> BotMessage:
    """The reply sent when Rasa cannot answer: an apology plus the helpdesk contacts."""
    contacts = await knowledge.helpdesk_contacts_text()
    return BotMessage(text=f"{BUSY_TEXT}\n{contacts}" if contacts else BUSY_TEXT)


async def route_message(
    session_id: str, text: str, *, rasa: RasaClient, knowledge: KnowledgeProvider, metrics: Metrics
) -> list[BotMessage]:
    """The assistant's replies to one (stripped, length-checked) user message.

    Shared by every channel (``POST /api/chat``, the web chat's WebSocket) so they answer alike:
    the replies come from Rasa; when Rasa is down or answers nothing, a busy reply with the
    helpdesk contacts. During a handoff to staff the helpdesk decides (the bot is silent).
    Storing the exchange is the caller's job.
    """
    metrics.inc("gateway_messages_total")
    log.info("chat message session=%s chars=%d", session_id, len(text))
    log.debug("chat message session=%s text=%s", session_id, text)
    try:
        return await _route(session_id, text, rasa=rasa, metrics=metrics, knowledge=knowledge)
    except Exception:  # a user always gets an answer; the error is ours to find in the log
        metrics.inc("gateway_route_errors_total")
        log.exception("routing failed for session=%s", session_id)
        return [await busy_reply(knowledge)]


async def _route(
    session_id: str, text: str, *, rasa: RasaClient, knowledge: KnowledgeProvider, metrics: Metrics
) -> list[BotMessage]:
    helpdesk = current_helpdesk()
    if helpdesk is not None:  # during a handoff the message is for staff; helpdesk commands
        decided = await helpdesk.before_rasa(session_id, text)
        if decided is not None:
            return decided

    try:
        replies = await rasa.send(session_id, text)
    except RasaError as exc:
        metrics.inc("gateway_rasa_errors_total")
        log.warning("Rasa unavailable for session=%s: %s", session_id, exc.reason)
        replies = [await busy_reply(knowledge)]
    if not replies and not text.startswith("/"):
        # Rasa answers an empty list when its action server failed: the user must not be left
        # without a reply. (A command payload such as /restart may legitimately get none.)
        metrics.inc("gateway_empty_replies_total")
        log.warning("no reply from Rasa for session=%s (action server down?)", session_id)
        replies = [await busy_reply(knowledge)]
    if helpdesk is not None:  # an action asked for a person; an answer rated down offers one
        replies = await helpdesk.after_rasa(session_id, text, replies)
    return replies


@router.post(
    "/chat",
    response_model=ChatResponse,
    response_model_exclude_none=True,
    summary="发送消息 / Send a message",
    description=(
        "把用户消息转发给对话引擎，返回助手的回复（含按钮和条款引用）。"
        "对话引擎不可用时返回繁忙提示和人工咨询电话（仍为200）。\n\n"
        "Forwards the message to the dialogue engine and returns the assistant's replies with "
        "buttons and cited clauses. If the engine is unavailable, answers 200 with a busy notice "
        "and the helpdesk contacts.\n\n"
        "会话：第一次请求不带 session_id，回复中的 session_id 和 session_token 属于这个新会话；"
        "之后的请求带上 session_id，并在 X-Session-Token 请求头中提供 session_token。"
        "Conversations: the first request has no session_id; its reply returns the new "
        "session_id and session_token. Later requests send the session_id and the token in the "
        "X-Session-Token header (also required by /api/history and /api/feedback).\n\n"
        "重试：请求头 Idempotency-Key（16–128个字符，如UUID）相同的重试得到第一次的回复，消息只处理和保存一次。"
        "Retries: a retry with the same Idempotency-Key header (16-128 characters, e.g. a UUID) gets "
        "the first reply (header Idempotent-Replayed: true); the message is processed and stored once."
    ),
    responses={
        403: {"model": ErrorResponse, "description": "会话凭证（X-Session-Token）缺失或无效"},
        409: {"model": ErrorResponse, "description": "相同 Idempotency-Key 的请求仍在处理中"},
        413: {"model": ErrorResponse, "description": "消息过长"},
        422: {"model": ErrorResponse, "description": "缺少字段、类型错误、消息为空或含无法识别的字符"},
    },
)
async def chat(
    request: Request,
    body: ChatRequest,
    settings: SettingsDep,
    rasa: RasaDep,
    store: StoreDep,
    knowledge: KnowledgeDep,
    metrics: MetricsDep,
    # Optional, but not nullable in the schema: a header is absent or a string, never "null".
    idempotency_key: Annotated[IdempotencyKey, Header(alias="Idempotency-Key")] = None,  # type: ignore[assignment]
) -> ChatResponse | Response:
    text = body.text  # cleaned by ChatRequest
    if len(text) > settings.max_message_chars:
        raise HTTPException(413, detail=too_long_text(settings.max_message_chars))
    if body.session_id is not None:
        await check_session_access(request, body.session_id)

    async def answer() -> ChatResponse:
        return await _answer(request, body.session_id, text, rasa=rasa, store=store, knowledge=knowledge, metrics=metrics)

    if idempotency_key is None:
        return await answer()
    computed: list[ChatResponse] = []

    async def work() -> bytes:
        computed.append(await answer())
        return computed[0].model_dump_json(exclude_none=True).encode()

    try:
        outcome = await _idempotency(request, settings, metrics).once(idempotency_key, body.session_id, work)
    except IdempotencyTimeout:
        raise HTTPException(409, detail=STILL_PROCESSING) from None
    if outcome.reply is None:
        return computed[0]
    metrics.inc(REPLAYS_COUNTER)
    return Response(outcome.reply, media_type="application/json", headers={"Idempotent-Replayed": "true"})


def _idempotency(request: Request, settings: Settings, metrics: Metrics) -> IdempotencyStore:
    state = request.app.state
    if getattr(state, "idempotency", None) is None:
        metrics.counters.setdefault(REPLAYS_COUNTER, Counter(REPLAYS_COUNTER, "Retries of POST /api/chat answered with the first reply (Idempotency-Key)."))
        state.idempotency = IdempotencyStore(make_session_factory(state.store.engine), settings.idempotency_lease_seconds)
    return state.idempotency


async def _answer(
    request: Request, session_id: str | None, text: str, *,
    rasa: RasaClient, store: MessageStore, knowledge: KnowledgeProvider, metrics: Metrics,
) -> ChatResponse:
    """Reply to one checked message (a new conversation when ``session_id`` is None) and store the exchange."""
    token = None
    if session_id is None:
        issued = await issue_session(request, API_PREFIX)
        session_id, token = issued.session_id, issued.token

    received_at = utcnow()
    replies = await route_message(session_id, text, rasa=rasa, knowledge=knowledge, metrics=metrics)

    try:
        await run_in_threadpool(store.save_exchange, session_id, text, replies, received_at=received_at)
    except Exception:
        metrics.inc("gateway_store_errors_total")
        log.exception("could not store exchange for session=%s", session_id)

    return ChatResponse(session_id=session_id, session_token=token, messages=replies)
