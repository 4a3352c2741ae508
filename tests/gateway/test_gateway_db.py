"""Schema migrations and settings: a fresh database gets its tables, from the app or the alembic CLI."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect

from gateway.app import create_app
from persistence.database import all_models, create_db_engine, upgrade_database
from gateway.settings import DEFAULT_DATABASE_URL, REPO_ROOT, Settings, get_settings

EXPECTED_TABLES = set(all_models().tables) | {"alembic_version"}


def test_every_feature_has_its_tables():
    assert {"conversations", "messages", "form_drafts", "wechat_inbound", "handoffs", "staff"} <= EXPECTED_TABLES


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_app_startup_creates_directory_and_tables(tmp_path, settings, servers):
    url = f"sqlite:///{tmp_path / 'fresh' / 'nested' / 'assistant.db'}"
    app = create_app(settings.model_copy(update={"database_url": url}))
    with TestClient(app):
        pass
    assert (tmp_path / "fresh" / "nested" / "assistant.db").is_file()
    assert tables(url) == EXPECTED_TABLES
    engine = create_engine(url)
    columns = {c["name"] for c in inspect(engine).get_columns("messages")}
    indexes = {i["name"] for i in inspect(engine).get_indexes("messages")}
    engine.dispose()
    assert {"id", "session_id", "sender", "text", "buttons", "citations", "created_at"} <= columns
    assert "ix_messages_session_id" in indexes


def test_startup_twice_is_harmless(settings):
    for _ in range(2):
        with TestClient(create_app(settings)):
            pass
    assert tables(settings.database_url) == EXPECTED_TABLES


def test_migrations_match_the_models(tmp_path):
    engine = create_db_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade_database(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), all_models())
    engine.dispose()
    assert diff == []


def test_alembic_cli_config_takes_url_from_settings(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli' / 'assistant.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        cfg = Config(str(REPO_ROOT / "alembic.ini"))
        cfg.attributes["configure_logger"] = False
        command.upgrade(cfg, "head")
        assert tables(url) == EXPECTED_TABLES
        command.downgrade(cfg, "base")
        assert tables(url) == {"alembic_version"}
    finally:
        get_settings.cache_clear()


def test_in_memory_sqlite_works():
    engine = create_db_engine("sqlite://")
    upgrade_database(engine)
    assert {"conversations", "messages"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_settings_from_environment(monkeypatch):
    monkeypatch.setenv("RASA_URL", "http://rasa.internal:5005/")
    monkeypatch.setenv("ACTION_SERVER_URL", "http://actions.internal:5055")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u:p@db/assistant")
    monkeypatch.setenv("GATEWAY_PORT", "9000")
    monkeypatch.setenv("MAX_MESSAGE_CHARS", "500")
    monkeypatch.setenv("RASA_TIMEOUT_SECONDS", "5")
    settings = Settings()
    assert settings.rasa_url == "http://rasa.internal:5005"
    assert settings.action_server_url == "http://actions.internal:5055"
    assert settings.database_url == "postgresql+psycopg://u:p@db/assistant"
    assert (settings.gateway_host, settings.gateway_port) == ("127.0.0.1", 9000)
    assert settings.max_message_chars == 500 and settings.rasa_timeout_seconds == 5


def test_default_database_is_under_var_db(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert Settings().database_url == DEFAULT_DATABASE_URL
    assert DEFAULT_DATABASE_URL.endswith(str(Path("var") / "db" / "assistant.db"))


def test_max_message_chars_is_configurable(settings, servers):
    app = create_app(settings.model_copy(update={"max_message_chars": 10}))
    with TestClient(app) as client:
        response = client.post("/api/chat", json={"session_id": "s1", "text": "一二三四五六七八九十一"})
    assert response.status_code == 413
    assert response.json() == {"detail": "消息过长，请控制在10字以内"}
