"""Rasa's tracker store (rasa_extensions/tracker_store.py) shared by two Rasa replicas: each one
keeps the conversations it served in memory, so a replica must notice that the other one has
answered since, or it would answer from a stale conversation (a slot, a form step, the last
question forgotten). Run in Rasa's own environment (.venv-rasa), two store instances on one database."""
from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RASA_PYTHON = REPO / ".venv-rasa" / "bin" / "python"

SCRIPT = textwrap.dedent("""
    import asyncio, sys, tempfile
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet, UserUttered
    from rasa_extensions.tracker_store import CachedSQLTrackerStore

    def said(tracker):
        return [event.text for event in tracker.events if isinstance(event, UserUttered)]

    async def main():
        database = tempfile.mkdtemp() + "/tracker.db"
        domain = Domain.from_dict({"slots": {"program": {"type": "text", "mappings": [{"type": "custom"}]}}})
        replica_1, replica_2 = (CachedSQLTrackerStore(domain, dialect="sqlite", db=database) for _ in range(2))
        tracker = await replica_1.get_or_create_tracker("s1")
        tracker.update(UserUttered("上海的呢")); tracker.update(SlotSet("program", "sh5g"))
        await replica_1.save(tracker)
        tracker = await replica_2.retrieve("s1")
        tracker.update(UserUttered("国家的呢")); tracker.update(SlotSet("program", "nat5g"))
        await replica_2.save(tracker)
        tracker = await replica_1.retrieve("s1")  # served from replica 1's memory before
        print(said(tracker), tracker.get_slot("program"))
        assert said(tracker) == ["上海的呢", "国家的呢"] and tracker.get_slot("program") == "nat5g"
        tracker.update(UserUttered("材料几份"))
        await replica_1.save(tracker)
        tracker = await replica_2.retrieve("s1")
        assert said(tracker) == ["上海的呢", "国家的呢", "材料几份"], said(tracker)

    asyncio.run(main())
""")


def test_a_replica_sees_the_turns_another_replica_saved():
    result = subprocess.run([str(RASA_PYTHON), "-c", SCRIPT], cwd=REPO, capture_output=True, text=True, timeout=300,
                            env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
