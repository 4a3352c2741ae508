"""What the WeChat connector remembers between requests (tables of migration 0003_wechat).

- ``wechat_inbound``: one row per message or event received, keyed as WeChat recommends
  (``MsgId``; ``FromUserName`` + ``CreateTime`` for events), kept until ``expires_at``. WeChat
  re-sends a message it got no answer to within 5 s, up to three times: a key already here is a
  retry. When the first delivery was answered passively, ``reply`` holds that answer so a retry
  gets the same one (WeChat sends a retry only when the first answer did not reach it).
- ``wechat_menus``: per user, the buttons of the last numbered menu sent ("回复1 …"), so that a
  reply "1" selects the first one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, DateTime, String, Text, delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from gateway.models import Base, utcnow
from gateway.schemas import Button

DEDUPE_TTL = timedelta(hours=1)


class WeChatInbound(Base):
    __tablename__ = "wechat_inbound"

    dedupe_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    openid: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="processing")  # "processing" | "done"
    reply: Mapped[str | None] = mapped_column(Text, nullable=True, default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class WeChatMenu(Base):
    __tablename__ = "wechat_menus"

    openid: Mapped[str] = mapped_column(String(64), primary_key=True)
    buttons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


@dataclass(frozen=True)
class Claim:
    """The outcome of claiming a received message: ``new`` is False for a retry, whose
    ``reply`` is the passive answer already given to it (None: still being answered, or answered
    through the customer-service API)."""

    new: bool
    reply: str | None = None


class WeChatStore:
    def __init__(self, session_factory: sessionmaker[Session], *, ttl: timedelta = DEDUPE_TTL) -> None:
        self._sessions = session_factory
        self._ttl = ttl

    def claim(self, dedupe_key: str, openid: str) -> Claim:
        """Record that ``dedupe_key`` arrived; only the first caller (in any process) gets ``new``."""
        now = utcnow()
        try:
            with self._sessions.begin() as db:
                db.execute(delete(WeChatInbound).where(WeChatInbound.expires_at < now))
                db.add(WeChatInbound(dedupe_key=dedupe_key, openid=openid, created_at=now, expires_at=now + self._ttl))
        except IntegrityError:
            with self._sessions() as db:
                row = db.get(WeChatInbound, dedupe_key)
                return Claim(new=False, reply=row.reply if row is not None else None)
        return Claim(new=True)

    def finish(self, dedupe_key: str, reply: str | None) -> None:
        """Mark the message answered; ``reply`` is the passive answer (None if pushed)."""
        with self._sessions.begin() as db:
            db.execute(
                update(WeChatInbound).where(WeChatInbound.dedupe_key == dedupe_key).values(status="done", reply=reply)
            )

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
