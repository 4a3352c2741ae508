"""Access to the knowledge library (``knowledge.api.get_search_knowledge``), loaded once, off the event loop.

The gateway only needs three calls, described by :class:`KnowledgeService`. Tests replace the
provider through ``app.dependency_overrides[get_knowledge_provider]`` or ``create_app(knowledge_loader=...)``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from starlette.concurrency import run_in_threadpool

log = logging.getLogger(__name__)


class KnowledgeService(Protocol):
    def search_faq(self, query: str, program: str | None = None, top_k: int = 5) -> Sequence[Any]: ...

    def helpdesk_contacts_text(self) -> str: ...

    def program_keys(self) -> list[str]: ...


class KnowledgeUnavailable(Exception):
    """The knowledge base could not be loaded."""


def load_default_knowledge() -> KnowledgeService:
    from knowledge.api import get_search_knowledge  # imported lazily: heavy, and optional for the chat path

    return get_search_knowledge()


class KnowledgeProvider:
    """Loads the knowledge service once (in a worker thread) and hands it out.

    A failed load is retried on a later request, but not more often than every
    ``retry_after_seconds``.
    """

    def __init__(
        self,
        loader: Callable[[], KnowledgeService] = load_default_knowledge,
        retry_after_seconds: float = 30.0,
    ) -> None:
        self._loader = loader
        self._retry_after = retry_after_seconds
        self._service: KnowledgeService | None = None
        self._task: asyncio.Task[KnowledgeService] | None = None
        self._failed_at: float | None = None
        self._last_error = ""

    @property
    def loaded(self) -> bool:
        return self._service is not None

    async def _load(self) -> KnowledgeService:
        try:
            service = await run_in_threadpool(self._loader)
        except Exception as exc:
            log.exception("knowledge base failed to load")
            self._failed_at = time.monotonic()
            self._last_error = f"{type(exc).__name__}: {exc}"
            raise KnowledgeUnavailable(self._last_error) from exc
        self._service = service
        log.info("knowledge base loaded")
        return service

    def _loading(self) -> asyncio.Task[KnowledgeService]:
        """The running load, starting one if needed (at most one at a time)."""
        if self._task is not None and not self._task.done():
            return self._task
        if self._failed_at is not None and time.monotonic() - self._failed_at < self._retry_after:
            raise KnowledgeUnavailable(self._last_error)
        task = asyncio.ensure_future(self._load())
        task.add_done_callback(lambda t: t.cancelled() or t.exception())  # never "unretrieved"
        self._task = task
        return task

    async def get(self) -> KnowledgeService:
        """The knowledge service; raises KnowledgeUnavailable if it cannot be loaded."""
        if self._service is not None:
            return self._service
        return await asyncio.shield(self._loading())

    async def warm_up(self) -> None:
        """Load now (at startup); failures are logged, and retried on a later request."""
        try:
            await self.get()
        except KnowledgeUnavailable:
            pass

    async def helpdesk_contacts_text(self, wait_seconds: float = 3.0) -> str:
        """Helpdesk contacts for fallback replies, or "" if the knowledge base is not available
        within ``wait_seconds`` (loading then continues in the background)."""
        try:
            service = self._service
            if service is None:
                service = await asyncio.wait_for(asyncio.shield(self._loading()), wait_seconds)
            return service.helpdesk_contacts_text() or ""
        except (KnowledgeUnavailable, asyncio.TimeoutError):
            return ""
        except Exception:
            log.exception("helpdesk contacts unavailable")
            return ""
