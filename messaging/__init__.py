"""What the assistant says, as every channel and process shares it: the reply types (a message,
its buttons, the clauses it cites, a downloadable file), the fixed texts that more than one
process produces or recognises, and the metadata key the gateway passes to the actions.

The gateway's API documents these types; connectors render them (web socket, WeChat); actions
produce the texts; the persistence layer stores them. Nothing here imports any of those."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

BUSY_TEXT = "抱歉，服务暂时繁忙，请稍后再试。"
NOT_UNDERSTOOD = "抱歉，我没有完全理解您的问题，不想猜错。您可以换个说法再问。"
NOT_UNDERSTOOD_AGAIN = "抱歉，我还是没能理解您的问题。为免耽误您，建议转人工客服，工作人员会直接为您解答。"
# The key under which the gateway hands the actions the hashed client address (message metadata).
CLIENT_KEY_METADATA = "client_key"


def too_long_text(max_chars: int) -> str:
    return f"消息过长，请控制在{max_chars}字以内"


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
