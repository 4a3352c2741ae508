"""Settings of the knowledge library (environment variables, with defaults that run offline)."""
from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
DATA_DIR = PACKAGE_DIR / "data"


class KnowledgeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    assistant_today: date | None = None
    """ASSISTANT_TODAY=YYYY-MM-DD overrides today's date (tests, demos)."""
    var_dir: Path = REPO_DIR / "var"
    """VAR_DIR: runtime files (models, indexes, databases)."""
    data_dir: Path = Field(default=DATA_DIR, validation_alias="KNOWLEDGE_DATA_DIR")
    """KNOWLEDGE_DATA_DIR: the folder of program files and cleaned sources (programs/, sources/).
    Default: the package's own data."""
    embedding_model: str = ""
    """EMBEDDING_MODEL: a sentence-transformers model name or path (e.g. BAAI/bge-small-zh-v1.5).
    Empty: the small model the project trains from its own knowledge base under VAR_DIR."""

    @property
    def trained_embedding_dir(self) -> Path:
        return self.var_dir / "models" / "embedding"

    exports_dir_override: Path | None = Field(default=None, validation_alias="EXPORTS_DIR")
    """EXPORTS_DIR: where filled forms are exported (default VAR_DIR/exports); the action server
    writes there and the gateway serves from there, so both must see the same directory."""

    @property
    def exports_dir(self) -> Path:
        """Filled forms exported as documents, one directory per unguessable download token."""
        return self.exports_dir_override or self.var_dir / "exports"

    def embedding_model_location(self) -> str:
        return self.embedding_model or str(self.trained_embedding_dir)


@lru_cache
def get_settings() -> KnowledgeSettings:
    return KnowledgeSettings()
