"""Staff accounts and console sessions.

Passwords are hashed with Argon2id (argon2-cffi). A login gives a random session token (the
cookie) and a CSRF token (sent back by the console in a header); the database keeps only the
token's SHA-256. Repeated wrong passwords lock the account (and the client address) for a while,
whichever process they arrive at: attempts are rows in the database.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from persistence.helpdesk_models import LoginAttempt, Staff, StaffSession
from persistence.models import utcnow

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.\-]{2,64}$")
MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 256
MAX_DISPLAY_NAME_CHARS = 32
LOCK_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_CLIENT = 20
ONLINE_WITHIN = timedelta(seconds=90)

_hasher = PasswordHasher()
# Verified when the username does not exist, so that a wrong name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes: they are UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AccountError(ValueError):
    """A staff account that cannot be created or changed (message in Chinese)."""


class LoginRefused(Exception):
    """``reason`` is "bad_credentials" or "locked" (then ``retry_after`` seconds)."""

    def __init__(self, reason: str, retry_after: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


@dataclass(frozen=True)
class StaffIdentity:
    id: int
    username: str
    display_name: str
    csrf_token: str = ""
    is_admin: bool = False  # may change round facts (staff create --admin, staff set-role)


@dataclass(frozen=True)
class LoginResult:
    staff: StaffIdentity
    token: str


def check_password_rules(password: str) -> None:
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise AccountError(f"密码长度应为{MIN_PASSWORD_CHARS}-{MAX_PASSWORD_CHARS}个字符")


class StaffAccounts:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        session_hours: float = 12.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._lifetime = timedelta(hours=session_hours)
        self._clock = clock

    # --- accounts (the command line) ----------------------------------------------------------

    def create(self, username: str, display_name: str, password: str, *, admin: bool = False) -> Staff:
        if not USERNAME_RE.match(username):
            raise AccountError("用户名应为2-64位字母、数字或 _ . - 字符")
        display_name = display_name.strip()
        if not 1 <= len(display_name) <= MAX_DISPLAY_NAME_CHARS:
            raise AccountError(f"显示名称应为1-{MAX_DISPLAY_NAME_CHARS}个字符")
        check_password_rules(password)
        with self._sessions.begin() as db:
            if db.scalar(select(Staff.id).where(Staff.username == username)) is not None:
                raise AccountError(f"用户名{username}已存在")
            staff = Staff(username=username, display_name=display_name, password_hash=_hasher.hash(password),
                          active=True, is_admin=admin, created_at=self._clock())
            db.add(staff)
        return staff

    def set_password(self, username: str, password: str) -> None:
        check_password_rules(password)
        with self._sessions.begin() as db:
            staff = self._by_username(db, username)
            staff.password_hash = _hasher.hash(password)
            db.execute(delete(StaffSession).where(StaffSession.staff_id == staff.id))

    def set_active(self, username: str, active: bool) -> None:
        with self._sessions.begin() as db:
            staff = self._by_username(db, username)
            staff.active = active
            if not active:
                db.execute(delete(StaffSession).where(StaffSession.staff_id == staff.id))

    def set_admin(self, username: str, admin: bool) -> None:
        with self._sessions.begin() as db:
            self._by_username(db, username).is_admin = admin

    def unlock(self, username: str) -> None:
        """Forget the failed logins of an account (after a lockout)."""
        with self._sessions.begin() as db:
            db.execute(delete(LoginAttempt).where(LoginAttempt.username == username, LoginAttempt.succeeded.is_(False)))

    def all(self) -> list[Staff]:
        with self._sessions() as db:
            return list(db.scalars(select(Staff).order_by(Staff.id)))

    @staticmethod
    def _by_username(db: Session, username: str) -> Staff:
        staff = db.scalar(select(Staff).where(Staff.username == username))
        if staff is None:
            raise AccountError(f"没有用户名为{username}的工作人员")
        return staff

    # --- logins and sessions --------------------------------------------------------------------

    def _failures(self, db: Session, column, value: str, since: datetime) -> tuple[int, datetime | None]:  # noqa: ANN001
        count, latest = db.execute(
            select(func.count(), func.max(LoginAttempt.at)).where(
                column == value, LoginAttempt.succeeded.is_(False), LoginAttempt.at > since
            )
        ).one()
        return int(count or 0), aware(latest) if latest else None

    def _retry_after(self, db: Session, username: str, client: str, now: datetime) -> int:
        """Seconds until a login may be tried again (0: now)."""
        since = now - LOCK_WINDOW
        waits = []
        for column, value, limit in (
            (LoginAttempt.username, username, MAX_FAILURES_PER_ACCOUNT),
            (LoginAttempt.client, client, MAX_FAILURES_PER_CLIENT),
        ):
            count, latest = self._failures(db, column, value, since)
            if count >= limit and latest is not None:
                waits.append(int((latest + LOCK_WINDOW - now).total_seconds()) + 1)
        return max(waits, default=0)

    def login(self, username: str, password: str, client: str) -> LoginResult:
        """Check the password; raises LoginRefused. ``client`` is the caller's address."""
        username = username.strip()[:64]
        client = client[:64]
        now = self._clock()
        with self._sessions.begin() as db:
            wait = self._retry_after(db, username, client, now)
            if wait > 0:
                raise LoginRefused("locked", wait)
            staff = db.scalar(select(Staff).where(Staff.username == username))
            ok = self._verify(staff.password_hash if staff else _DUMMY_HASH, password)
            ok = ok and staff is not None and staff.active
            db.add(LoginAttempt(username=username, client=client, succeeded=ok, at=now))
            identity: StaffIdentity | None = None
            token = ""
            if ok and staff is not None:
                identity, token = self._open_session(db, staff, password, now)
        if identity is None:
            raise LoginRefused("bad_credentials")
        return LoginResult(identity, token)

    def _open_session(self, db: Session, staff: Staff, password: str, now: datetime) -> tuple[StaffIdentity, str]:
        if _hasher.check_needs_rehash(staff.password_hash):
            staff.password_hash = _hasher.hash(password)
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        db.add(StaffSession(token_hash=token_digest(token), staff_id=staff.id, csrf_token=csrf,
                            created_at=now, expires_at=now + self._lifetime))
        db.execute(delete(StaffSession).where(StaffSession.expires_at < now))
        return StaffIdentity(staff.id, staff.username, staff.display_name, csrf, bool(staff.is_admin)), token

    @staticmethod
    def _verify(password_hash: str, password: str) -> bool:
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def identify(self, token: str | None) -> StaffIdentity | None:
        """The staff member a session token belongs to, if the session is valid."""
        if not token or len(token) > 128:
            return None
        with self._sessions() as db:
            row = db.execute(
                select(Staff, StaffSession.csrf_token, StaffSession.expires_at)
                .join(StaffSession, StaffSession.staff_id == Staff.id)
                .where(StaffSession.token_hash == token_digest(token))
            ).first()
        if row is None:
            return None
        staff, csrf, expires_at = row
        if not staff.active or aware(expires_at) <= self._clock():
            return None
        return StaffIdentity(staff.id, staff.username, staff.display_name, csrf, bool(staff.is_admin))

    def logout(self, token: str) -> None:
        with self._sessions.begin() as db:
            db.execute(delete(StaffSession).where(StaffSession.token_hash == token_digest(token)))

    def mark_seen(self, staff_id: int) -> None:
        """The staff member has the console open (presence: see :meth:`online_count`)."""
        with self._sessions.begin() as db:
            db.execute(update(Staff).where(Staff.id == staff_id).values(last_seen_at=self._clock()))

    def online_count(self) -> int:
        since = self._clock() - ONLINE_WITHIN
        with self._sessions() as db:
            return int(db.scalar(select(func.count()).select_from(Staff).where(
                Staff.active.is_(True), Staff.last_seen_at > since)) or 0)

    def display_name(self, staff_id: int | None) -> str:
        if staff_id is None:
            return ""
        with self._sessions() as db:
            return db.scalar(select(Staff.display_name).where(Staff.id == staff_id)) or ""
