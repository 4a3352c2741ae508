"""Who is asking, as far as rate limits need to know: a keyed hash of the client's address.

The action server never sees client addresses, yet it limits guesses of resume codes per client
address (persistence/drafts.py). The gateway hashes the address of each HTTP request and
WebSocket (HMAC-SHA256 with ``CLIENT_KEY_SECRET``; IPv6 by its /64 network, what one subscriber
usually holds) and Rasa passes it to the actions as message metadata. The raw address is never
sent or stored.

``/wechat`` requests come from WeChat's servers, whose address says nothing about the user (the
openid does), so they carry no client key.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from contextvars import ContextVar
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from messaging import CLIENT_KEY_METADATA

IPV6_SUBSCRIBER_PREFIX = 64
WITHOUT_CLIENT_KEY = ("/wechat",)

_current_client_key: ContextVar[str | None] = ContextVar("client_key", default=None)


def client_key(host: str, secret: bytes) -> str:
    """A stable pseudonym of ``host`` (32 hex characters) that cannot be turned back into it."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        subject = host
    else:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if isinstance(address, ipaddress.IPv6Address):
            subject = str(ipaddress.ip_network(f"{address}/{IPV6_SUBSCRIBER_PREFIX}", strict=False))
        else:
            subject = str(address)
    return hmac.new(secret, subject.encode(), hashlib.sha256).hexdigest()[:32]


def current_client_key() -> str | None:
    """The client key of the request being handled, or None (no request, or a WeChat request)."""
    return _current_client_key.get()


def rasa_metadata() -> dict[str, Any]:
    """The ``metadata`` item of a message sent to Rasa's REST channel (empty: nothing to add)."""
    key = current_client_key()
    return {"metadata": {CLIENT_KEY_METADATA: key}} if key else {}


class ClientIdentityMiddleware:
    """Sets the client key of every HTTP request and WebSocket for the code that handles it
    (tasks started meanwhile inherit it)."""

    def __init__(self, app: ASGIApp, *, secret: str = "") -> None:
        self.app = app
        # Without a configured secret the key lives as long as the process: limits then count
        # per gateway process, and start again when it restarts.
        self.secret = secret.encode() if secret else secrets.token_bytes(32)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        path: str = scope.get("path", "")
        identified = client and not path.startswith(WITHOUT_CLIENT_KEY)
        token = _current_client_key.set(client_key(str(client[0]), self.secret) if identified else None)
        try:
            await self.app(scope, receive, send)
        finally:
            _current_client_key.reset(token)
