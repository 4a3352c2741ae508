"""Database engine, sessions and schema migrations (SQLAlchemy 2, sync engine, Alembic)."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

def all_models() -> MetaData:
    """The metadata of every table of the database (Alembic's autogenerate and the schema test
    need all of them): the modules that declare tables on ``persistence.models.Base``."""
    from persistence import drafts, helpdesk_models, idempotency, models, wechat  # noqa: F401  (they import this module)

    return models.Base.metadata


def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL, or None for in-memory databases."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def create_db_engine(url: str) -> Engine:
    """Engine for ``url``; for SQLite: creates the parent directory, WAL mode, cheap commits."""
    if not _is_sqlite(url):
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)

    path = _sqlite_file(url)
    kwargs: dict = {"connect_args": {"check_same_thread": False, "timeout": 30}}
    if path is None:
        kwargs["poolclass"] = StaticPool  # one shared in-memory database
    else:
        path.expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
        cursor = dbapi_connection.cursor()
        if path is not None:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def alembic_config(url: str | None = None) -> Config:
    """Alembic configuration that needs no alembic.ini (works from any working directory)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade_database(engine: Engine) -> None:
    """Run ``alembic upgrade heads`` on ``engine`` (creates the tables on a fresh database)."""
    cfg = alembic_config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "heads")
    log.info("database schema is at head (%s)", engine.url.render_as_string(hide_password=True))


def main() -> None:
    """``python -m persistence.database``: bring DATABASE_URL's schema up to date (the stack runs this once
    before starting the gateway and the action server, which both use the database)."""
    from persistence.settings import get_store_settings as get_settings

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    engine = create_db_engine(get_settings().database_url)
    try:
        upgrade_database(engine)
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
