"""The Idempotency-Key store (persistence/idempotency.py) without the processes: what a retry gets
while the first copy works, after it finished, and after the gateway working on it died."""
from __future__ import annotations

import asyncio

import pytest

from persistence.database import create_db_engine, make_session_factory, upgrade_database
from persistence.idempotency import IdempotencyStore, IdempotencyTimeout, _digest

KEY = "0f8e4c2a-5b7d-4e1a-9c3f-6d2b8a1e7c40"
LEASE = 0.5


@pytest.fixture
def gateways(tmp_path) -> tuple[IdempotencyStore, IdempotencyStore]:
    """Two gateway processes' stores on one database (private methods stand for a gateway killed mid-request)."""
    engine = create_db_engine(f"sqlite:///{tmp_path / 'assistant.db'}")
    upgrade_database(engine)
    return IdempotencyStore(make_session_factory(engine), LEASE), IdempotencyStore(make_session_factory(engine), LEASE)


def test_a_retry_while_the_first_copy_works_waits_for_its_reply(gateways):
    first, second = gateways
    calls: list[str] = []

    async def slow_work() -> bytes:
        calls.append("first")
        await asyncio.sleep(LEASE * 1.5)  # longer than one lease: it is renewed meanwhile
        return b'{"messages": ["answer"]}'

    async def other_work() -> bytes:
        calls.append("second")
        return b"never"

    async def both() -> tuple:
        original = asyncio.create_task(first.once(KEY, "api-1", slow_work))
        await asyncio.sleep(0.1)
        return await asyncio.gather(original, second.once(KEY, "api-1", other_work))

    original, retried = asyncio.run(both())
    assert original.reply is None and retried.reply == b'{"messages": ["answer"]}'
    assert calls == ["first"]


def test_the_same_key_in_another_conversation_is_another_request(gateways):
    first, _ = gateways

    async def work() -> bytes:
        return b"reply"

    async def run() -> tuple:
        return await first.once(KEY, "api-1", work), await first.once(KEY, "api-2", work)

    assert [outcome.reply for outcome in asyncio.run(run())] == [None, None]


def test_a_retry_takes_the_work_over_when_the_gateway_holding_it_died(gateways):
    first, second = gateways
    assert first._claim(_digest(KEY, None)) is True  # claimed, then killed: never renewed, never finished
    calls: list[str] = []

    async def work() -> bytes:
        calls.append("retry")
        return b"answered by the retry"

    async def run() -> tuple:
        return await second.once(KEY, None, work), await first.once(KEY, None, work)

    took_over, later = asyncio.run(run())
    assert took_over.reply is None and later.reply == b"answered by the retry"
    assert calls == ["retry"]


def test_a_copy_waiting_longer_than_two_leases_gets_a_timeout(gateways):
    first, second = gateways
    assert first._claim(_digest(KEY, None)) is True

    async def work() -> bytes:
        return b""

    async def run() -> None:
        async def keep_alive() -> None:  # the first copy's gateway is alive and renews its lease
            while True:
                await asyncio.sleep(LEASE / 4)
                first._renew(_digest(KEY, None))

        keeper = asyncio.create_task(keep_alive())
        try:
            await second.once(KEY, None, work)
        finally:
            keeper.cancel()

    with pytest.raises(IdempotencyTimeout):
        asyncio.run(run())
