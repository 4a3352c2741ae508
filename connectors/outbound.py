"""Delivering messages to a conversation outside a request/response cycle (staff replies, reminders).

Each channel registers one pusher at gateway start-up (``register("web", ...)``,
``register("wechat", ...)``); features that talk to applicants on their own initiative call
``deliver(channel, session_id, messages)`` and need not know how the channel transports them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from messaging import BotMessage

log = logging.getLogger(__name__)

Pusher = Callable[[str, list[BotMessage]], Awaitable[bool]]

_pushers: dict[str, Pusher] = {}


def register(channel: str, pusher: Pusher) -> None:
    """Make ``pusher`` the way to reach conversations of ``channel`` (replaces an earlier one)."""
    _pushers[channel] = pusher


def unregister(channel: str) -> None:
    _pushers.pop(channel, None)


def channels() -> list[str]:
    return sorted(_pushers)


async def deliver(channel: str, session_id: str, messages: list[BotMessage]) -> bool:
    """Send ``messages`` to ``session_id`` on ``channel``; False when the channel has no pusher
    or the pusher could not deliver (the caller decides whether to keep them for later)."""
    pusher = _pushers.get(channel)
    if pusher is None:
        log.warning("no outbound pusher for channel=%s (session=%s)", channel, session_id)
        return False
    return await pusher(session_id, messages)
