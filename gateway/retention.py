"""Retention of personal data: what applicants wrote is kept ``RETENTION_DAYS`` (default 180), then
purged by ``python -m gateway.retention purge [--days N] [--dry-run]`` (``make purge``; run it daily
from cron or a systemd timer).

Purged when older than the cut-off:
- messages (``created_at``) but those of a conversation with an open handoff, and
  conversations with no message left, with their session tokens and WeChat menus;
- handoffs that are over (``ended_at``, else ``requested_at``): the question and the resolution,
  with their ratings; open handoffs stay whatever their age;
- form drafts (``updated_at``) and the exported ``.docx`` of each (``EXPORTS_DIR/<token>``), and
  any export folder last written before the cut-off;
- Rasa's tracker events (``timestamp``) in ``RASA_TRACKER_DB``: the user's texts, slots and
  intents of each turn;
- WeChat de-duplication rows and staff login attempts (client addresses).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, delete, func, select, text
from sqlalchemy.sql import Delete, Select

from persistence.database import all_models, create_db_engine, upgrade_database
from gateway.settings import REPO_ROOT, get_settings


@dataclass
class PurgeReport:
    cutoff: datetime
    dry_run: bool
    counts: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        verb = "would delete" if self.dry_run else "deleted"
        head = f"retention: {verb} what is older than {self.cutoff:%Y-%m-%d %H:%M} UTC"
        return [head] + [f"  {name}: {count}" for name, count in self.counts.items()]


def _count_then_delete(connection: Connection, where: Select, deletion: Delete, dry_run: bool) -> int:
    count = connection.execute(select(func.count()).select_from(where.subquery())).scalar_one()
    if count and not dry_run:
        connection.execute(deletion)
    return int(count)


def purge_gateway_database(engine: Engine, cutoff: datetime, *, dry_run: bool) -> tuple[dict[str, int], list[str]]:
    """Deletes what is older than ``cutoff`` in the gateway's database, in one transaction; returns
    the counts and the download tokens of the purged drafts."""
    tables = all_models().tables
    messages, conversations = tables["messages"], tables["conversations"]
    handoffs, ratings = tables["handoffs"], tables["handoff_ratings"]
    drafts, tokens, menus = tables["form_drafts"], tables["applicant_tokens"], tables["wechat_menus"]
    inbound, attempts = tables["wechat_inbound"], tables["staff_login_attempts"]
    counts: dict[str, int] = {}

    with engine.begin() as db:
        open_handoff_sessions = select(handoffs.c.session_id).where(handoffs.c.status.in_(("waiting", "active")))
        # staff read the transcript of an open handoff: it stays until the handoff is over
        old_messages = (messages.c.created_at < cutoff) & messages.c.session_id.not_in(open_handoff_sessions)
        counts["messages"] = _count_then_delete(
            db, select(messages.c.id).where(old_messages), delete(messages).where(old_messages), dry_run
        )

        handoff_end = func.coalesce(handoffs.c.ended_at, handoffs.c.requested_at)
        over = handoffs.c.status.not_in(("waiting", "active")) & (handoff_end < cutoff)
        old_handoff_ids = select(handoffs.c.id).where(over)
        counts["handoff ratings"] = _count_then_delete(
            db, select(ratings.c.id).where(ratings.c.handoff_id.in_(old_handoff_ids)),
            delete(ratings).where(ratings.c.handoff_id.in_(old_handoff_ids)), dry_run,
        )
        counts["handoffs"] = _count_then_delete(db, old_handoff_ids, delete(handoffs).where(over), dry_run)

        still_used = select(messages.c.session_id).where(~old_messages).union(
            select(handoffs.c.session_id).where(~over)
        )
        gone = (conversations.c.updated_at < cutoff) & conversations.c.session_id.not_in(still_used)
        gone_ids = [row[0] for row in db.execute(select(conversations.c.session_id).where(gone))]
        counts["conversations"] = len(gone_ids)
        if gone_ids and not dry_run:
            for chunk in _chunks(gone_ids, 500):
                db.execute(delete(tokens).where(tokens.c.session_id.in_(chunk)))
                openids = [session_id.removeprefix("wx-") for session_id in chunk if session_id.startswith("wx-")]
                db.execute(delete(menus).where(menus.c.openid.in_(openids)))
                db.execute(delete(conversations).where(conversations.c.session_id.in_(chunk)))
        # sessions issued (POST /api/session) but never used: no conversation ever started
        unused = (tokens.c.created_at < cutoff) & tokens.c.session_id.not_in(select(conversations.c.session_id))
        counts["unused session tokens"] = _count_then_delete(
            db, select(tokens.c.session_id).where(unused), delete(tokens).where(unused), dry_run
        )

        old_drafts = drafts.c.updated_at < cutoff
        document_tokens = [row[0] for row in db.execute(select(drafts.c.document_token).where(old_drafts)) if row[0]]
        counts["form drafts"] = _count_then_delete(
            db, select(drafts.c.code).where(old_drafts), delete(drafts).where(old_drafts), dry_run
        )

        old_inbound = inbound.c.created_at < cutoff
        counts["wechat inbound"] = _count_then_delete(
            db, select(inbound.c.dedupe_key).where(old_inbound), delete(inbound).where(old_inbound), dry_run
        )
        old_attempts = attempts.c.at < cutoff
        counts["staff login attempts"] = _count_then_delete(
            db, select(attempts.c.id).where(old_attempts), delete(attempts).where(old_attempts), dry_run
        )
    return counts, document_tokens


def purge_tracker_store(location: str, cutoff: datetime, *, dry_run: bool) -> int | None:
    """Deletes Rasa's tracker events older than ``cutoff``; None when there is no tracker store."""
    if "://" in location:
        engine = create_engine(location)
    else:
        path = Path(location)
        if not path.is_file():
            return None
        engine = create_engine(f"sqlite:///{path.resolve()}")
    try:
        with engine.begin() as db:
            epoch = {"cutoff": cutoff.timestamp()}
            count = db.execute(text("SELECT count(*) FROM events WHERE timestamp < :cutoff"), epoch).scalar_one()
            if count and not dry_run:
                db.execute(text("DELETE FROM events WHERE timestamp < :cutoff"), epoch)
    finally:
        engine.dispose()
    return int(count)


def purge_exports(exports_dir: Path, document_tokens: Iterable[str], cutoff: datetime, *, dry_run: bool) -> int:
    """Deletes the export folders of purged drafts and those last written before ``cutoff``."""
    if not exports_dir.is_dir():
        return 0
    purged_tokens = set(document_tokens)
    folders = [
        folder for folder in exports_dir.iterdir()
        if folder.is_dir() and (folder.name in purged_tokens or _last_written(folder) < cutoff.timestamp())
    ]
    if not dry_run:
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)
    return len(folders)


def purge(days: int, *, dry_run: bool = False, now: datetime | None = None) -> PurgeReport:
    """Purges everything older than ``days`` days from the gateway database, Rasa's tracker store
    and the exported forms, as configured by the environment (``DATABASE_URL``, ``RASA_TRACKER_DB``,
    ``EXPORTS_DIR``)."""
    from knowledge.settings import get_settings as knowledge_settings  # noqa: PLC0415

    settings = get_settings()
    cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=days)
    report = PurgeReport(cutoff=cutoff, dry_run=dry_run)

    engine = create_db_engine(settings.database_url)
    try:
        upgrade_database(engine)
        counts, document_tokens = purge_gateway_database(engine, cutoff, dry_run=dry_run)
    finally:
        engine.dispose()
    report.counts.update(counts)
    report.counts["exported forms"] = purge_exports(
        knowledge_settings().exports_dir, document_tokens, cutoff, dry_run=dry_run
    )
    tracker_events = purge_tracker_store(_tracker_location(settings.rasa_tracker_db), cutoff, dry_run=dry_run)
    if tracker_events is not None:
        report.counts["rasa tracker events"] = tracker_events
    return report


def _tracker_location(configured: str) -> str:
    return configured or str(REPO_ROOT / "var" / "db" / "rasa_tracker.db")  # where `make run` puts it


def _last_written(folder: Path) -> float:
    return max([folder.stat().st_mtime] + [item.stat().st_mtime for item in folder.rglob("*")])


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gateway.retention", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    purge_command = commands.add_parser("purge", help="delete personal data older than the retention period")
    purge_command.add_argument("--days", type=int, default=None, help="retention in days (default RETENTION_DAYS)")
    purge_command.add_argument("--dry-run", action="store_true", help="only count what would be deleted")
    args = parser.parse_args(argv)

    days = args.days if args.days is not None else get_settings().retention_days
    if days < 1:
        parser.error("--days 至少为1 / must be at least 1")
    report = purge(days, dry_run=args.dry_run)
    print("\n".join(report.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
