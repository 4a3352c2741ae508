"""KnowledgeProvider: loads the knowledge service once, off the event loop, and degrades gracefully."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from gateway.knowledge_service import KnowledgeProvider, KnowledgeUnavailable
from gateway_fakes import FAKE_CONTACTS, FakeKnowledge


def test_concurrent_requests_load_once():
    calls = []

    def loader():
        calls.append(threading.get_ident())
        time.sleep(0.2)
        return FakeKnowledge()

    async def run():
        provider = KnowledgeProvider(loader)
        services = await asyncio.gather(*(provider.get() for _ in range(10)))
        assert len({id(s) for s in services}) == 1
        assert provider.loaded

    asyncio.run(run())
    assert len(calls) == 1
    assert calls[0] != threading.get_ident()  # loaded in a worker thread


def test_failure_is_not_retried_immediately_then_is():
    attempts = []

    def loader():
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("index missing")
        return FakeKnowledge()

    async def run():
        provider = KnowledgeProvider(loader, retry_after_seconds=0.2)
        await provider.warm_up()  # logs, does not raise
        with pytest.raises(KnowledgeUnavailable, match="index missing"):
            await provider.get()
        assert len(attempts) == 1
        await asyncio.sleep(0.3)  # past retry_after_seconds
        assert await provider.helpdesk_contacts_text() == FAKE_CONTACTS

    asyncio.run(run())
    assert len(attempts) == 2


def test_contacts_do_not_wait_for_a_slow_load():
    def slow_loader():
        time.sleep(2.0)
        return FakeKnowledge()

    async def run():
        provider = KnowledgeProvider(slow_loader)
        start = time.perf_counter()
        assert await provider.helpdesk_contacts_text(wait_seconds=0.05) == ""
        assert time.perf_counter() - start < 1.5  # did not wait for the 2 s load
        deadline = time.perf_counter() + 10
        while not provider.loaded and time.perf_counter() < deadline:  # the load goes on in the background
            await asyncio.sleep(0.1)
        assert provider.loaded
        assert await provider.helpdesk_contacts_text(wait_seconds=0.05) == FAKE_CONTACTS

    asyncio.run(run())
