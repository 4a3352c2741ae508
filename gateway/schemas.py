"""Request and response bodies of the public API."""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from knowledge.loader import configured_knowledge
from messaging import Attachment, BotMessage, Button, Citation
from messaging.incoming import (
    BAD_CHARACTERS,
    MAX_MESSAGE_ID,
    NON_BLANK_PATTERN,
    SESSION_ID_PATTERN,
    clean_text,
    is_utf8_encodable,
    remove_control_chars,
)

__all__ = ["Attachment", "BotMessage", "Button", "Citation"]  # the API documents the shared reply types

def program_key_enum(keys: Iterable[str]) -> type[StrEnum]:
    """The API's enum of programs (listed in the OpenAPI schema), one member per program file."""
    enum = StrEnum("ProgramKey", [(key, key) for key in keys], module=__name__)  # type: ignore[misc]
    enum.__doc__ = "Programs the assistant knows about."
    return enum


ProgramKey = program_key_enum(configured_knowledge().programs)


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
