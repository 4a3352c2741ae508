"""Only WeChat's fresh requests are accepted on ``/wechat``.

A signature proves that a request was made with the account's Token, but in plain mode it covers
only ``timestamp`` and ``nonce``, not the body: whoever sees one signed URL (a proxy log, a
browser history) could post any message under it, as any user, for ever. So the gateway also
requires (:class:`RequestGuard`)

- a ``timestamp`` within ±``window_seconds`` of the gateway's clock (WeChat's servers keep time;
  their retries of one message come within about 15 s), and
- a (``timestamp``, ``nonce``, ``signature``) seen before only with the same message: WeChat's
  own retry carries the same sender (``FromUserName``) and ``MsgId`` (events: the same event
  key), and is answered as a retry; anything else under a used signature is refused.

What was seen is kept in ``wechat_requests`` (the gateway database, shared by every gateway
process) until its timestamp leaves the window, after which the timestamp alone refuses it.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timezone

from starlette.concurrency import run_in_threadpool

from persistence.wechat import WeChatStore

log = logging.getLogger(__name__)

TIMESTAMP_RE = re.compile(r"[0-9]{1,12}")  # seconds since 1970 (ASCII digits only)
LOCAL_MEMORY_SIZE = 10_000


def request_key(timestamp: str, nonce: str, signature: str) -> str:
    """A fixed-size key for one signed request (the nonce and signature are not stored as such)."""
    return hashlib.sha256("\n".join((timestamp, nonce, signature)).encode("utf-8")).hexdigest()


def verification_key(echostr: str) -> str:
    """What a URL verification (``GET /wechat``) carries, in place of a message."""
    return "echostr:" + echostr


class _LocalMemory:
    """This process's own record of signed requests, used while the database cannot be reached:
    bounded (the oldest go first) and forgotten when their time is over."""

    def __init__(self, size: int = LOCAL_MEMORY_SIZE) -> None:
        self._size = size
        self._seen: OrderedDict[str, tuple[tuple[str, str], float]] = OrderedDict()

    def remember(self, key: str, identity: tuple[str, str], expires_at: float, now: float) -> bool:
        seen = self._seen.get(key)
        if seen is not None and seen[1] >= now:
            return seen[0] == identity
        self._seen[key] = (identity, expires_at)
        self._seen.move_to_end(key)
        while len(self._seen) > self._size:
            self._seen.popitem(last=False)
        return True


class RequestGuard:
    """Freshness and replay checks of ``/wechat`` requests (see the module docstring)."""

    def __init__(self, store: WeChatStore, window_seconds: int, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.window_seconds = window_seconds
        self.clock = clock  # the gateway's clock, in seconds since 1970 (replaceable in tests)
        self._local = _LocalMemory()

    def is_fresh(self, timestamp: str | None) -> bool:
        """``timestamp`` is a number of seconds within ±window of the gateway's clock."""
        if timestamp is None or not TIMESTAMP_RE.fullmatch(timestamp):
            return False
        return abs(self.clock() - int(timestamp)) <= self.window_seconds

    async def admit(self, timestamp: str, nonce: str, signature: str, openid: str, message_key: str) -> bool:
        """True when this signed request is used for the first time, or again for the same
        sender and message (WeChat's retry); False for a replay with anything else.

        When the database fails, this process's own memory decides (and the error is logged):
        replays reaching this process are still refused, and WeChat's messages still answered
        rather than every user refused while the database is away."""
        key = request_key(timestamp, nonce, signature)
        now = self.clock()
        expires_at = int(timestamp) + self.window_seconds
        try:
            return await run_in_threadpool(
                self.store.remember_request, key, openid, message_key,
                now=datetime.fromtimestamp(now, timezone.utc), expires_at=datetime.fromtimestamp(expires_at, timezone.utc),
            )
        except Exception:
            log.exception("wechat: could not record a signed request against replay; this process's memory decides")
            return self._local.remember(key, (openid, message_key), expires_at, now)
