"""FastAPI application factory for the 申报助手 gateway."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from gateway.body_limit import BodySizeLimit
from persistence.database import create_db_engine, make_session_factory, upgrade_database
from gateway.errors import install_exception_handlers
from persistence.staff_faq import with_staff_faq
from gateway.knowledge_service import KnowledgeProvider, KnowledgeService, load_default_knowledge
from gateway.logging_setup import configure_logging
from gateway.metrics import Metrics
from gateway.openapi import install_openapi
from gateway.rasa_client import RasaClient
from gateway.routers import analytics, chat, console, faq, faq_page, files, handoffs, health, staff_faq, web, wechat
from gateway.routers import rounds, triage
from gateway.security_headers import install_security
from gateway.settings import Settings, get_settings
from persistence.messages import MessageStore

log = logging.getLogger(__name__)

DESCRIPTION = """
申报助手网关：面向“5G+医疗健康应用试点”和“智慧医疗专项研究”申报单位的问答服务。
所有回答都附有所依据的政策条款；错误信息统一为 `{"detail": "中文说明"}`。

Gateway of the Shenbao assistant, a Chinese policy-QA service for applicants. Every answer
carries the clauses it relies on; every error body is `{"detail": "<Chinese message>"}`.
"""

TAGS = [
    {"name": "chat", "description": "对话 / conversation with the assistant"},
    {"name": "faq", "description": "常见问题检索 / FAQ search"},
    {"name": "health", "description": "健康检查与指标 / health and metrics"},
    {"name": "files", "description": "生成的申报文件下载 / generated documents"},
    {"name": "web", "description": "网页对话（WebSocket /ws）/ portal web chat"},
    {"name": "console", "description": "人工客服控制台（需工作人员登录）/ staff console"},
    {"name": "wechat", "description": "微信公众号 / WeChat Official Account"},
]


def create_app(
    settings: Settings | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    knowledge_loader: Callable[[], KnowledgeService] | None = None,
) -> FastAPI:
    """Build the gateway.

    ``transport`` replaces the network for outgoing HTTP (Rasa, action server) and
    ``knowledge_loader`` replaces ``knowledge.api.get_search_knowledge``; both are for tests.
    """
    settings = settings or get_settings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_db_engine(settings.database_url)
        await run_in_threadpool(upgrade_database, engine)
        app.state.store = MessageStore(make_session_factory(engine))
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=50)
        async with httpx.AsyncClient(transport=transport, limits=limits) as http:
            app.state.http = http
            app.state.rasa = RasaClient(http, settings.rasa_url, settings.rasa_timeout_seconds)
            if settings.preload_knowledge:
                await app.state.knowledge.warm_up()
            log.info("gateway ready (rasa=%s, actions=%s)", settings.rasa_url, settings.action_server_url)
            try:
                yield
            finally:
                engine.dispose()

    app = FastAPI(
        title="申报助手 Gateway",
        version="0.1.0",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.metrics = Metrics()
    helpdesk_faq = lambda: getattr(getattr(app.state, "helpdesk", None), "faq", None)  # noqa: E731
    app.state.knowledge = KnowledgeProvider(with_staff_faq(knowledge_loader or load_default_knowledge, helpdesk_faq))
    install_exception_handlers(app)
    install_openapi(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    install_security(app, settings)  # CSP/nosniff headers, offline /docs, client keys for rate limits (outermost)
    # first: its lifespan starts the helpdesk (handoffs, staff, fan-out) that the channels use
    app.include_router(console.router)  # page /console, staff login, WebSocket /ws/console
    app.include_router(handoffs.router)  # /api/console/queue, /api/console/handoffs/...
    app.include_router(staff_faq.router)  # /api/console/faq
    app.include_router(analytics.router)  # page /console/analytics, /api/console/analytics(.csv)
    app.include_router(rounds.router)  # /api/console/rounds (round facts maintained by admins)
    app.include_router(triage.router)  # /api/console/conversations (search), /api/console/canned
    app.include_router(chat.router)
    app.include_router(faq.router)
    app.include_router(health.router)
    app.include_router(web.router)  # pages /, /chat, WebSocket /ws, history, feedback, config
    app.include_router(faq_page.router)  # page /faq
    app.include_router(files.router)  # filled forms, /files/{token}
    app.include_router(wechat.router)  # GET/POST /wechat (WeChat Official Account)
    app.mount("/static", StaticFiles(directory=web.STATIC_DIR), name="static")
    return app


app = create_app()
