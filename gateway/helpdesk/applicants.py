"""Who may read and write a web or API conversation: the holder of its token, nobody else.

The server creates every web/API conversation: ``POST /api/session`` (the web page) or a first
``POST /api/chat`` without a ``session_id`` (API clients) makes a random id and a secret token
together, and stores only the token's digest. From then on the conversation answers only to that
token (WebSocket hello, ``X-Session-Token`` on history, feedback and /api/chat). Knowing or
guessing an id is never enough:

- an id is never bound to a token after it was created, so an existing conversation (an old
  page's, an API client's, another channel's) can never be taken over or locked;
- ids of other channels (``wx-`` for WeChat, see :data:`RESERVED_PREFIXES`) never get a token,
  so they are unreachable from the web endpoints;
- a request without a token, or with a wrong one, is refused.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from fastapi import HTTPException, Request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from persistence.staff_accounts import token_digest
from persistence.helpdesk_models import ApplicantToken
from persistence.models import utcnow

MAX_TOKEN_CHARS = 128
# Session ids the server makes for each entry point; other channels' prefixes are reserved.
WEB_PREFIX = "web-"
API_PREFIX = "api-"
RESERVED_PREFIXES = ("wx-",)


@dataclass(frozen=True)
class IssuedSession:
    session_id: str
    token: str


class ApplicantAccess:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def issue(self, prefix: str = WEB_PREFIX) -> IssuedSession:
        """A new conversation id and its secret token (only the token's digest is stored)."""
        if prefix not in (WEB_PREFIX, API_PREFIX):
            raise ValueError(f"unknown session prefix {prefix!r}")
        for _ in range(3):  # 96 random bits: a collision is next to impossible, never fatal
            issued = IssuedSession(f"{prefix}{secrets.token_hex(12)}", secrets.token_urlsafe(24))
            try:
                with self._sessions.begin() as db:
                    db.add(ApplicantToken(session_id=issued.session_id, token_hash=token_digest(issued.token), created_at=utcnow()))
                return issued
            except IntegrityError:
                continue
        raise RuntimeError("could not create a unique session id")

    def allows(self, session_id: str, token: str | None) -> bool:
        """True only if ``token`` is the secret issued with ``session_id``."""
        if not token or len(token) > MAX_TOKEN_CHARS or session_id.startswith(RESERVED_PREFIXES):
            return False
        with self._sessions() as db:
            bound = db.get(ApplicantToken, session_id)
        return bound is not None and hmac.compare_digest(bound.token_hash, token_digest(token))


TOKEN_HEADER = "X-Session-Token"
FORBIDDEN = "无权访问该会话：会话凭证缺失或无效，请重新开始对话"


def request_token(request: Request) -> str | None:
    return request.headers.get(TOKEN_HEADER)


async def check_session_access(request: Request, session_id: str, token: str | None = None) -> None:
    """Raise 403 unless the caller holds ``session_id``'s token (from the X-Session-Token header)."""
    helpdesk = getattr(request.app.state, "helpdesk", None)
    if helpdesk is None:  # not started: nobody can be checked, so nobody gets in
        raise HTTPException(503, detail="服务正在启动，请稍后再试")
    if token is None:
        token = request_token(request)
    if not await run_in_threadpool(helpdesk.applicants.allows, session_id, token):
        raise HTTPException(403, detail=FORBIDDEN)


async def issue_session(request: Request, prefix: str) -> IssuedSession:
    helpdesk = getattr(request.app.state, "helpdesk", None)
    if helpdesk is None:
        raise HTTPException(503, detail="服务正在启动，请稍后再试")
    return await run_in_threadpool(helpdesk.applicants.issue, prefix)
