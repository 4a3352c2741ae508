"""What the WeChat connector remembers between requests (tables of migrations 0003_wechat and
0007_wechat_replay), shared by every gateway process through the gateway database.

- ``wechat_inbound``: one row per message or event received, keyed as WeChat recommends
  (``MsgId``; ``FromUserName`` + ``CreateTime`` for events), kept until ``expires_at``. WeChat
  re-sends a message it got no answer to within 5 s, up to three times: a key already here is a
  retry. The row is also where the answer is handed to the request that can still deliver it:
  ``waiter`` is the newest copy of the message waiting for it (until ``waiter_until``); the
  answer, once computed, waits in ``answer`` (status ``ready``) until that copy takes it for its
  passive reply, or, when no copy is waiting any more, the process that computed it sends it
  through the customer-service API (status ``done`` either way; ``reply`` is the passive answer
  given, so that a later retry gets the same one).
- ``wechat_requests``: one row per signed request accepted (a digest of its ``timestamp``,
  ``nonce`` and ``signature``) with the message it carried, kept while its timestamp is within
  the accepted window: the same signature may come again only with the same message.
- ``wechat_access_tokens`` (migration 0009_cluster): the customer-service API's access token
  per app id, with its expiry, shared by every gateway (:class:`AccessTokenStore`): WeChat keeps
  one token valid per account, so a gateway fetching its own would invalidate the others'.
- ``wechat_menus``: per user, the buttons of the last numbered menu sent ("回复1 …"), so that a
  reply "1" selects the first one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

from sqlalchemy import JSON, DateTime, String, Text, delete, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from persistence.models import Base, utcnow
from messaging import Button

DEDUPE_TTL = timedelta(hours=1)

PROCESSING, READY, DONE = "processing", "ready", "done"


class WeChatInbound(Base):
    __tablename__ = "wechat_inbound"

    dedupe_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    openid: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=PROCESSING)  # processing | ready | done
    reply: Mapped[str | None] = mapped_column(Text, nullable=True, default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    waiter: Mapped[str | None] = mapped_column(String(32), nullable=True, default=None)
    waiter_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, default=None)
    answer: Mapped[list[str] | None] = mapped_column(JSON, nullable=True, default=None)


class WeChatRequest(Base):
    __tablename__ = "wechat_requests"

    request_key: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of timestamp, nonce, signature
    openid: Mapped[str] = mapped_column(String(64))  # empty for URL verification
    message_key: Mapped[str] = mapped_column(String(160))  # the message's dedupe key, or "echostr:…"
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class WeChatAccessToken(Base):
    __tablename__ = "wechat_access_tokens"

    app_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    access_token: Mapped[str | None] = mapped_column(Text, nullable=True, default=None)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, default=None)
    refresh_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, default=None)  # a refresher's lease


class WeChatMenu(Base):
    __tablename__ = "wechat_menus"

    openid: Mapped[str] = mapped_column(String(64), primary_key=True)
    buttons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes: they are UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class Claim:
    """The outcome of claiming a received message: ``new`` is False for a retry. A retry of a
    message already ``done`` gets ``reply``, the passive answer given before (None: answered
    through the customer-service API, or nothing to say); otherwise it has become the waiter."""

    new: bool
    reply: str | None = None
    done: bool = False


@dataclass(frozen=True)
class Handover:
    """What a waiting request finds: the answer, now its own to deliver (``taken``); nothing yet
    (``waiting``); a newer copy of the message waiting instead (``superseded``); or the message
    already answered (``done``, ``texts`` = [the passive reply given] or [])."""

    state: Literal["taken", "waiting", "superseded", "done"]
    texts: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Pending:
    """Where an answer stands, for the process that computed it."""

    status: str
    created_at: datetime
    waiter_until: datetime | None


class WeChatStore:
    def __init__(self, session_factory: sessionmaker[Session], *, ttl: timedelta = DEDUPE_TTL) -> None:
        self._sessions = session_factory
        self._ttl = ttl

    # --- received messages: de-duplication and the hand-over of the answer ------------------------

    def claim(self, dedupe_key: str, openid: str, waiter: str | None = None, waiter_until: datetime | None = None) -> Claim:
        """Record that ``dedupe_key`` arrived; only the first caller (in any process) gets ``new``.
        ``waiter`` (waiting until ``waiter_until``) becomes the copy the answer is handed to,
        replacing any earlier copy: WeChat only sends a retry once it stopped waiting for the last."""
        now = utcnow()
        try:
            with self._sessions.begin() as db:
                db.execute(delete(WeChatInbound).where(WeChatInbound.expires_at < now))
                db.add(WeChatInbound(
                    dedupe_key=dedupe_key, openid=openid, status=PROCESSING, created_at=now,
                    expires_at=now + self._ttl, waiter=waiter, waiter_until=waiter_until,
                ))
        except IntegrityError:
            with self._sessions.begin() as db:
                db.execute(
                    update(WeChatInbound)
                    .where(WeChatInbound.dedupe_key == dedupe_key, WeChatInbound.status != DONE)
                    .values(waiter=waiter, waiter_until=waiter_until)
                )
                row = db.get(WeChatInbound, dedupe_key)
                if row is None:  # expired meanwhile: an hour-old retry is not answered again
                    return Claim(new=False, done=True)
                return Claim(new=False, reply=row.reply, done=row.status == DONE)
        return Claim(new=True)

    def answer_ready(self, dedupe_key: str, texts: list[str]) -> None:
        """The answer is computed: it waits for the copy that will deliver it."""
        with self._sessions.begin() as db:
            db.execute(
                update(WeChatInbound)
                .where(WeChatInbound.dedupe_key == dedupe_key, WeChatInbound.status == PROCESSING)
                .values(status=READY, answer=texts)
            )

    def take(self, dedupe_key: str, waiter: str) -> Handover:
        """The answer for ``waiter`` if it is ready and ``waiter`` still the newest copy within its
        time (the status changes from ready to done in one statement: one taker at most)."""
        now = utcnow()
        with self._sessions.begin() as db:
            taken = db.execute(
                update(WeChatInbound)
                .where(
                    WeChatInbound.dedupe_key == dedupe_key,
                    WeChatInbound.status == READY,
                    WeChatInbound.waiter == waiter,
                    WeChatInbound.waiter_until > now,
                )
                .values(status=DONE)
            ).rowcount
            row = db.get(WeChatInbound, dedupe_key)
            if row is None:
                return Handover("done")
            if taken:
                texts = list(row.answer or [])
                row.reply, row.answer = (texts[0] if texts else None), None
                return Handover("taken", texts)
            if row.status == DONE:
                return Handover("done", [row.reply] if row.reply else [])
            return Handover("waiting" if row.waiter == waiter else "superseded")

    def pending(self, dedupe_key: str) -> Pending | None:
        with self._sessions() as db:
            row = db.get(WeChatInbound, dedupe_key)
            if row is None:
                return None
            until = aware(row.waiter_until) if row.waiter_until is not None else None
            return Pending(status=row.status, created_at=aware(row.created_at), waiter_until=until)

    def take_for_push(self, dedupe_key: str) -> list[str] | None:
        """The ready answer when no copy is waiting for it any more (None: taken, or a copy
        still waiting), for the customer-service API."""
        now = utcnow()
        with self._sessions.begin() as db:
            taken = db.execute(
                update(WeChatInbound)
                .where(
                    WeChatInbound.dedupe_key == dedupe_key,
                    WeChatInbound.status == READY,
                    or_(WeChatInbound.waiter_until.is_(None), WeChatInbound.waiter_until <= now),
                )
                .values(status=DONE, reply=None)
            ).rowcount
            if not taken:
                return None
            row = db.get(WeChatInbound, dedupe_key)
            texts = list(row.answer or []) if row is not None else []
            if row is not None:
                row.answer = None
            return texts

    def finish(self, dedupe_key: str, reply: str | None) -> None:
        """Mark the message answered; ``reply`` is the passive answer (None if pushed)."""
        with self._sessions.begin() as db:
            db.execute(
                update(WeChatInbound)
                .where(WeChatInbound.dedupe_key == dedupe_key)
                .values(status=DONE, reply=reply, answer=None)
            )

    # --- signed requests: replay protection -------------------------------------------------------

    def remember_request(self, request_key: str, openid: str, message_key: str, *, now: datetime, expires_at: datetime) -> bool:
        """Record a signed request and what it carried. True for a first use, or the same message
        again (a retry); False when the signature was used before for another sender or message.
        Rows whose time is over are deleted on the way."""
        try:
            with self._sessions.begin() as db:
                db.execute(delete(WeChatRequest).where(WeChatRequest.expires_at < now))
                db.add(WeChatRequest(request_key=request_key, openid=openid, message_key=message_key, expires_at=expires_at))
        except IntegrityError:
            with self._sessions() as db:
                row = db.get(WeChatRequest, request_key)
                return row is not None and (row.openid, row.message_key) == (openid, message_key)
        return True

    # --- numbered menus -------------------------------------------------------------------------

    def menu(self, openid: str) -> list[Button]:
        """The buttons of the user's last numbered menu (empty when there is none)."""
        with self._sessions() as db:
            row = db.get(WeChatMenu, openid)
            return [Button.model_validate(item) for item in row.buttons] if row is not None else []

    def set_menu(self, openid: str, buttons: list[Button]) -> None:
        """Remember ``buttons`` as the user's menu; an empty list forgets it."""
        if not buttons:
            with self._sessions.begin() as db:
                db.execute(delete(WeChatMenu).where(WeChatMenu.openid == openid))
            return
        row = WeChatMenu(openid=openid, buttons=[button.model_dump() for button in buttons], updated_at=utcnow())
        for attempt in range(2):  # merge is select-then-insert: a concurrent insert wins once
            try:
                with self._sessions.begin() as db:
                    db.merge(row)
                return
            except IntegrityError:
                if attempt:
                    raise


class AccessTokenStore:
    """The access token of one app id, shared by every gateway process through the database.

    At most one process refreshes at a time: it takes a short lease on the row (one UPDATE
    decides), fetches, stores the token with its expiry; the others wait for that token. A process
    told that its token is invalid asks for a refresh only of that token (``stale``): when another
    process has already stored a newer one, that one is used and WeChat is not asked again."""

    def __init__(self, session_factory: sessionmaker[Session], app_id: str, *, margin: timedelta = timedelta(seconds=60)) -> None:
        self._sessions = session_factory
        self.app_id = app_id
        self._margin = margin

    def current(self) -> str | None:
        """The stored token while it has more than ``margin`` to live."""
        with self._sessions() as db:
            row = db.get(WeChatAccessToken, self.app_id)
            if row is None or row.access_token is None or row.expires_at is None:
                return None
            return row.access_token if aware(row.expires_at) - self._margin > utcnow() else None

    def lease_refresh(self, stale: str | None, lease: timedelta) -> bool:
        """True when this caller is to fetch a new token now: the stored one is missing, about to
        expire or is ``stale``, and no other refresher's lease is running."""
        now = utcnow()
        try:
            with self._sessions.begin() as db:
                db.add(WeChatAccessToken(app_id=self.app_id))
        except IntegrityError:
            pass  # the row exists: the UPDATE below decides
        token = WeChatAccessToken
        needs_refresh = or_(token.access_token.is_(None), token.expires_at <= now + self._margin)
        if stale is not None:
            needs_refresh = or_(needs_refresh, token.access_token == stale)
        with self._sessions.begin() as db:
            return bool(db.execute(
                update(token)
                .where(token.app_id == self.app_id, needs_refresh,
                       or_(token.refresh_until.is_(None), token.refresh_until < now))
                .values(refresh_until=now + lease)
            ).rowcount)

    def save(self, access_token: str, expires_in: int) -> None:
        with self._sessions.begin() as db:
            db.execute(
                update(WeChatAccessToken)
                .where(WeChatAccessToken.app_id == self.app_id)
                .values(access_token=access_token, expires_at=utcnow() + timedelta(seconds=expires_in), refresh_until=None)
            )

    def give_up_lease(self) -> None:
        with self._sessions.begin() as db:
            db.execute(update(WeChatAccessToken).where(WeChatAccessToken.app_id == self.app_id).values(refresh_until=None))
