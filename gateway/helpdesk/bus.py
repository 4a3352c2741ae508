"""Events between gateway processes: "messages were stored for session X", "the queue changed".

With SQLite there is one gateway process: :class:`LocalBus` hands events to this process's
handlers. With PostgreSQL several processes may share the database: :class:`PostgresBus`
publishes with ``pg_notify`` and every process (the publisher too) LISTENs, so that the process
holding an applicant's WebSocket (or a staff console) gets the event. Events are small JSON
objects carrying ids only (NOTIFY payloads are limited to 8000 bytes); handlers read the rest
from the database. ``o`` in an event names the process that published it.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import Engine, func, select
from starlette.concurrency import run_in_threadpool

log = logging.getLogger(__name__)

Event = dict[str, Any]
Handler = Callable[[Event], Awaitable[None] | None]
CHANNEL = "shenbao_helpdesk"
RECONNECT_SECONDS = 1.0


class LocalBus:
    """In-process delivery; ``publish`` may be called from any thread."""

    def __init__(self) -> None:
        self.origin = uuid.uuid4().hex[:12]
        self._handlers: list[Handler] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def subscribe(self, handler: Handler) -> None:
        self._handlers.append(handler)

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()

    async def stop(self) -> None:
        self._loop = None
        for task in list(self._tasks):
            task.cancel()

    def publish(self, event: Event) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(self.dispatch, {**event, "o": self.origin})

    async def publish_async(self, event: Event) -> None:
        self.publish(event)

    def dispatch(self, event: Event) -> None:
        """Run every handler on an event (in the event loop)."""
        for handler in self._handlers:
            try:
                result = handler(event)
            except Exception:
                log.exception("helpdesk event handler failed (%s)", event.get("t"))
                continue
            if inspect.isawaitable(result):
                task = asyncio.ensure_future(result)
                self._tasks.add(task)
                task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("helpdesk event handler failed", exc_info=task.exception())


class PostgresBus(LocalBus):
    """LISTEN/NOTIFY on the gateway's PostgreSQL database (psycopg 3, one listening connection
    per process, reconnected after a failure)."""

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self._engine = engine
        self._conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._listener: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()

    async def start(self) -> None:
        await super().start()
        self._listener = asyncio.create_task(self._listen())
        try:
            await asyncio.wait_for(self._listening.wait(), timeout=10)
        except asyncio.TimeoutError:
            log.error("helpdesk: could not LISTEN on PostgreSQL yet; retrying in the background")

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            try:
                await self._listener
            except (asyncio.CancelledError, Exception):
                pass
        await super().stop()

    async def _listen(self) -> None:
        import psycopg

        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self._listening.set()
                    log.info("helpdesk: listening for events on PostgreSQL (process %s)", self.origin)
                    async for notice in conn.notifies():
                        self._receive(notice.payload)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("helpdesk: event connection lost (%s: %s); reconnecting", type(exc).__name__, exc)
            await asyncio.sleep(RECONNECT_SECONDS)

    def _receive(self, payload: str) -> None:
        try:
            event = json.loads(payload)
        except ValueError:
            log.warning("helpdesk: ignoring a malformed event")
            return
        if isinstance(event, dict):
            self.dispatch(event)

    def publish(self, event: Event) -> None:
        """NOTIFY every process (blocking: call from a worker thread, or use publish_async)."""
        payload = json.dumps({**event, "o": self.origin}, ensure_ascii=False)
        try:
            with self._engine.connect() as conn:
                conn.execute(select(func.pg_notify(CHANNEL, payload)))
                conn.commit()
        except Exception:
            log.exception("helpdesk: could not publish an event (%s)", event.get("t"))

    async def publish_async(self, event: Event) -> None:
        await run_in_threadpool(self.publish, event)


def make_bus(engine: Engine) -> LocalBus:
    return PostgresBus(engine) if engine.dialect.name == "postgresql" else LocalBus()
