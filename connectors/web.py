"""The portal web chat's real-time channel: a WebSocket adapter.

Every frame is a JSON object with a ``type``. The browser keeps a session id (localStorage) and
the id of the last message it has; nothing is lost or shown twice across network drops and
server restarts:

browser -> server
    {"type": "hello", "session_id": "web-…", "after": 41, "token": "…"?}
        first frame of every connection (and of every reconnection). ``token`` is the session's
        secret from ``POST /api/session``: a session bound to a token answers only to it
        (``bad_token`` otherwise; ``authorize`` decides, see gateway/helpdesk/applicants.py). The server replays the
        stored messages with an id above ``after`` (``0``/``null``: the recent history), then
        answers ``welcome``; later messages of the session (replies, pushes by staff or
        reminders) are pushed as they happen.
    {"type": "message", "client_id": "c-…", "text": "…", "title": "…"?}
        a user message. ``client_id`` is made by the browser; a message re-sent after a
        reconnect with a ``client_id`` the conversation already has is not stored or answered
        twice. ``title`` is the label of a tapped quick reply (``text`` is then its payload).
    {"type": "ping"}                                   -> {"type": "pong"}

server -> browser
    {"type": "message", "id": 42, "sender": "user"|"bot"|"staff", "text": "…", "buttons": […],
     "citations": […], "attachment": {"url", "filename"}?, "created_at": "…+00:00",
     "client_id"?, "title"?, "rating"?, "rating_reason"?}
        every stored message: replayed, echoed (the user's own message, to all of the session's
        tabs: it is the acknowledgement of ``client_id``), replies and pushes.
    {"type": "welcome", "session_id": "…", "last_id": 42, "max_chars": 2000}
        after the replay: the browser is up to date and may (re)send what it still holds.
    {"type": "error", "code": "…", "detail": "中文说明", "client_id"?: "…"}
        a frame that could not be used (bad JSON, unknown type, missing or wrong fields, too
        long, no hello yet); the connection stays open.

User text is answered exactly like ``POST /api/chat`` (``route``, normally
``gateway.routers.chat.route_message``), one message at a time per session, in a task that
outlives the socket: a reply to a message whose socket dropped is stored and reaches the
browser on its next ``hello``.

Other features deliver messages with :meth:`WebChannel.push` (or the module-level :func:`push`,
or ``connectors.outbound.deliver("web", …)`` through :func:`push_messages`, with the sender set by
:func:`pushing_as`): the message is stored, then sent to every socket the session has open in
this process; :meth:`WebChannel.deliver_stored` sends what another gateway process stored.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import weakref
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from persistence.models import Message
from pydantic_core import PydanticCustomError

from messaging import BotMessage
from messaging.incoming import (
    BAD_CHARACTERS,
    MAX_MESSAGE_ID,
    SESSION_ID_PATTERN,
    clean_text,
    is_utf8_encodable,
    remove_control_chars,
)
from persistence.messages import MessageStore

log = logging.getLogger(__name__)

Route = Callable[[str, str], Awaitable[list[BotMessage]]]
# May the client presenting this token (None: none) use this session? (gateway/helpdesk/applicants.py)
Authorize = Callable[[str, str | None], Awaitable[bool]]

SESSION_ID_RE = re.compile(SESSION_ID_PATTERN)
CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9_\-.:]{1,64}$")
SENDERS = ("bot", "staff", "system")
MAX_TITLE_CHARS = 200
REPLAY_LIMIT = 200
QUEUE_LIMIT = 1000  # frames waiting for a slow socket; beyond that it is closed (it will replay)
SHUTDOWN_GRACE_SECONDS = 5.0
MAX_WAITING_PER_SESSION = 20  # user messages queued for an answer; more are refused
# A stored, unanswered user message younger than this may be being answered by another gateway.
UNANSWERED_GRACE_SECONDS = 5.0

ERRORS = {
    "not_text": "消息格式错误：请发送JSON文本帧",
    "too_large": "消息过大，已忽略",
    "bad_json": "消息格式错误：不是合法的JSON",
    "bad_frame": "消息格式错误：应为JSON对象",
    "no_type": "消息格式错误：缺少type字段",
    "bad_session": "会话标识格式错误：session_id应为1-64位字母、数字或 _ - . : 字符",
    "bad_after": "after格式错误：应为非负整数（已收到的最后一条消息编号）",
    "bad_token": "会话凭证无效或已过期，请重新开始对话",
    "no_session": "请先发送hello（含session_id）再发送消息",
    "bad_client_id": "client_id格式错误：应为1-64位字母、数字或 _ - . : 字符",
    "bad_text": "消息格式错误：text应为字符串",
    "empty_text": "消息不能为空",
    "bad_characters": BAD_CHARACTERS,
    "bad_title": f"title格式错误：应为不超过{MAX_TITLE_CHARS}字的字符串",
    "store_error": "消息暂时无法保存，请稍后重试",
    "too_many": "发送太频繁，请等上一条回答后再发",
    "server_error": "抱歉，服务暂时繁忙，请稍后再试。",
}


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def iso(moment: datetime) -> str:
    """ISO 8601 with the UTC offset (SQLite gives naive datetimes back: they are UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.isoformat()


def message_frame(row: Message) -> dict[str, Any]:
    """The ``message`` frame (and history item) of a stored message."""
    frame: dict[str, Any] = {
        "type": "message",
        "id": row.id,
        "sender": row.sender,
        "text": row.text,
        "buttons": list(row.buttons or []),
        "citations": list(row.citations or []),
        "created_at": iso(row.created_at),
    }
    if row.attachment:
        frame["attachment"] = row.attachment
    if row.client_id:
        frame["client_id"] = row.client_id
    if row.title:
        frame["title"] = row.title
    if row.rating:
        frame["rating"] = row.rating
    if row.rating_reason:
        frame["rating_reason"] = row.rating_reason
    return frame


def frame_text(frame: dict[str, Any]) -> str:
    """JSON text of a frame; text that UTF-8 cannot carry (a lone surrogate echoed back) is escaped."""
    text = json.dumps(frame, ensure_ascii=False)
    return text if is_utf8_encodable(text) else json.dumps(frame)


def error_frame(code: str, detail: str | None = None, client_id: str | None = None) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "error", "code": code, "detail": detail or ERRORS[code]}
    if client_id:
        frame["client_id"] = client_id
    return frame


class Connection:
    """One open socket: frames go out through a queue, written by one task, in order.

    Until the replay of a ``hello`` is sent, live frames for the session are held back, then
    sent unless the replay already contained them.
    """

    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket
        self.session_id: str | None = None
        self.closed = False
        self._queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self._held: list[dict[str, Any]] | None = None
        self._close_code = 1001

    def send(self, frame: dict[str, Any]) -> None:
        """Queue a frame (never blocks); a socket that cannot keep up is closed."""
        if self.closed:
            return
        if self._held is not None and frame.get("type") == "message":
            self._held.append(frame)
            return
        if self._queue.qsize() >= QUEUE_LIMIT:
            log.warning("web chat socket too slow, closing it (session=%s)", self.session_id)
            self.close(code=1013)  # "try again later": the browser reconnects and replays
            return
        self._queue.put_nowait(frame)

    def hold(self) -> None:
        self._held = []

    def release(self, replay: list[dict[str, Any]], replayed_up_to: int) -> None:
        """Send the replay, then the frames held meanwhile that it did not contain."""
        held, self._held = self._held or [], None
        for frame in replay:
            self.send(frame)
        for frame in held:
            if int(frame.get("id") or 0) > replayed_up_to:
                self.send(frame)

    def close(self, code: int = 1001) -> None:
        """Stop sending; the socket is closed with ``code`` unless the browser already left."""
        if not self.closed:
            self.closed = True
            self._close_code = code
            self._queue.put_nowait(None)

    async def write_loop(self) -> None:
        try:
            while (frame := await self._queue.get()) is not None:
                await self.websocket.send_text(frame_text(frame))
        except Exception as exc:  # the peer went away: the read loop sees the disconnect
            log.debug("web chat socket write failed: %s", type(exc).__name__)
        finally:
            self.closed = True
            ws = self.websocket
            if ws.client_state == WebSocketState.CONNECTED and ws.application_state == WebSocketState.CONNECTED:
                try:
                    await ws.close(code=self._close_code)
                except Exception:
                    pass


class WebChannel:
    """Registry of open sockets per session, the WebSocket protocol, and ``push``."""

    def __init__(
        self,
        store: MessageStore,
        route: Route,
        *,
        max_chars: int = 2000,
        replay_limit: int = REPLAY_LIMIT,
        on_event: Callable[[str], None] | None = None,
        authorize: Authorize | None = None,
    ) -> None:
        self.store = store
        self.route = route
        self.authorize = authorize
        self.max_chars = max_chars
        self.replay_limit = replay_limit
        self.max_frame_chars = max(16_384, max_chars * 8)
        self._on_event = on_event or (lambda name: None)
        self._sockets: dict[str, set[Connection]] = {}
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._inflight: set[tuple[str, str]] = set()
        self._waiting: dict[str, int] = {}  # per session: messages accepted, not yet answered
        self._tasks: set[asyncio.Task[None]] = set()

    # --- registry and delivery ---------------------------------------------------------------

    def connected(self, session_id: str) -> int:
        """How many sockets the session has open in this process."""
        return len(self._sockets.get(session_id, ()))

    def deliver(self, session_id: str, frame: dict[str, Any]) -> int:
        """Send a frame to every open socket of the session; returns how many."""
        connections = list(self._sockets.get(session_id, ()))
        for connection in connections:
            connection.send(frame)
        return len(connections)

    async def deliver_stored(self, session_id: str, ids: list[int]) -> int:
        """Send messages another gateway process stored (by id) to this process's sockets of the
        session; returns how many frames went out."""
        if not ids or not self.connected(session_id):
            return 0
        wanted = set(ids)
        rows = await run_in_threadpool(self.store.messages_after, session_id, min(wanted) - 1, max(wanted) - min(wanted) + 1)
        sent = 0
        for row in rows:
            if row.id in wanted:
                sent += self.deliver(session_id, message_frame(row))
        return sent

    async def push(self, session_id: str, message: BotMessage | str, *, sender: str = "bot") -> dict[str, Any]:
        """Store a message for the session and send it to its open sockets (if any; otherwise
        the browser gets it on its next ``hello``). ``sender`` is "bot", "staff" or "system".
        Returns the ``message`` frame."""
        if not isinstance(session_id, str) or not SESSION_ID_RE.match(session_id):
            raise ValueError(ERRORS["bad_session"])
        if sender not in SENDERS:
            raise ValueError(f"sender应为{'、'.join(SENDERS)}之一")
        if isinstance(message, str):
            message = BotMessage(text=message)
        rows = await run_in_threadpool(self.store.save_bot_messages, session_id, [message], sender=sender)
        frame = message_frame(rows[0])
        delivered = self.deliver(session_id, frame)
        log.info("web chat push session=%s sender=%s id=%s sockets=%d", session_id, sender, rows[0].id, delivered)
        return frame

    def _register(self, connection: Connection, session_id: str) -> None:
        self._unregister(connection)
        connection.session_id = session_id
        self._sockets.setdefault(session_id, set()).add(connection)

    def _unregister(self, connection: Connection) -> None:
        if connection.session_id is None:
            return
        sockets = self._sockets.get(connection.session_id)
        if sockets is not None:
            sockets.discard(connection)
            if not sockets:
                del self._sockets[connection.session_id]

    # --- one socket ----------------------------------------------------------------------------

    async def handle(self, websocket: WebSocket) -> None:
        """Serve one WebSocket until the browser goes away."""
        await websocket.accept()
        connection = Connection(websocket)
        writer = asyncio.create_task(connection.write_loop())
        self._on_event("connect")
        try:
            while not connection.closed:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    break
                text = message.get("text")
                if text is None:
                    self._reject(connection, "not_text")
                    continue
                await self._on_text(connection, text)
        except WebSocketDisconnect:
            pass
        finally:
            self._unregister(connection)
            connection.close()
            await writer
            log.info("web chat disconnected session=%s", connection.session_id)

    def _reject(self, connection: Connection, code: str, detail: str | None = None, client_id: str | None = None) -> None:
        self._on_event("error")
        log.info("web chat bad frame session=%s code=%s", connection.session_id, code)
        connection.send(error_frame(code, detail, client_id))

    async def _on_text(self, connection: Connection, text: str) -> None:
        if len(text) > self.max_frame_chars:
            # Not parsed; it may still name a client_id, so that the browser can mark that message.
            match = re.search(r'"client_id"\s*:\s*"([A-Za-z0-9_\-.:]{1,64})"', text[:4096])
            self._reject(connection, "too_long", too_long_detail(self.max_chars), match.group(1) if match else None)
            return
        try:
            frame = json.loads(text)
        except (ValueError, RecursionError):  # RecursionError: nesting deeper than the parser's stack
            self._reject(connection, "bad_json")
            return
        if not isinstance(frame, dict):
            self._reject(connection, "bad_frame")
            return
        kind = frame.get("type")
        if not isinstance(kind, str) or not kind:
            self._reject(connection, "no_type")
        elif kind == "ping":
            connection.send({"type": "pong"})
        elif kind == "hello":
            await self._on_hello(connection, frame)
        elif kind == "message":
            self._on_message(connection, frame)
        else:
            self._reject(connection, "unknown_type", f"未知的消息类型：{kind[:32]}")

    async def _on_hello(self, connection: Connection, frame: dict[str, Any]) -> None:
        session_id = frame.get("session_id")
        if not isinstance(session_id, str) or not SESSION_ID_RE.match(session_id):
            self._reject(connection, "bad_session")
            return
        after = frame.get("after")
        if after is None:
            after = 0
        if isinstance(after, bool) or not isinstance(after, int) or not 0 <= after <= MAX_MESSAGE_ID:
            self._reject(connection, "bad_after")
            return
        token = frame.get("token")
        if self.authorize is not None and (
            (token is not None and not isinstance(token, str)) or not await self.authorize(session_id, token)
        ):
            self._reject(connection, "bad_token")
            return

        connection.hold()  # live frames wait until the replay is out
        self._register(connection, session_id)
        replayed_up_to = after
        try:
            rows = await run_in_threadpool(self.store.messages_after, session_id, after, self.replay_limit)
        except Exception:
            log.exception("web chat replay failed for session=%s", session_id)
            rows = []
            connection.send(error_frame("store_error", "历史消息暂时无法读取，请稍后刷新"))
        if rows:
            replayed_up_to = max(after, rows[-1].id)
        connection.release([message_frame(row) for row in rows], replayed_up_to)
        left_unanswered = await self._left_unanswered(session_id)
        connection.send({"type": "welcome", "session_id": session_id, "last_id": replayed_up_to, "max_chars": self.max_chars})
        log.info("web chat hello session=%s after=%d replayed=%d", session_id, after, len(rows))
        if left_unanswered is not None:
            self._answer_left_unanswered(connection, left_unanswered)

    async def _left_unanswered(self, session_id: str) -> Message | None:
        """The conversation's last message if it is the user's and nobody answered it (the gateway
        that took it died before the reply; the page does not resend a message it saw echoed)."""
        try:
            row = await run_in_threadpool(self.store.latest_message, session_id)
        except Exception:
            log.exception("web chat could not read the latest message of session=%s", session_id)
            return None
        if row is None or row.sender != "user" or not row.client_id or (session_id, row.client_id) in self._inflight:
            return None
        return row

    def _answer_left_unanswered(self, connection: Connection, row: Message) -> None:
        """Answer it, in order: the task takes the session's lock before anything the page sends
        after welcome. One younger than ``UNANSWERED_GRACE_SECONDS`` may still be being answered
        by another gateway process: the lock is held while it ages, then it is answered only if
        still without a reply."""
        session_id, client_id = row.session_id, str(row.client_id)
        age = (datetime.now(timezone.utc) - _aware(row.created_at)).total_seconds()
        key = (session_id, client_id)

        async def answer() -> None:
            self._inflight.add(key)
            try:
                async with self._lock_for(session_id):
                    if age < UNANSWERED_GRACE_SECONDS:
                        await asyncio.sleep(UNANSWERED_GRACE_SECONDS - age)
                        if await run_in_threadpool(self.store.is_answered, session_id, row.id):
                            return
                    log.info("web chat answering a message left unanswered session=%s id=%d", session_id, row.id)
                    await self._store_and_reply(connection, session_id, client_id, row.text, row.title)
            finally:
                self._inflight.discard(key)

        task = asyncio.create_task(answer())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _on_message(self, connection: Connection, frame: dict[str, Any]) -> None:
        client_id = frame.get("client_id")
        if not isinstance(client_id, str) or not CLIENT_ID_RE.match(client_id):
            self._reject(connection, "bad_client_id")
            return
        if connection.session_id is None:
            self._reject(connection, "no_session", client_id=client_id)
            return
        text = frame.get("text")
        if not isinstance(text, str):
            self._reject(connection, "bad_text", client_id=client_id)
            return
        try:
            text = clean_text(text)
        except PydanticCustomError as exc:
            code = "bad_characters" if exc.type == "bad_characters" else "empty_text"
            self._reject(connection, code, client_id=client_id)
            return
        if len(text) > self.max_chars:
            self._reject(connection, "too_long", too_long_detail(self.max_chars), client_id)
            return
        title = frame.get("title")
        if title is not None and (not isinstance(title, str) or len(title) > MAX_TITLE_CHARS):
            self._reject(connection, "bad_title", client_id=client_id)
            return
        title = remove_control_chars(title).strip() if title else None
        if title and not is_utf8_encodable(title):
            self._reject(connection, "bad_title", client_id=client_id)
            return
        session_id = connection.session_id
        if self._waiting.get(session_id, 0) >= MAX_WAITING_PER_SESSION:
            self._reject(connection, "too_many", client_id=client_id)
            return

        self._waiting[session_id] = self._waiting.get(session_id, 0) + 1
        task = asyncio.create_task(self._answer(connection, session_id, client_id, text, title or None))
        self._tasks.add(task)

        def done(finished: asyncio.Task[None]) -> None:
            self._tasks.discard(finished)
            left = self._waiting.get(session_id, 1) - 1
            if left > 0:
                self._waiting[session_id] = left
            else:
                self._waiting.pop(session_id, None)
            if not finished.cancelled() and finished.exception() is not None:
                log.error("web chat answer failed for session=%s", session_id, exc_info=finished.exception())
                self.deliver(session_id, error_frame("server_error", client_id=client_id))

        task.add_done_callback(done)

    def _lock_for(self, session_id: str) -> asyncio.Lock:
        lock = self._locks.get(session_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[session_id] = lock
        return lock

    async def _answer(self, connection: Connection, session_id: str, client_id: str, text: str, title: str | None) -> None:
        """Store the user's message, answer it like /api/chat, store and push the replies."""
        key = (session_id, client_id)
        if key in self._inflight:
            # A resend while the original is still being answered: acknowledge it if stored;
            # the replies will reach this socket like any other.
            stored = await run_in_threadpool(self.store.message_by_client_id, session_id, client_id)
            if stored is not None:
                connection.send(message_frame(stored))
            return
        self._inflight.add(key)
        try:
            async with self._lock_for(session_id):
                await self._store_and_reply(connection, session_id, client_id, text, title)
        finally:
            self._inflight.discard(key)

    async def _store_and_reply(self, connection: Connection, session_id: str, client_id: str, text: str, title: str | None) -> None:
        """The work of :meth:`_answer`, with the session's lock held."""
        try:
            saved = await run_in_threadpool(self.store.save_user_message, session_id, text, client_id=client_id, title=title)
        except Exception:
            log.exception("web chat could not store a message of session=%s", session_id)
            connection.send(error_frame("store_error", client_id=client_id))
            return
        user_frame = message_frame(saved.message)
        if saved.created:
            self.deliver(session_id, user_frame)
        else:
            connection.send(user_frame)
            if await run_in_threadpool(self.store.is_answered, session_id, saved.message.id):
                log.info("web chat duplicate ignored session=%s id=%d", session_id, saved.message.id)
                return
            # stored but never answered (e.g. the server restarted meanwhile): answer now
            log.info("web chat answering unanswered message session=%s id=%d", session_id, saved.message.id)
        replies = await self.route(session_id, saved.message.text)
        if not replies:
            return
        try:
            rows = await run_in_threadpool(self.store.save_bot_messages, session_id, replies)
        except Exception:
            log.exception("web chat could not store replies of session=%s", session_id)
            connection.send(error_frame("store_error", "回复暂时无法保存，请稍后重试", client_id))
            return
        for row in rows:
            self.deliver(session_id, message_frame(row))

    async def close(self) -> None:
        """At shutdown: let running answers finish (briefly), then close every socket."""
        if self._tasks:
            done, pending = await asyncio.wait(set(self._tasks), timeout=SHUTDOWN_GRACE_SECONDS)
            for task in pending:
                task.cancel()
        for sockets in list(self._sockets.values()):
            for connection in list(sockets):
                connection.close()


def too_long_detail(max_chars: int) -> str:
    return f"消息过长，请控制在{max_chars}字以内"


_current: WebChannel | None = None


def set_current(channel: WebChannel | None) -> None:
    """The process's channel, used by :func:`push` (set by the gateway at start-up)."""
    global _current
    _current = channel


def current() -> WebChannel:
    if _current is None:
        raise RuntimeError("the web chat channel is not running (gateway not started)")
    return _current


async def push(session_id: str, message: BotMessage | str, *, sender: str = "bot") -> dict[str, Any]:
    """Store ``message`` for ``session_id`` and send it to the browser(s) now if connected to
    this process, else on their next reconnect. For staff replies, reminders and the like."""
    return await current().push(session_id, message, sender=sender)


_push_sender: ContextVar[str] = ContextVar("web_push_sender", default="bot")


@contextmanager
def pushing_as(sender: str) -> Iterator[None]:
    """Messages delivered through ``connectors.outbound`` in this block show as ``sender``
    ("staff" for a staff reply, "system" for helpdesk notices) in the web chat."""
    token = _push_sender.set(sender)
    try:
        yield
    finally:
        _push_sender.reset(token)


async def push_messages(session_id: str, messages: list[BotMessage]) -> bool:
    """The web chat's ``connectors.outbound`` pusher: stores and sends each message (see :func:`push`)."""
    if _current is None:
        log.warning("web chat push to session=%s while the channel is not running", session_id)
        return False
    for message in messages:
        await _current.push(session_id, message, sender=_push_sender.get())
    return True
