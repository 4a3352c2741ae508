"""What the dialogue engine knows of a conversation, for the staff console: the last intents
recognised and the form in progress (slots filled so far, the field being asked).

Read-only queries on Rasa's SQL tracker store (table ``events``; a SQLite file by default,
``RASA_TRACKER_DB``). When it cannot be read, the console shows the transcript without it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text

log = logging.getLogger(__name__)

EVENTS_LIMIT = 400
INTENTS_SHOWN = 5
HIDDEN_SLOTS = frozenset({"requested_slot", "session_started_metadata"})


@dataclass
class DialogueState:
    available: bool = False
    intents: list[dict[str, Any]] = field(default_factory=list)  # newest first: {"name", "confidence"}
    active_form: str | None = None
    requested_slot: str | None = None
    slots: dict[str, Any] = field(default_factory=dict)


def _data(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        value = json.loads(raw or "{}")
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def fold_events(rows: list[tuple[str, str | None, Any]]) -> DialogueState:
    """Rows (type_name, intent_name, data), newest first, into the state shown to staff."""
    state = DialogueState(available=True)
    seen_slots: set[str] = set()
    loop_seen = False
    for type_name, intent_name, raw in rows:
        if type_name == "user" and len(state.intents) < INTENTS_SHOWN and intent_name:
            confidence = _data(raw).get("parse_data", {}).get("intent", {}).get("confidence")
            state.intents.append({"name": intent_name, "confidence": round(float(confidence), 3) if confidence else None})
        elif type_name == "slot":
            data = _data(raw)
            name = data.get("name")
            if isinstance(name, str) and name not in seen_slots:
                seen_slots.add(name)
                if name == "requested_slot":
                    state.requested_slot = data.get("value") if isinstance(data.get("value"), str) else None
                elif name not in HIDDEN_SLOTS and data.get("value") not in (None, "", []):
                    state.slots[name] = data.get("value")
        elif type_name == "active_loop" and not loop_seen:
            loop_seen = True
            name = _data(raw).get("name")
            state.active_form = name if isinstance(name, str) else None
    if state.active_form is None:
        state.requested_slot = None
    return state


class TrackerReader:
    def __init__(self, location: str) -> None:
        self._location = location

    @cached_property
    def _engine(self) -> Engine | None:
        location = self._location
        if "://" in location:
            return create_engine(location, pool_pre_ping=True)
        path = Path(location)
        if not path.is_file():
            return None
        # read-only: never creates or changes Rasa's database
        return create_engine(f"sqlite:///file:{path.resolve()}?mode=ro&uri=true")

    def state(self, session_id: str) -> DialogueState:
        engine = self._engine
        if engine is None:
            return DialogueState()
        try:
            with engine.connect() as conn:
                rows = conn.execute(
                    text("SELECT type_name, intent_name, data FROM events WHERE sender_id = :sender "
                         "ORDER BY id DESC LIMIT :limit"),
                    {"sender": session_id, "limit": EVENTS_LIMIT},
                ).all()
        except Exception as exc:
            log.warning("Rasa tracker store unreadable: %s", type(exc).__name__)
            return DialogueState()
        return fold_events([(r[0], r[1], r[2]) for r in rows])
