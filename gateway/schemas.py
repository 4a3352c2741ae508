"""Request and response bodies of the public API."""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from knowledge.loader import configured_knowledge

SESSION_ID_PATTERN = r"^[A-Za-z0-9_\-.:]{1,64}$"
# Largest message id a client may name: the largest integer every JSON client reads exactly.
MAX_MESSAGE_ID = 2**53 - 1
# At least one character that is neither white space nor a control character (documents the
# "not blank" rule in the OpenAPI schema; :func:`clean_text` applies it).
NON_BLANK_PATTERN = r"[^\s\x00-\x1f\x7f]"
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
BAD_CHARACTERS = "消息包含无法识别的字符（如不成对的代理字符），请删除后重新发送"


def is_utf8_encodable(value: str) -> bool:
    """False for text holding lone UTF-16 surrogates (``"\\ud800"`` in JSON)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def remove_control_chars(value: str) -> str:
    return _CONTROL_CHARS.sub("", value)


def clean_text(value: str) -> str:
    """A user's text as the assistant passes it on: control characters (NUL…) removed, stripped.

    Raises ``PydanticCustomError`` (Chinese message) for text that cannot be passed on: lone
    UTF-16 surrogates (``"\\ud800"`` in JSON), which no UTF-8 consumer accepts, or nothing left.
    """
    if not is_utf8_encodable(value):
        raise PydanticCustomError("bad_characters", BAD_CHARACTERS)
    value = remove_control_chars(value).strip()
    if not value:
        raise PydanticCustomError("blank_message", "消息不能为空")
    return value


def program_key_enum(keys: Iterable[str]) -> type[StrEnum]:
    """The API's enum of programs (listed in the OpenAPI schema), one member per program file."""
    enum = StrEnum("ProgramKey", [(key, key) for key in keys], module=__name__)  # type: ignore[misc]
    enum.__doc__ = "Programs the assistant knows about."
    return enum


ProgramKey = program_key_enum(configured_knowledge().programs)


class Button(BaseModel):
    title: str = Field(description="按钮文字 / button label")
    payload: str = Field(description="点击后作为消息发送的内容 / message sent when clicked")


class Citation(BaseModel):
    doc: str = Field(description="来源文件标识 / source document key")
    title: str = Field(description="来源文件标题 / source document title")
    clause: str = Field(description="条款位置 / clause heading path")
    quote: str = Field(description="条款原文 / verbatim clause text")


class Attachment(BaseModel):
    url: str
    filename: str = ""


class BotMessage(BaseModel):
    """One message from the assistant; citations are the clauses it relies on."""

    text: str = ""
    buttons: list[Button] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    attachment: Attachment | None = Field(default=None, description="可下载文件 / downloadable file")
    # An action asked for a person ({"reason": ...}); the gateway's helpdesk consumes it, it is never sent out.
    handoff: dict[str, Any] | None = Field(default=None, exclude=True)


class ChatRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"text": "上海5G+医疗健康申报截止时间是什么时候？"},
                {"session_id": "api-3f2a9c0d1e2b4a5c6d7e8f90", "text": "那国家的呢？"},
            ]
        }
    )

    session_id: Annotated[
        str | None,
        Field(
            default=None,
            min_length=1,
            max_length=64,
            pattern=SESSION_ID_PATTERN,
            description=(
                "会话标识：省略则开始新会话（回复中返回 session_id 和 session_token）；"
                "继续已有会话时须同时在 X-Session-Token 请求头中提供会话凭证。/ "
                "omit to start a conversation; to continue one, send its id and its token "
                "(X-Session-Token header)"
            ),
        ),
    ] = None
    text: Annotated[
        str,
        Field(
            description="用户消息（不能为空）/ the user's message (not blank)",
            json_schema_extra={"minLength": 1, "pattern": NON_BLANK_PATTERN},
        ),
    ]

    @field_validator("text")
    @classmethod
    def _passable(cls, value: str) -> str:
        return clean_text(value)


class ChatResponse(BaseModel):
    session_id: str
    session_token: str | None = Field(
        default=None,
        description=(
            "新会话的凭证（仅在开始新会话时返回）：之后的请求放在 X-Session-Token 请求头中 / "
            "the new conversation's secret, returned once: send it as X-Session-Token afterwards"
        ),
    )
    messages: list[BotMessage]


class FaqResult(BaseModel):
    question: str | None = Field(description="匹配到的常见问题（无则为 null）/ matched FAQ question")
    answer: str
    citations: list[Citation] = Field(default_factory=list)
    score: float


class FaqResponse(BaseModel):
    results: list[FaqResult]


# --- feedback on an answer -----------------------------------------------------------------
# The quick choices the web chat offers after 👎 (the reason is free text: "<choice>：<their words>").
FEEDBACK_REASON_CHOICES = ("答非所问", "信息有误", "不够详细", "其他")
MAX_FEEDBACK_REASON_CHARS = 500


def clean_feedback_reason(value: str | None) -> str | None:
    """A 👎 reason as stored: control characters removed, stripped; nothing left is no reason."""
    if value is None:
        return None
    if not is_utf8_encodable(value):
        raise PydanticCustomError("bad_characters", BAD_CHARACTERS)
    return remove_control_chars(value).strip() or None


class ErrorResponse(BaseModel):
    detail: str = Field(description="中文错误说明 / error message in Chinese")
