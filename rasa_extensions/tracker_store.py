"""Rasa's SQL tracker store with the conversations it serves kept in memory as well.

Loaded by the Rasa server (Python 3.10, Rasa's own environment: it imports nothing but Rasa and
SQLAlchemy) from `bot/endpoints.yml`:

    tracker_store:
      type: rasa_extensions.tracker_store.CachedSQLTrackerStore

Stock `SQLTrackerStore` reads every event of a conversation back from the database on each turn
and counts them again before writing the new ones: about 10 ms of the Rasa process's CPU per
message on these machines, nearly half of its work. This store answers reads from memory and
writes only the new events, with one plain INSERT, so every turn is still on disk when it is
answered: after a restart the conversation is read back from the database as before.

The tracker itself is kept, not a serialised copy (replaying every event on each read is what
costs): Rasa's lock store lets one message of a conversation be handled at a time, and it saves
the tracker it was handed. Events of a turn that fails before it is saved stay in memory and are
written with the next saved turn.

Stored events keep no personal data in clear (PIPL minimisation): user text, entity values and
slot values are written masked (``knowledge.privacy``). Nothing reads them back but Rasa after a
restart, for which intents and slots are what matter; the transcript lives in the gateway's
messages table and form answers in ``form_drafts``, each under the retention setting.

Several Rasa replicas may share one database (`make cluster`: PostgreSQL, and the Redis lock
store, which lets one replica at a time handle a conversation): a cached tracker is used only
while the newest event id stored for its conversation is still the one this process wrote last
(one indexed query); when another replica has written since, the conversation is read back from
the database. Same code with one Rasa process on SQLite (`make run`).
"""
from __future__ import annotations

import json
import logging
from collections import OrderedDict
from typing import Any, Optional, Text

import rasa.shared.core.trackers
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy import func, select

from knowledge.privacy import mask_pii

logger = logging.getLogger(__name__)

MAX_CACHED_CONVERSATIONS = 10_000


class CachedSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, max_cached: int = MAX_CACHED_CONVERSATIONS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._max_cached = int(max_cached)
        self._cache: OrderedDict[Text, DialogueStateTracker] = OrderedDict()  # sender_id -> tracker as last saved
        self._persisted: dict[Text, int] = {}  # sender_id -> events of the tracker handed out, all on disk
        self._last_written: dict[Text, Optional[int]] = {}  # sender_id -> newest event id on disk when cached

    def _newest_event_id(self, connection: Any, sender_id: Text) -> Optional[int]:
        events = self.SQLEvent.__table__
        return connection.execute(select(func.max(events.c.id)).where(events.c.sender_id == sender_id)).scalar()

    def _cache_is_current(self, sender_id: Text) -> bool:
        """No other replica has written to this conversation since this process cached it."""
        with self.engine.connect() as connection:
            return self._newest_event_id(connection, sender_id) == self._last_written.get(sender_id)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        cached = self._cache.get(sender_id)
        if cached is not None and not self._cache_is_current(sender_id):
            self._forget(sender_id)
            cached = None
        if cached is None:
            tracker = await super().retrieve(sender_id)
        else:
            self._cache.move_to_end(sender_id)
            tracker = _latest_session(cached)
        # every event of what is handed out is on disk: a save writes what comes after them
        self._persisted[sender_id] = len(tracker.events) if tracker else 0
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        events = list(tracker.events)
        new = events[self._persisted.get(sender_id, 0):]
        with self.engine.begin() as connection:
            if new:
                connection.execute(self.SQLEvent.__table__.insert(), [_row(sender_id, event) for event in new])
            self._last_written[sender_id] = self._newest_event_id(connection, sender_id)
        self._persisted[sender_id] = len(events)
        self._cache[sender_id] = tracker
        self._cache.move_to_end(sender_id)
        while len(self._cache) > self._max_cached:
            evicted, _tracker = self._cache.popitem(last=False)
            self._forget(evicted)

    def _forget(self, sender_id: Text) -> None:
        self._cache.pop(sender_id, None)
        self._persisted.pop(sender_id, None)
        self._last_written.pop(sender_id, None)


def _latest_session(tracker: Optional[DialogueStateTracker]) -> Optional[DialogueStateTracker]:
    """What the stock store returns: the events of the latest conversation session only."""
    if tracker is None:
        return None
    sessions = rasa.shared.core.trackers.get_trackers_for_conversation_sessions(tracker)
    return sessions[-1] if len(sessions) > 1 else tracker


def _minimised(data: dict[str, Any]) -> dict[str, Any]:
    """The event as stored: user text, entity values and string slot values masked."""
    if isinstance(data.get("text"), str):
        data["text"] = mask_pii(data["text"])
    parse_data = data.get("parse_data")
    if isinstance(parse_data, dict):
        if isinstance(parse_data.get("text"), str):
            parse_data["text"] = mask_pii(parse_data["text"])
        for entity in parse_data.get("entities") or []:
            if isinstance(entity, dict) and isinstance(entity.get("value"), str):
                entity["value"] = mask_pii(entity["value"])
    if data.get("event") == "slot" and isinstance(data.get("value"), str):
        data["value"] = mask_pii(data["value"])
    return data


def _row(sender_id: Text, event: Any) -> dict[str, Any]:
    data = _minimised(event.as_dict())
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": (data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }
