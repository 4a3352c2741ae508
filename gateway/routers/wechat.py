"""The WeChat Official Account's server URL (公众号“服务器配置”): ``GET /wechat`` and ``POST /wechat``.

Enabled when ``WECHAT_TOKEN`` is set (404 otherwise). The protocol work is in
``connectors/wechat.py``; this module checks the request (signature, a fresh timestamp, a
signature not used before for another message: ``connectors/wechat_guard.py``), hands the
message over and writes the answer: the passive XML reply, or ``success`` (WeChat then neither
retries nor shows an error).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.background import BackgroundTask

from connectors import outbound
from connectors.wechat import (
    MAX_BODY_BYTES,
    SUCCESS,
    ApiClient,
    CustomerServiceApi,
    NotConfiguredError,
    SignatureError,
    WeChatChannel,
    WeChatCodec,
    push_to_wechat,
    set_current,
)
from connectors.wechat_guard import RequestGuard, verification_key
from persistence.wechat import AccessTokenStore, WeChatStore
from persistence.database import make_session_factory
from gateway.metrics import Counter, Metrics
from gateway.routers.chat import route_message
from gateway.schemas import BotMessage, ErrorResponse
from gateway.settings import Settings

log = logging.getLogger(__name__)

ECHOSTR_RE = re.compile(r"^[A-Za-z0-9_\-]{1,128}$")
NOT_ENABLED = "未启用微信公众号接入（请设置WECHAT_TOKEN）"
BAD_SIGNATURE = "签名校验失败"
STALE_REQUEST = "请求时间戳无效或已过期"
REPLAYED_REQUEST = "该签名已用于其他消息，请求被拒绝"
BODY_TOO_LARGE = "消息过大"
NO_AES_KEY = "收到加密消息，但未设置WECHAT_ENCODING_AES_KEY，无法解密"

WECHAT_COUNTERS = {
    "gateway_wechat_messages_total": "WeChat messages and events received (retries included).",
    "gateway_wechat_duplicates_total": "WeChat retries recognised and not answered again.",
    "gateway_wechat_slow_answers_total": "WeChat answers not ready within the passive-reply budget (sent through the API).",
    "gateway_wechat_pushes_total": "Texts sent through WeChat's customer-service message API.",
    "gateway_wechat_push_errors_total": "Customer-service messages WeChat refused or could not be reached for.",
    "gateway_wechat_bad_signatures_total": "Requests to /wechat refused for a wrong or missing signature.",
    "gateway_wechat_stale_requests_total": "Requests to /wechat refused for a timestamp outside the window or not a number.",
    "gateway_wechat_replays_total": "Requests to /wechat refused for a signature already used for another message.",
    "gateway_wechat_lost_answers_total": "WeChat answers no request could return and no customer-service API could send.",
}

Param = Annotated[str | None, Query(max_length=256)]


def _channel_from_settings(app: FastAPI, settings: Settings, store: WeChatStore) -> WeChatChannel:
    api = None
    if settings.wechat_app_id and settings.wechat_app_secret:
        tokens = AccessTokenStore(make_session_factory(app.state.store.engine), settings.wechat_app_id)
        client = ApiClient(settings.wechat_app_id, settings.wechat_app_secret, settings.wechat_api_base_url, tokens)
        api = CustomerServiceApi(client)
    metrics: Metrics = app.state.metrics

    async def route(session_id: str, text: str) -> list[BotMessage]:
        return await route_message(session_id, text, rasa=app.state.rasa, knowledge=app.state.knowledge, metrics=metrics)

    return WeChatChannel(
        app.state.store,
        store,
        route,
        api,
        max_chars=settings.max_message_chars,
        reply_budget_seconds=settings.wechat_reply_budget_seconds,
        public_base_url=settings.wechat_public_base_url,
        count=metrics.inc,
    )


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Runs inside the app's lifespan (store, Rasa client ready): starts the WeChat channel and
    registers :func:`connectors.wechat.push_to_wechat` as the ``wechat`` outbound pusher."""
    settings: Settings = app.state.settings
    metrics: Metrics = app.state.metrics
    for name, help_text in WECHAT_COUNTERS.items():
        metrics.counters.setdefault(name, Counter(name, help_text))
    app.state.wechat_codec = (
        WeChatCodec(settings.wechat_token, settings.wechat_encoding_aes_key, settings.wechat_app_id)
        if settings.wechat_token
        else None
    )
    store = WeChatStore(make_session_factory(app.state.store.engine))
    app.state.wechat_guard = RequestGuard(store, settings.wechat_timestamp_window_seconds, time.time)
    channel = _channel_from_settings(app, settings, store)
    app.state.wechat = channel
    set_current(channel)
    outbound.register("wechat", push_to_wechat)
    log.info("wechat channel ready (enabled=%s, customer-service API=%s)", bool(settings.wechat_token), channel.api is not None)
    if settings.wechat_token and channel.api is None:
        log.warning("wechat: WECHAT_APP_ID/WECHAT_APP_SECRET not set: answers slower than WeChat's 5 s reach users only on a retry")
    try:
        yield
    finally:
        await channel.close()
        outbound.unregister("wechat")
        set_current(None)


router = APIRouter(tags=["wechat"], lifespan=lifespan)


def _codec(request: Request) -> WeChatCodec:
    codec: WeChatCodec | None = request.app.state.wechat_codec
    if codec is None:
        raise HTTPException(404, detail=NOT_ENABLED)
    return codec


def _check_signed_and_fresh(request: Request, codec: WeChatCodec, signature: str | None, timestamp: str | None, nonce: str | None) -> None:
    """403 unless the request is signed with the token and its timestamp is fresh."""
    if not codec.signature_ok(signature, timestamp, nonce):
        request.app.state.metrics.inc("gateway_wechat_bad_signatures_total")
        log.warning("wechat: request with a wrong or missing signature refused")
        raise HTTPException(403, detail=BAD_SIGNATURE)
    guard: RequestGuard = request.app.state.wechat_guard
    if not guard.is_fresh(timestamp):
        request.app.state.metrics.inc("gateway_wechat_stale_requests_total")
        log.warning("wechat: request with a timestamp outside ±%ds (or not a number) refused", guard.window_seconds)
        raise HTTPException(403, detail=STALE_REQUEST)


async def _check_first_use(request: Request, timestamp: str, nonce: str, signature: str, openid: str, message_key: str) -> None:
    """403 when the signed request was already used for another sender or message."""
    guard: RequestGuard = request.app.state.wechat_guard
    if not await guard.admit(timestamp, nonce, signature, openid, message_key):
        request.app.state.metrics.inc("gateway_wechat_replays_total")
        log.warning("wechat: a signature already used for another message refused (replay)")
        raise HTTPException(403, detail=REPLAYED_REQUEST)


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise HTTPException(413, detail=BODY_TOO_LARGE)
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_BODY_BYTES:
            raise HTTPException(413, detail=BODY_TOO_LARGE)
    return bytes(body)


ERRORS = {
    403: {"model": ErrorResponse, "description": "签名错误或缺失，时间戳不在允许范围内，或签名已用于其他消息"},
    404: {"model": ErrorResponse, "description": "未设置WECHAT_TOKEN"},
}


@router.get(
    "/wechat",
    response_class=PlainTextResponse,
    summary="微信服务器地址验证 / WeChat URL verification",
    description=(
        "签名正确且时间戳在允许范围内时原样返回echostr。Echoes `echostr` when `signature` matches the token "
        "and `timestamp` is within the window."
    ),
    responses={**ERRORS, 400: {"model": ErrorResponse, "description": "echostr格式错误"}},
)
async def verify_url(
    request: Request, signature: Param = None, timestamp: Param = None, nonce: Param = None, echostr: Param = None
) -> PlainTextResponse:
    codec = _codec(request)
    _check_signed_and_fresh(request, codec, signature, timestamp, nonce)
    if not echostr or not ECHOSTR_RE.match(echostr):
        raise HTTPException(400, detail="echostr格式错误")
    assert signature is not None and timestamp is not None and nonce is not None  # checked with the signature
    await _check_first_use(request, timestamp, nonce, signature, "", verification_key(echostr))
    return PlainTextResponse(echostr)


@router.post(
    "/wechat",
    response_class=Response,
    summary="接收微信消息 / WeChat messages",
    description=(
        "微信服务器推送的用户消息和事件（明文或安全模式）。4秒内答复被动回复XML，否则先答复success，"
        "再通过客服消息接口发送。\n\nMessages and events pushed by WeChat (plain or safe mode): a passive "
        "XML reply when the answer is ready within the budget, else `success` and the customer-service API."
    ),
    responses={
        200: {"content": {"application/xml": {}, "text/plain": {}}, "description": "被动回复或success"},
        **ERRORS,
        400: {"model": ErrorResponse, "description": "加密消息但未配置密钥"},
        413: {"model": ErrorResponse, "description": "消息过大"},
    },
)
async def receive(
    request: Request,
    signature: Param = None,
    timestamp: Param = None,
    nonce: Param = None,
    encrypt_type: Param = None,
    msg_signature: Param = None,
) -> Response:
    codec = _codec(request)
    _check_signed_and_fresh(request, codec, signature, timestamp, nonce)
    assert signature is not None and timestamp is not None and nonce is not None  # checked with the signature
    body = await _read_body(request)
    encrypted = (encrypt_type or "").lower() == "aes"
    try:
        inbound = codec.decode(body, encrypted=encrypted, msg_signature=msg_signature, timestamp=timestamp, nonce=nonce)
    except SignatureError:
        request.app.state.metrics.inc("gateway_wechat_bad_signatures_total")
        raise HTTPException(403, detail=BAD_SIGNATURE) from None
    except NotConfiguredError:
        log.error("wechat: encrypted message received but WECHAT_ENCODING_AES_KEY is not set")
        raise HTTPException(400, detail=NO_AES_KEY) from None
    if inbound is None:
        return PlainTextResponse(SUCCESS)
    await _check_first_use(request, timestamp, nonce, signature, inbound.openid, inbound.dedupe_key)

    channel: WeChatChannel = request.app.state.wechat
    try:
        reply = await channel.handle(inbound)
    except Exception:  # WeChat would show "该公众号暂时无法提供服务" for a 500
        log.exception("wechat: could not handle %s", inbound.dedupe_key)
        return PlainTextResponse(SUCCESS)
    if reply is None:
        return PlainTextResponse(SUCCESS)
    xml = codec.reply_xml(inbound, reply.text, encrypted=encrypted, timestamp=timestamp, nonce=nonce)
    follow_up = BackgroundTask(channel.send, inbound.openid, reply.follow_up) if reply.follow_up else None
    return Response(xml, media_type="application/xml", background=follow_up)
