"""``Idempotency-Key`` on ``POST /api/chat``: a client that retries (after a dropped connection, a
502 from the load balancer, a gateway killed mid-request) with the same key gets the first reply,
and the message is stored and sent to Rasa once — in whichever gateway process the retry lands.

One row per key in ``chat_idempotency`` (migration 0009_cluster), shared by every gateway:

- the first request inserts the row (the primary key decides the race) and holds a lease on it,
  renewed while it works; a retry arriving meanwhile waits for the reply;
- a lease left to expire means its gateway died: the next copy takes the work over;
- the reply is stored encrypted with a key derived from the Idempotency-Key itself (it may carry a
  new conversation's ``session_token``): the database alone cannot read it, and only the key's
  holder gets it. The row id is a digest of the key and the conversation, never the key itself.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken
from pydantic import StringConstraints
from sqlalchemy import DateTime, LargeBinary, String, delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker
from starlette.concurrency import run_in_threadpool

from persistence.models import Base, utcnow

KEY_MIN, KEY_MAX = 16, 128
# Also the OpenAPI schema of the header. The length is in the pattern too: a generator may add a
# trailing newline that `$` allows, which HTTP then strips, and the key must still be long enough.
KEY_PATTERN = rf"^[A-Za-z0-9_\-:.]{{{KEY_MIN},{KEY_MAX}}}$"
KEY_RE = re.compile(KEY_PATTERN)
# The header as the API documents and checks it (white space around a header value is not part of it).
IdempotencyKey = Annotated[str, StringConstraints(strip_whitespace=True, min_length=KEY_MIN, max_length=KEY_MAX, pattern=KEY_PATTERN)]
BAD_KEY = "Idempotency-Key 须为16到128个字母、数字或 - _ : . 组成的字符串（例如一个UUID）"
STILL_PROCESSING = "相同 Idempotency-Key 的请求仍在处理中，请稍后重试"
KEPT_FOR = timedelta(hours=24)
POLL_SECONDS = 0.1


class ChatIdempotency(Base):
    __tablename__ = "chat_idempotency"

    key_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    reply: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, default=None)  # Fernet token
    lease_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


def valid_key(key: str) -> bool:
    return KEY_RE.fullmatch(key) is not None


def _digest(key: str, session_id: str | None) -> str:
    return hashlib.sha256(f"chat\n{session_id or ''}\n{key}".encode()).hexdigest()


def _cipher(key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"reply\n{key}".encode()).digest()))


@dataclass(frozen=True)
class Outcome:
    """``reply``: the stored reply body (JSON) of an earlier copy; None: this copy did the work."""

    reply: bytes | None


class IdempotencyTimeout(Exception):
    """Another copy holds the work and neither finished nor let its lease lapse in time."""


class IdempotencyStore:
    def __init__(self, sessions: sessionmaker[Session], lease_seconds: float) -> None:
        self._sessions = sessions
        self._lease = timedelta(seconds=lease_seconds)

    def _claim(self, digest: str) -> bool | bytes:
        """True: this copy does the work now; bytes: the reply stored; False: another copy is at work."""
        now = utcnow()
        try:
            with self._sessions.begin() as db:
                db.execute(delete(ChatIdempotency).where(ChatIdempotency.expires_at < now))
                db.add(ChatIdempotency(key_digest=digest, lease_until=now + self._lease, expires_at=now + KEPT_FOR))
            return True
        except IntegrityError:
            pass
        with self._sessions.begin() as db:
            taken = db.execute(
                update(ChatIdempotency)
                .where(ChatIdempotency.key_digest == digest, ChatIdempotency.reply.is_(None),
                       ChatIdempotency.lease_until < now)
                .values(lease_until=now + self._lease)
            ).rowcount
            if taken:
                return True
            row = db.get(ChatIdempotency, digest)
            if row is None:  # purged meanwhile (a day old): start again
                return False
            return row.reply if row.reply is not None else False

    def _renew(self, digest: str) -> None:
        with self._sessions.begin() as db:
            db.execute(
                update(ChatIdempotency)
                .where(ChatIdempotency.key_digest == digest, ChatIdempotency.reply.is_(None))
                .values(lease_until=utcnow() + self._lease)
            )

    def _finish(self, digest: str, reply: bytes) -> None:
        with self._sessions.begin() as db:
            db.execute(update(ChatIdempotency).where(ChatIdempotency.key_digest == digest).values(reply=reply))

    def _release(self, digest: str) -> None:
        """The work failed before a reply: a retry may do it at once."""
        with self._sessions.begin() as db:
            db.execute(delete(ChatIdempotency).where(ChatIdempotency.key_digest == digest, ChatIdempotency.reply.is_(None)))

    async def once(self, key: str, session_id: str | None, work: Callable[[], Awaitable[bytes]]) -> Outcome:
        """Run ``work`` (which returns the reply body) once per (key, conversation) across every
        gateway; a copy arriving while it runs waits for its reply, up to twice the lease."""
        digest = _digest(key, session_id)
        cipher = _cipher(key)
        deadline = asyncio.get_running_loop().time() + 2 * self._lease.total_seconds()
        while True:
            claimed = await run_in_threadpool(self._claim, digest)
            if isinstance(claimed, bytes):
                try:
                    return Outcome(cipher.decrypt(claimed))
                except InvalidToken:  # cannot happen with the same key; never hand out garbage
                    raise IdempotencyTimeout from None
            if claimed is True:
                return Outcome(await self._work(digest, cipher, work))
            if asyncio.get_running_loop().time() > deadline:
                raise IdempotencyTimeout
            await asyncio.sleep(POLL_SECONDS)

    async def _work(self, digest: str, cipher: Fernet, work: Callable[[], Awaitable[bytes]]) -> None:
        """Returns None: the caller has the reply it computed (``Outcome.reply`` is for copies)."""
        renewing = asyncio.create_task(self._keep_lease(digest))
        try:
            body = await work()
        except BaseException:
            renewing.cancel()
            await run_in_threadpool(self._release, digest)
            raise
        renewing.cancel()
        await run_in_threadpool(self._finish, digest, cipher.encrypt(body))
        return None

    async def _keep_lease(self, digest: str) -> None:
        interval = self._lease.total_seconds() / 3
        while True:
            await asyncio.sleep(interval)
            await run_in_threadpool(self._renew, digest)
