"""What the persistence layer reads from the environment (pydantic-settings): the database and
the limits its stores enforce. Every process that opens the database (gateway, action server,
retention CLI) reads these; the gateway's own settings extend them (gateway/settings.py)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE_URL = f"sqlite:///{REPO_ROOT / 'var' / 'db' / 'assistant.db'}"


class StoreSettings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL, e.g. sqlite:///var/db/assistant.db or postgresql+psycopg://user:pw@host/db",
    )
    # Resume codes (persistence/drafts.py): failed “继续填写 <code>” attempts allowed per
    # conversation and per client address in a sliding window; beyond them even a right code waits.
    resume_failures_per_session: int = Field(default=5, ge=1)
    resume_failures_per_client: int = Field(default=20, ge=1)
    resume_lock_minutes: float = Field(default=15.0, gt=0)


@lru_cache
def get_store_settings() -> StoreSettings:
    """Read once per process."""
    return StoreSettings()
