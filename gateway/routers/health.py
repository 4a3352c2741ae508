"""GET /healthz (are Rasa and the action server answering?) and GET /metrics."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import APIRouter
from fastapi.responses import JSONResponse, PlainTextResponse

from gateway.deps import HttpClientDep, MetricsDep, SettingsDep

router = APIRouter(tags=["health"])

SERVICE_NAMES = {"rasa": "Rasa服务", "actions": "动作服务"}


async def probe(http: httpx.AsyncClient, url: str, timeout: float) -> bool:
    """True if ``GET url`` answers 200 within ``timeout`` seconds."""
    try:
        response = await http.get(url, timeout=timeout)
    except httpx.HTTPError:
        return False
    return response.status_code == 200


@router.get(
    "/healthz",
    summary="健康检查 / Health check",
    description=(
        "检查对话引擎（Rasa）和动作服务是否响应：全部正常返回200，否则503并指出哪个服务未响应。\n\n"
        "200 when Rasa and the action server both answer, else 503 naming what is down."
    ),
    responses={
        200: {"content": {"application/json": {"example": {"status": "ok", "rasa": "ok", "actions": "ok"}}}},
        503: {
            "content": {
                "application/json": {
                    "example": {"status": "down", "rasa": "down", "actions": "ok", "detail": "Rasa服务未响应"}
                }
            }
        },
    },
)
async def healthz(settings: SettingsDep, http: HttpClientDep) -> JSONResponse:
    timeout = settings.health_timeout_seconds
    rasa_ok, actions_ok = await asyncio.gather(
        probe(http, f"{settings.rasa_url}/", timeout),
        probe(http, f"{settings.action_server_url}/health", timeout),
    )
    status = {"rasa": "ok" if rasa_ok else "down", "actions": "ok" if actions_ok else "down"}
    down = [SERVICE_NAMES[name] for name, state in status.items() if state == "down"]
    if not down:
        return JSONResponse({"status": "ok", **status})
    detail = "、".join(down) + "未响应"
    return JSONResponse({"status": "down", **status, "detail": detail}, status_code=503)


@router.get(
    "/metrics",
    response_class=PlainTextResponse,
    summary="运行指标 / Prometheus metrics",
    description="Prometheus 文本格式的计数器 / counters in Prometheus text format.",
)
async def metrics(metrics: MetricsDep) -> PlainTextResponse:
    return PlainTextResponse(metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")
