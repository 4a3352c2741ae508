"""A few process-local counters, exposed in Prometheus text format at /metrics."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class Counter:
    name: str
    help: str
    value: int = 0


@dataclass
class Metrics:
    counters: dict[str, Counter] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        for name, help_text in (
            ("gateway_messages_total", "User messages handled by /api/chat."),
            ("gateway_rasa_errors_total", "Chat messages Rasa could not answer (busy reply sent)."),
            ("gateway_route_errors_total", "Chat messages whose routing failed unexpectedly (busy reply sent)."),
            ("gateway_empty_replies_total", "Messages Rasa answered with nothing (e.g. its action server down)."),
            ("gateway_store_errors_total", "Exchanges that could not be written to the database."),
            ("gateway_faq_requests_total", "FAQ searches answered."),
        ):
            self.counters[name] = Counter(name, help_text)

    def inc(self, name: str, amount: int = 1) -> None:
        with self._lock:
            self.counters[name].value += amount

    def value(self, name: str) -> int:
        return self.counters[name].value

    def render(self) -> str:
        lines: list[str] = []
        with self._lock:
            for counter in self.counters.values():
                lines.append(f"# HELP {counter.name} {counter.help}")
                lines.append(f"# TYPE {counter.name} counter")
                lines.append(f"{counter.name} {counter.value}")
        return "\n".join(lines) + "\n"
