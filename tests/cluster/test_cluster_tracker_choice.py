"""`make cluster`'s tracker store is a setting: RASA_TRACKER_STORE_TYPE, substituted by Rasa into
scripts/cluster_endpoints.yml (the one endpoints file, no copy). Unset, Rasa builds our cached
store (masked events); `sql`, Rasa's stock SQL store. Checked the way Rasa itself reads the file,
with the environment scripts/cluster.py gives each replica set, on a real PostgreSQL: the store
Rasa builds saves a turn, and the row it wrote shows which store it was."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import psycopg
import pytest

REPO = Path(__file__).resolve().parents[2]
RASA_PYTHON = REPO / ".venv-rasa" / "bin" / "python"
sys.path.insert(0, str(REPO / "tests" / "helpdesk"))
from pg_server import PostgresServer, running_postgres  # noqa: E402

from cluster import CACHED_TRACKER_STORE, STOCK_SQL_TRACKER_STORE, Cluster, Infra, tracker_store_type  # noqa: E402

PHONE = "13812345678"

# Rasa's own reading of the endpoints file and its own factory (what `rasa run --endpoints` does).
SAVE_ONE_TURN = textwrap.dedent(f"""
    import asyncio, os
    from rasa.core.tracker_store import TrackerStore
    from rasa.core.utils import AvailableEndpoints
    from rasa.shared.core.events import UserUttered

    async def main():
        endpoints = AvailableEndpoints.read_endpoints(os.environ["RASA_ENDPOINTS"])
        store = TrackerStore.create(endpoints.tracker_store)
        store = getattr(store, "_tracker_store", store)  # Rasa's wrapper of a synchronous store, if any
        tracker = await store.get_or_create_tracker("choice-test")
        tracker.update(UserUttered("我的手机{PHONE}，能报名吗"))
        await store.save(tracker)
        print(type(store).__module__ + "." + type(store).__name__)

    asyncio.run(main())
""")


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    with running_postgres() as server:
        yield server


def replica_env(server: PostgresServer, database: str, chosen: str | None) -> dict[str, str]:
    """What scripts/cluster.py passes to a replica set, with RASA_TRACKER_STORE_TYPE as the operator set it."""
    infra = {"postgres": Infra("postgres", None, server.port), "redis": Infra("redis", None, 6379)}
    operator_env = {"RASA_TRACKER_STORE_TYPE": chosen} if chosen else {}
    with mock.patch.dict(os.environ, operator_env):
        if not chosen:
            os.environ.pop("RASA_TRACKER_STORE_TYPE", None)
        env = Cluster(infra=infra).shared_env(rasa_port=5005, actions_port=5055)
    return {**env, "RASA_TRACKER_PG_DB": database}


def save_turn_with(server: PostgresServer, chosen: str | None) -> tuple[str, list[str]]:
    """(the class Rasa built, the stored user texts)."""
    database = server.new_database().rsplit("/", 1)[1]
    env = {**replica_env(server, database, chosen), "PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": str(REPO)}
    result = subprocess.run([str(RASA_PYTHON), "-c", SAVE_ONE_TURN], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    built = result.stdout.strip().splitlines()[-1]
    with psycopg.connect(f"postgresql://{server.user}@127.0.0.1:{server.port}/{database}") as connection:
        texts = [row[0] for row in connection.execute("SELECT data::json->>'text' FROM events WHERE type_name = 'user'")]
    return built, texts


def test_unset_the_cluster_uses_the_cached_store_with_masked_events(postgres: PostgresServer) -> None:
    built, texts = save_turn_with(postgres, None)
    assert built == CACHED_TRACKER_STORE
    assert len(texts) == 1 and PHONE not in texts[0]


def test_sql_gives_rasas_stock_sql_store_on_the_same_database(postgres: PostgresServer) -> None:
    built, texts = save_turn_with(postgres, STOCK_SQL_TRACKER_STORE)
    assert built == "rasa.core.tracker_store.SQLTrackerStore"
    # the stock store writes the turn as said (why it is not the default: events in clear)
    assert len(texts) == 1 and PHONE in texts[0]


@pytest.mark.parametrize("wrong", ["memory", "SQLTrackerStore", "redis"])
def test_any_other_value_is_refused_before_anything_starts(wrong: str) -> None:
    with pytest.raises(ValueError, match="RASA_TRACKER_STORE_TYPE"):
        tracker_store_type({"RASA_TRACKER_STORE_TYPE": wrong})
