"""`python -m gateway.retention purge`: personal data older than the retention period is deleted
from real SQLite files (the gateway's database, Rasa's tracker store) and the exported forms;
newer data, open handoffs and conversations still in use stay."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import insert

from persistence.database import all_models, create_db_engine, upgrade_database
from gateway.settings import REPO_ROOT

NOW = datetime.now(timezone.utc)
OLD, RECENT = NOW - timedelta(days=200), NOW - timedelta(days=10)

# Rasa 3.6's SQLTrackerStore table (rasa/core/tracker_store.py, SQLEvent)
TRACKER_SCHEMA = """CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL,
type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"""


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    db_path, tracker_path, exports = tmp_path / "assistant.db", tmp_path / "tracker.db", tmp_path / "exports"
    engine = create_db_engine(f"sqlite:///{db_path}")
    upgrade_database(engine)
    t = all_models().tables
    with engine.begin() as db:
        db.execute(insert(t["conversations"]), [
            {"session_id": "old", "channel": "web", "created_at": OLD, "updated_at": OLD},
            {"session_id": "wx-oOld", "channel": "wechat", "created_at": OLD, "updated_at": OLD},
            {"session_id": "mixed", "channel": "web", "created_at": OLD, "updated_at": RECENT},
            {"session_id": "waiting", "channel": "web", "created_at": OLD, "updated_at": OLD},
        ])
        db.execute(insert(t["messages"]), [
            {"session_id": "old", "sender": "user", "text": "我的电话13812345678", "created_at": OLD},
            {"session_id": "old", "sender": "bot", "text": "好的", "created_at": OLD},
            {"session_id": "wx-oOld", "sender": "user", "text": "你好", "created_at": OLD},
            {"session_id": "mixed", "sender": "user", "text": "旧问题", "created_at": OLD},
            {"session_id": "mixed", "sender": "user", "text": "新问题", "created_at": RECENT},
            {"session_id": "waiting", "sender": "user", "text": "转人工", "created_at": OLD},
        ])
        db.execute(insert(t["applicant_tokens"]), [
            {"session_id": "old", "token_hash": "h" * 64, "created_at": OLD},
            {"session_id": "web-issued-never-used", "token_hash": "i" * 64, "created_at": OLD},
            {"session_id": "web-issued-just-now", "token_hash": "j" * 64, "created_at": RECENT},
        ])
        db.execute(insert(t["wechat_menus"]), [{"openid": "oOld", "buttons": [], "updated_at": OLD}])
        db.execute(insert(t["handoffs"]), [
            {"id": 1, "session_id": "old", "status": "closed", "reason": "user", "question": "电话13812345678",
             "requested_at": OLD, "ended_at": OLD},
            {"id": 2, "session_id": "waiting", "status": "waiting", "reason": "user", "question": "还在等",
             "requested_at": OLD, "ended_at": None},
        ])
        db.execute(insert(t["handoff_ratings"]), [{"handoff_id": 1, "session_id": "old", "score": 5, "created_at": OLD}])
        db.execute(insert(t["form_drafts"]), [
            {"code": "OLDC0DE2", "sender_id": "old", "program": "sh5g", "status": "done", "data": {"phone": "13812345678"},
             "document_token": "tok-old", "created_at": OLD, "updated_at": OLD},
            {"code": "NEWC0DE3", "sender_id": "mixed", "program": "sh5g", "status": "fields", "data": {},
             "document_token": "tok-new", "created_at": OLD, "updated_at": RECENT},
        ])
        db.execute(insert(t["staff_login_attempts"]), [
            {"username": "li", "client": "10.0.0.1", "succeeded": False, "at": OLD},
            {"username": "li", "client": "10.0.0.1", "succeeded": True, "at": RECENT},
        ])
    engine.dispose()

    with sqlite3.connect(tracker_path) as tracker:
        tracker.execute(TRACKER_SCHEMA)
        tracker.executemany(
            "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, ?, ?)",
            [("old", "user", OLD.timestamp(), json.dumps({"text": "13812345678"})),
             ("old", "bot", OLD.timestamp(), json.dumps({"text": "好的"})),
             ("mixed", "user", RECENT.timestamp(), json.dumps({"text": "新问题"}))],
        )
    for token, when in (("tok-old", RECENT), ("tok-new", RECENT), ("tok-stale", OLD)):
        folder = exports / token
        folder.mkdir(parents=True)
        (folder / "申报书.docx").write_bytes(b"docx")
        os.utime(folder / "申报书.docx", (when.timestamp(), when.timestamp()))
        os.utime(folder, (when.timestamp(), when.timestamp()))
    return {"db": db_path, "tracker": tracker_path, "exports": exports}


def run_purge(files: dict[str, Path], *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{files['db']}", "RASA_TRACKER_DB": str(files["tracker"]),
           "EXPORTS_DIR": str(files["exports"]), "RETENTION_DAYS": "180"}
    return subprocess.run([sys.executable, "-m", "gateway.retention", "purge", *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=True)


def rows(path: Path, query: str) -> list[tuple]:
    with sqlite3.connect(path) as connection:
        return connection.execute(query).fetchall()


def test_purge_deletes_what_is_older_than_the_retention_and_keeps_the_rest(files):
    output = run_purge(files).stdout

    assert "deleted what is older than" in output
    for line in ("messages: 4", "conversations: 2", "handoffs: 1", "handoff ratings: 1", "form drafts: 1",
                 "exported forms: 2", "rasa tracker events: 2", "staff login attempts: 1"):
        assert f"  {line}\n" in output, output
    db = files["db"]
    assert rows(db, "SELECT session_id, text FROM messages ORDER BY id") == [("mixed", "新问题"), ("waiting", "转人工")]
    assert rows(db, "SELECT session_id FROM conversations ORDER BY session_id") == [("mixed",), ("waiting",)]
    assert rows(db, "SELECT id, status FROM handoffs") == [(2, "waiting")]  # open: kept whatever its age
    assert rows(db, "SELECT count(*) FROM handoff_ratings") == [(0,)]
    # the old conversation's token and an old one never used go; one just issued stays
    assert rows(db, "SELECT session_id FROM applicant_tokens") == [("web-issued-just-now",)]
    assert "  unused session tokens: 1\n" in output
    assert rows(db, "SELECT count(*) FROM wechat_menus") == [(0,)]
    assert rows(db, "SELECT code FROM form_drafts") == [("NEWC0DE3",)]
    assert rows(db, "SELECT count(*) FROM staff_login_attempts") == [(1,)]
    assert rows(files["tracker"], "SELECT sender_id FROM events") == [("mixed",)]
    assert sorted(p.name for p in files["exports"].iterdir()) == ["tok-new"]
    dump = "".join(str(r) for table in ("messages", "handoffs", "form_drafts")
                   for r in rows(db, f"SELECT * FROM {table}"))
    assert "13812345678" not in dump


def test_dry_run_counts_and_deletes_nothing(files):
    before = rows(files["db"], "SELECT count(*) FROM messages") + rows(files["tracker"], "SELECT count(*) FROM events")
    output = run_purge(files, "--dry-run").stdout
    assert "would delete" in output and "  messages: 4\n" in output and "  rasa tracker events: 2\n" in output
    after = rows(files["db"], "SELECT count(*) FROM messages") + rows(files["tracker"], "SELECT count(*) FROM events")
    assert before == after
    assert len(list(files["exports"].iterdir())) == 3


def test_days_option_overrides_the_setting(files):
    output = run_purge(files, "--days", "5").stdout
    assert "  messages: 5\n" in output and "  rasa tracker events: 3\n" in output
    assert rows(files["db"], "SELECT text FROM messages") == [("转人工",)]  # its handoff is still open


def test_days_below_one_is_refused_with_a_message(files):
    with pytest.raises(subprocess.CalledProcessError) as refused:
        run_purge(files, "--days", "0")
    assert "至少为1" in refused.value.stderr
