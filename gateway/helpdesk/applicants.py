"""Which browser may read and write a web chat conversation.

``POST /api/session`` gives the page a session id and a secret token; from then on the
conversation answers only to that token (WebSocket hello, history, feedback, /api/chat). A
session id the page made before tokens existed is bound to the first token asked for it
(trust on first use). Conversations of other channels (WeChat) are never reachable from the
web endpoints. Sessions never bound to a token (API clients) stay reachable by their id alone.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from fastapi import HTTPException, Request
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from gateway.helpdesk.accounts import token_digest
from gateway.helpdesk.models import ApplicantToken
from gateway.models import Conversation, utcnow

WEB_CHANNELS = ("web",)
MAX_TOKEN_CHARS = 128


@dataclass(frozen=True)
class IssuedSession:
    session_id: str
    token: str


class ApplicantAccess:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def issue(self, session_id: str | None = None) -> IssuedSession | None:
        """A token for a new session, or for ``session_id`` if nobody holds one for it yet
        (None: the session is bound already or is not a web conversation)."""
        token = secrets.token_urlsafe(24)
        session_id = session_id or f"web-{secrets.token_hex(12)}"
        try:
            with self._sessions.begin() as db:
                if db.get(ApplicantToken, session_id) is not None or not self._is_web(db, session_id):
                    return None
                db.add(ApplicantToken(session_id=session_id, token_hash=token_digest(token), created_at=utcnow()))
        except IntegrityError:  # bound by a concurrent request
            return None
        return IssuedSession(session_id, token)

    def allows(self, session_id: str, token: str | None) -> bool:
        """True if a client presenting ``token`` (None: no token) may use ``session_id``."""
        if token is not None and (not token or len(token) > MAX_TOKEN_CHARS):
            return False
        with self._sessions() as db:
            bound = db.get(ApplicantToken, session_id)
            if bound is not None:
                return token is not None and hmac.compare_digest(bound.token_hash, token_digest(token))
            return token is None and self._is_web(db, session_id)

    @staticmethod
    def _is_web(db: Session, session_id: str) -> bool:
        channel = db.scalar(select(Conversation.channel).where(Conversation.session_id == session_id))
        return channel is None or channel in WEB_CHANNELS


TOKEN_HEADER = "X-Session-Token"
FORBIDDEN = "无权访问该会话：会话凭证无效，请刷新页面重新开始对话"


async def check_session_access(request: Request, session_id: str, token: str | None = None) -> None:
    """Raise 403 unless the caller may use ``session_id`` (token from the X-Session-Token header)."""
    helpdesk = getattr(request.app.state, "helpdesk", None)
    if helpdesk is None:
        return
    if token is None:
        token = request.headers.get(TOKEN_HEADER)
    if not await run_in_threadpool(helpdesk.applicants.allows, session_id, token):
        raise HTTPException(403, detail=FORBIDDEN)
