"""The staff consoles' WebSocket (``/ws/console``): live hints, the data comes from the API.

Frames to the console: ``{"type": "queue"}`` (the queue or a handoff changed: reload it),
``{"type": "messages", "session_id": …}`` (messages were stored for that conversation: fetch
the new ones if it is open), ``{"type": "pong"}``, and ``{"type": "logout"}`` when the login
has expired. The console sends ``{"type": "ping"}`` every ~25 s; that also marks the staff
member as online (presence decides between a live queue and leaving a message).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocket, WebSocketDisconnect

from connectors.web import Connection
from persistence.staff_accounts import StaffAccounts, StaffIdentity
from gateway.helpdesk.bus import Event

log = logging.getLogger(__name__)

SEEN_EVERY_SECONDS = 20.0
CLOSE_LOGGED_OUT = 4401


class ConsoleHub:
    def __init__(self, accounts: StaffAccounts) -> None:
        self._accounts = accounts
        self._sockets: dict[Connection, StaffIdentity] = {}

    def connected(self) -> int:
        return len(self._sockets)

    def broadcast(self, frame: dict) -> None:
        for connection in list(self._sockets):
            connection.send(frame)

    def on_event(self, event: Event) -> None:
        kind = event.get("t")
        if kind == "queue":
            self.broadcast({"type": "queue", "handoff_id": event.get("h")})
        elif kind == "msg" and isinstance(event.get("s"), str):
            self.broadcast({"type": "messages", "session_id": event["s"]})

    async def handle(self, websocket: WebSocket, staff: StaffIdentity, still_valid: Callable[[], bool]) -> None:
        await websocket.accept()
        connection = Connection(websocket)
        writer = asyncio.create_task(connection.write_loop())
        self._sockets[connection] = staff
        await run_in_threadpool(self._accounts.mark_seen, staff.id)
        connection.send({"type": "hello", "staff": {"username": staff.username, "display_name": staff.display_name}})
        seen_at = time.monotonic()
        try:
            while not connection.closed:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    break
                try:
                    frame = json.loads(message.get("text") or "")
                except ValueError:
                    continue
                if not isinstance(frame, dict) or frame.get("type") != "ping":
                    continue
                if time.monotonic() - seen_at >= SEEN_EVERY_SECONDS:
                    seen_at = time.monotonic()
                    if not await run_in_threadpool(still_valid):
                        connection.send({"type": "logout"})
                        connection.close(code=CLOSE_LOGGED_OUT)
                        break
                    await run_in_threadpool(self._accounts.mark_seen, staff.id)
                connection.send({"type": "pong"})
        except WebSocketDisconnect:
            pass
        finally:
            self._sockets.pop(connection, None)
            connection.close()
            await writer
            log.info("console disconnected staff=%s", staff.username)

    async def close(self) -> None:
        for connection in list(self._sockets):
            connection.close()
