"""Request and response bodies of the public API."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

SESSION_ID_PATTERN = r"^[A-Za-z0-9_\-.:]{1,64}$"


class ProgramKey(StrEnum):
    """Programs the assistant knows about."""

    sh5g = "sh5g"
    nat5g = "nat5g"
    accept = "accept"
    annual = "annual"
    smart = "smart"


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
        json_schema_extra={"examples": [{"session_id": "web-3f2a9c", "text": "上海5G+医疗健康申报截止时间是什么时候？"}]}
    )

    session_id: Annotated[
        str,
        Field(
            min_length=1,
            max_length=64,
            pattern=SESSION_ID_PATTERN,
            description="会话标识：1-64位字母、数字或 _ - . : / conversation id",
        ),
    ]
    text: Annotated[str, Field(description="用户消息 / the user's message")]

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise PydanticCustomError("blank_message", "消息不能为空")
        return value


class ChatResponse(BaseModel):
    session_id: str
    messages: list[BotMessage]


class FaqResult(BaseModel):
    question: str | None = Field(description="匹配到的常见问题（无则为 null）/ matched FAQ question")
    answer: str
    citations: list[Citation] = Field(default_factory=list)
    score: float


class FaqResponse(BaseModel):
    results: list[FaqResult]


class ErrorResponse(BaseModel):
    detail: str = Field(description="中文错误说明 / error message in Chinese")
