"""The staff console: its page, staff login, and its live WebSocket; starts the helpdesk.

- ``GET /console``: the console (static/console.html); it logs in through the API below
- ``POST /api/console/login``, ``POST /api/console/logout``, ``GET /api/console/me``
- ``WS /ws/console``: live hints for consoles (gateway/helpdesk/console_hub.py)

Staff are recognised by an HttpOnly, SameSite=Strict session cookie; requests that change
anything must also carry the login's CSRF token in the ``X-CSRF-Token`` header, and the
console socket refuses other origins. An applicant's session token never opens these routes.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, Response, WebSocket
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from persistence.staff_accounts import LoginRefused, StaffIdentity
from gateway.helpdesk.bus import make_bus
from gateway.helpdesk.runtime import Helpdesk, build_helpdesk, set_current
from gateway.helpdesk.store import PublishingMessageStore
from gateway.routers.web import page
from gateway.schemas import ErrorResponse

log = logging.getLogger(__name__)

COOKIE = "shenbao_staff"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
NOT_LOGGED_IN = "请先登录工作人员控制台"
AUTH_RESPONSES = {
    401: {"model": ErrorResponse, "description": "未登录或登录已过期"},
    403: {"model": ErrorResponse, "description": "缺少或错误的 X-CSRF-Token"},
}


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Runs before the chat channels start: they find the helpdesk and the announcing store."""
    bus = make_bus(app.state.store.engine)
    store = PublishingMessageStore(app.state.store, bus)
    app.state.store = store
    helpdesk = build_helpdesk(app.state.settings, store, bus)
    app.state.helpdesk = helpdesk
    await helpdesk.start()
    set_current(helpdesk)
    try:
        yield
    finally:
        set_current(None)
        await helpdesk.close()


router = APIRouter(lifespan=lifespan)


def get_helpdesk(request: Request) -> Helpdesk:
    return request.app.state.helpdesk


HelpdeskDep = Annotated[Helpdesk, Depends(get_helpdesk)]


async def current_staff(request: Request, helpdesk: HelpdeskDep) -> StaffIdentity:
    """The logged-in staff member; 401 otherwise, 403 for a change without the CSRF token."""
    staff = await run_in_threadpool(helpdesk.accounts.identify, request.cookies.get(COOKIE))
    if staff is None:
        raise HTTPException(401, detail=NOT_LOGGED_IN)
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), staff.csrf_token.encode()):
            raise HTTPException(403, detail="请求校验失败，请刷新控制台页面后重试")
    return staff


StaffDep = Annotated[StaffIdentity, Depends(current_staff)]


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class StaffOut(BaseModel):
    username: str
    display_name: str
    csrf_token: str = Field(description=f"在修改类请求的 {CSRF_HEADER} 请求头中提供")


def staff_out(staff: StaffIdentity) -> StaffOut:
    return StaffOut(username=staff.username, display_name=staff.display_name, csrf_token=staff.csrf_token)


@router.get("/console", include_in_schema=False)
async def console_page() -> FileResponse:
    return page("console.html")


@router.post(
    "/api/console/login",
    response_model=StaffOut,
    tags=["console"],
    summary="工作人员登录 / Staff login",
    responses={
        401: {"model": ErrorResponse, "description": "用户名或密码错误"},
        429: {"model": ErrorResponse, "description": "失败次数过多，暂时锁定"},
    },
)
async def login(body: LoginRequest, request: Request, response: Response, helpdesk: HelpdeskDep) -> StaffOut:
    client = request.client.host if request.client else "unknown"
    try:
        result = await run_in_threadpool(helpdesk.accounts.login, body.username, body.password, client)
    except LoginRefused as refused:
        if refused.reason == "locked":
            minutes = max(1, (refused.retry_after + 59) // 60)
            log.warning("console login locked username=%s client=%s", body.username[:64], client)
            raise HTTPException(429, detail=f"登录失败次数过多，已暂时锁定，请{minutes}分钟后再试",
                                headers={"Retry-After": str(refused.retry_after)}) from None
        log.info("console login failed username=%s client=%s", body.username[:64], client)
        raise HTTPException(401, detail="用户名或密码错误") from None
    settings = request.app.state.settings
    response.set_cookie(
        COOKIE, result.token, max_age=int(settings.staff_session_hours * 3600), path="/",
        httponly=True, samesite="strict", secure=settings.staff_cookie_secure,
    )
    log.info("console login staff=%s", result.staff.username)
    return staff_out(result.staff)


@router.post("/api/console/logout", status_code=204, tags=["console"], summary="退出登录 / Log out",
             responses=AUTH_RESPONSES)
async def logout(request: Request, response: Response, staff: StaffDep, helpdesk: HelpdeskDep) -> Response:
    await run_in_threadpool(helpdesk.accounts.logout, request.cookies.get(COOKIE, ""))
    response = Response(status_code=204)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.get("/api/console/me", response_model=StaffOut, tags=["console"], summary="当前登录的工作人员 / Who am I",
            responses=AUTH_RESPONSES)
async def me(staff: StaffDep) -> StaffOut:
    return staff_out(staff)


def same_origin(websocket: WebSocket) -> bool:
    origin = websocket.headers.get("origin")
    if origin is None:  # not a browser
        return True
    host = websocket.headers.get("host", "")
    return origin.split("://", 1)[-1] == host


@router.websocket("/ws/console")
async def console_socket(websocket: WebSocket) -> None:
    helpdesk: Helpdesk = websocket.app.state.helpdesk
    token = websocket.cookies.get(COOKIE)
    staff = await run_in_threadpool(helpdesk.accounts.identify, token)
    if staff is None or not same_origin(websocket):
        await websocket.close(code=4401 if staff is None else 4403)
        return
    await helpdesk.console.handle(websocket, staff, lambda: helpdesk.accounts.identify(token) is not None)
