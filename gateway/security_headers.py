"""Security headers on every response, and the pieces that let the pages live with them.

- ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: same-origin`` on every response.
- Pages (``text/html``): a Content-Security-Policy that allows scripts, styles and connections
  from the gateway itself only (no inline script or style: the pages keep theirs in
  ``gateway/static/``), and ``frame-ancestors 'self'`` — plus ``PORTAL_ORIGINS`` on ``/chat``,
  the page the embed widget (static/widget.js) shows in an iframe on a portal.
- Everything else: ``default-src 'none'; frame-ancestors 'none'`` (a JSON body or an SVG opened
  on its own runs nothing and is framed nowhere).

``install_security`` also serves ``/docs`` without a CDN (gateway/docs_page.py) and sets the
client key used by rate limits (gateway/client_identity.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.client_identity import ClientIdentityMiddleware
from gateway.docs_page import serve_docs_offline
from gateway.settings import Settings

EMBEDDABLE_PAGES = ("/chat",)  # what widget.js puts in its iframe
REFERRER_POLICY = "same-origin"
NON_PAGE_POLICY = "default-src 'none'; frame-ancestors 'none'"
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'"
)


def page_policy(path: str, portal_origins: Sequence[str]) -> str:
    ancestors = ["'self'", *(portal_origins if path in EMBEDDABLE_PAGES else ())]
    return f"{PAGE_POLICY}; frame-ancestors {' '.join(ancestors)}"


class SecurityHeadersMiddleware:
    """Adds the headers to every HTTP response (pure ASGI: streaming and WebSockets untouched)."""

    def __init__(self, app: ASGIApp, *, portal_origins: Sequence[str] = ()) -> None:
        self.app = app
        self.portal_origins = tuple(portal_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                is_page = headers.get("content-type", "").startswith("text/html")
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = REFERRER_POLICY
                headers["Content-Security-Policy"] = (
                    page_policy(path, self.portal_origins) if is_page else NON_PAGE_POLICY
                )
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_security(app: FastAPI, settings: Settings) -> None:
    """Security headers, offline /docs and client keys for ``app``."""
    serve_docs_offline(app)
    app.add_middleware(ClientIdentityMiddleware, secret=settings.client_key_secret)
    app.add_middleware(SecurityHeadersMiddleware, portal_origins=settings.portal_origins.split())
