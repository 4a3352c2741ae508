"""Exception handlers: every error body is ``{"detail": "<中文说明>"}``."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from persistence.idempotency import BAD_KEY

log = logging.getLogger(__name__)

INVALID_JSON = "请求格式错误：不是合法的JSON"
BODY_NOT_OBJECT = "请求格式错误：请求体应为JSON对象"
NOT_JSON_CONTENT = "请求格式错误：请以JSON格式发送（Content-Type: application/json）"

# Error types raised by our own validators whose message is already Chinese.
CHINESE_MESSAGE_TYPES = {"blank_message", "bad_characters"}

_STATUS_MESSAGES = {
    400: "请求格式错误",
    401: "未登录或登录已过期",
    403: "没有权限",
    404: "未找到请求的地址",
    405: "不支持该请求方法",
    413: "请求内容过大",
    415: "不支持的内容类型",
    429: "请求过于频繁，请稍后再试",
    500: "服务器内部错误，请稍后再试",
    503: "服务暂时不可用，请稍后再试",
}


def _choices(ctx: dict[str, Any]) -> str:
    """pydantic's "'a', 'b' or 'c'" as "a、b、c"."""
    expected = str(ctx.get("expected", ""))
    return "、".join(part.strip().strip("'") for part in expected.replace(" or ", ", ").split(",") if part.strip())


def _field_message(where: str, name: str, err: dict[str, Any]) -> str | None:
    """Messages specific to one parameter (its allowed range or format)."""
    etype = err.get("type", "")
    ctx = err.get("ctx") or {}
    if where == "body" and name == "session_id" and etype == "extra_forbidden":
        return "会话标识由服务器生成，不能指定session_id：请不带session_id重新请求"
    if etype == "extra_forbidden":
        return f"不支持的字段：{name}"
    if where == "header" and name == "Idempotency-Key":
        return BAD_KEY
    if where == "body" and name == "session_id" and etype != "missing":
        if etype == "string_type":
            return "字段类型错误：session_id应为字符串"
        return "session_id格式错误：应为1-64位字母、数字或 _ - . : 字符"
    if name == "session_id" and where == "query" and etype != "missing":
        return "会话标识格式错误：session_id应为1-64位字母、数字或 _ - . : 字符"
    if where == "body" and name == "rating" and etype != "missing":
        return "rating应为up（有帮助）或down（没帮助）"
    if where == "body" and name == "message_id" and etype != "missing":
        return "message_id应为正整数（消息编号）"
    if where == "query" and name == "topic" and etype != "missing":
        return f"未知的主题：{err.get('input')}（可选：{_choices(ctx)}）"
    if where == "query" and name == "q":
        if etype == "string_too_short":
            return "查询内容不能为空"
        if etype == "string_too_long":
            return f"查询内容过长，请控制在{ctx.get('max_length', 200)}字以内"
    if where == "query" and name == "program" and etype in ("enum", "literal_error"):
        return f"未知的项目：{err.get('input')}"
    if where == "query" and name == "top_k" and etype != "missing":
        return "top_k应为1到20之间的整数"
    return None


def describe_validation_error(err: dict[str, Any]) -> tuple[int, str]:
    """(HTTP status, Chinese message) for one pydantic/FastAPI validation error."""
    etype = err.get("type", "")
    loc: Sequence[Any] = err.get("loc") or ()
    if etype == "json_invalid":
        return 400, INVALID_JSON
    if etype in CHINESE_MESSAGE_TYPES:
        return 422, str(err.get("msg", "请求参数错误"))

    where = str(loc[0]) if loc else ""
    names = [str(part) for part in loc[1:]]
    name = ".".join(names)

    if where == "body" and not names:
        if etype == "missing":
            return 422, "缺少请求体：请发送JSON对象"
        if isinstance(err.get("input"), (bytes, bytearray)):
            return 415, NOT_JSON_CONTENT  # body not parsed: no JSON content type
        return 422, BODY_NOT_OBJECT

    specific = _field_message(where, name, err)
    if specific:
        return 422, specific

    kind = "字段" if where == "body" else "参数"
    if etype == "missing":
        return 422, f"缺少{kind}：{name}"
    if etype == "string_type":
        return 422, f"{kind}类型错误：{name}应为字符串"
    if etype in ("int_type", "int_parsing", "int_from_float"):
        return 422, f"{kind}类型错误：{name}应为整数"
    if etype in ("bool_type", "bool_parsing"):
        return 422, f"{kind}类型错误：{name}应为布尔值"
    if etype in ("list_type",):
        return 422, f"{kind}类型错误：{name}应为列表"
    if etype in ("dict_type", "model_type", "model_attributes_type"):
        return 422, f"{kind}类型错误：{name}应为JSON对象"
    if etype == "string_too_long":
        return 422, f"{kind}{name}过长"
    if etype == "string_too_short":
        return 422, f"{kind}{name}不能为空"
    return 422, f"{kind}{name}的值无效"


async def validation_exception_handler(request: Request, exc: RequestValidationError) -> JSONResponse:
    described = [describe_validation_error(err) for err in exc.errors()]
    if not described:
        described = [(422, "请求参数错误")]
    codes = {code for code, _ in described}
    status = next((code for code in (400, 415) if code in codes), 422)
    messages = list(dict.fromkeys(msg for code, msg in described if code == status))
    return JSONResponse(status_code=status, content={"detail": "；".join(messages)})


def _is_default_detail(status_code: int, detail: Any) -> bool:
    try:
        return detail == HTTPStatus(status_code).phrase
    except ValueError:
        return False


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


async def http_exception_handler(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    detail = exc.detail
    if not isinstance(detail, str) or _is_default_detail(exc.status_code, detail) or not _has_chinese(detail):
        # framework messages ("There was an error parsing the body") are English: say it in Chinese
        detail = _STATUS_MESSAGES.get(exc.status_code, "请求失败")
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    return JSONResponse(status_code=exc.status_code, content={"detail": detail}, headers=headers or None)


PROBED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (Starlette's 405 names only one route's)."""
    routes = request.app.router.routes
    return [
        method
        for method in PROBED_METHODS
        if any(route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes)
    ]


async def unhandled_exception_handler(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return JSONResponse(status_code=500, content={"detail": _STATUS_MESSAGES[500]})


def install_exception_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, validation_exception_handler)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, http_exception_handler)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, unhandled_exception_handler)
