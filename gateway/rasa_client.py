"""Client for a stock Rasa server's REST channel (``POST /webhooks/rest/webhook``).

Rasa answers with a list of messages. An action's ``json_message`` arrives as a separate
``{"custom": {...}}`` item; it belongs to the text message before it, so its ``citations``
(and ``attachment``, and an action's ``handoff`` request for the helpdesk) are folded into that
message. Images are ignored.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from pydantic import ValidationError

from gateway.client_identity import rasa_metadata
from gateway.schemas import Attachment, BotMessage, Button, Citation

log = logging.getLogger(__name__)

REST_WEBHOOK_PATH = "/webhooks/rest/webhook"


class RasaError(Exception):
    """Rasa could not produce an answer (unreachable, timeout, error status, bad body)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RasaClient:
    def __init__(self, http: httpx.AsyncClient, base_url: str, timeout_seconds: float) -> None:
        self._http = http
        self._url = base_url.rstrip("/") + REST_WEBHOOK_PATH
        self._timeout = timeout_seconds

    async def send(self, session_id: str, text: str) -> list[BotMessage]:
        """Send one user message and return the bot's folded replies; raise RasaError on failure."""
        payload = {"sender": session_id, "message": text, **rasa_metadata()}  # client key: rate limits
        try:
            response = await self._http.post(self._url, json=payload, timeout=self._timeout)
        except httpx.TimeoutException as exc:
            raise RasaError(f"timeout after {self._timeout:g}s") from exc
        except httpx.HTTPError as exc:
            raise RasaError(f"unreachable: {type(exc).__name__}: {exc}") from exc
        if response.status_code != 200:
            raise RasaError(f"HTTP {response.status_code}")
        try:
            items = response.json()
        except ValueError as exc:
            raise RasaError("response is not JSON") from exc
        if not isinstance(items, list):
            raise RasaError("response is not a JSON list")
        return fold_messages(items)


def _buttons(raw: Any) -> list[Button]:
    buttons: list[Button] = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, dict) and isinstance(item.get("title"), str):
            payload = item.get("payload")
            buttons.append(Button(title=item["title"], payload=payload if isinstance(payload, str) else item["title"]))
    return buttons


def _citations(raw: Any) -> list[Citation]:
    citations: list[Citation] = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, dict):
            citations.append(
                Citation(**{key: str(item.get(key) or "") for key in ("doc", "title", "clause", "quote")})
            )
    return citations


def _attachment(raw: Any) -> Attachment | None:
    if isinstance(raw, str) and raw:
        return Attachment(url=raw, filename=raw.rsplit("/", 1)[-1])
    if isinstance(raw, dict):
        try:
            return Attachment.model_validate(raw)
        except ValidationError:
            log.warning("ignoring malformed attachment from Rasa: %r", raw)
    return None


def _fold_custom(target: BotMessage, custom: dict[str, Any]) -> None:
    target.citations.extend(_citations(custom.get("citations")))
    attachment = _attachment(custom.get("attachment"))
    if attachment is not None and target.attachment is None:
        target.attachment = attachment
    handoff = custom.get("handoff")
    if isinstance(handoff, dict) and target.handoff is None:
        target.handoff = handoff


def _has_content(message: BotMessage) -> bool:
    return bool(message.text or message.buttons or message.citations or message.attachment or message.handoff)


def fold_messages(items: list[Any]) -> list[BotMessage]:
    """Turn Rasa's REST output into bot messages, folding custom payloads into the text before."""
    messages: list[BotMessage] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        text = item.get("text")
        buttons = _buttons(item.get("buttons"))
        custom = item.get("custom")
        custom = custom if isinstance(custom, dict) else None

        if isinstance(text, str) or buttons:
            message = BotMessage(
                text=text if isinstance(text, str) else "",
                buttons=buttons,
                attachment=_attachment(item.get("attachment")),
            )
            if custom:
                _fold_custom(message, custom)
            messages.append(message)
        elif custom is not None:
            if messages:
                _fold_custom(messages[-1], custom)
            else:
                message = BotMessage()
                _fold_custom(message, custom)
                if _has_content(message):
                    messages.append(message)
        elif item.get("attachment") is not None:
            message = BotMessage(attachment=_attachment(item.get("attachment")))
            if _has_content(message):
                messages.append(message)
        # image-only items (and anything else) are ignored
    return messages
