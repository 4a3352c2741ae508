"""Logging with PII masking: phone numbers, e-mails and ID numbers never reach the logs in clear."""

from __future__ import annotations

import logging
from typing import Any

from knowledge.privacy import PiiMaskingFilter

LOG_FORMAT = "%(asctime)s %(levelname)s [%(name)s] %(message)s"

_MASKING_FILTER = PiiMaskingFilter()
_original_factory = logging.getLogRecordFactory()


def _masking_record_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _original_factory(*args, **kwargs)
    _MASKING_FILTER.filter(record)
    return record


def install_pii_masking() -> None:
    """Mask PII in every log record of the process, at creation (before any handler sees it).

    A record factory is used rather than a handler filter so that records from every logger,
    including child loggers and handlers added later (uvicorn's, pytest's), are masked.
    """
    if logging.getLogRecordFactory() is not _masking_record_factory:
        logging.setLogRecordFactory(_masking_record_factory)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, PiiMaskingFilter) for f in handler.filters):
            handler.addFilter(_MASKING_FILTER)


def configure_logging(level: str = "INFO") -> None:
    """Give the app's loggers a handler if none is configured, and install PII masking."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        root.addHandler(handler)
        root.setLevel(logging.WARNING)
    for name in ("gateway", "knowledge", "connectors"):
        logging.getLogger(name).setLevel(level.upper())
    install_pii_masking()


def uvicorn_log_config(level: str = "INFO") -> dict[str, Any]:
    """uvicorn's default logging config with the PII masking filter on every handler; the
    app's own records go to uvicorn's default handler, which drops records below ``level``."""
    from uvicorn.config import LOGGING_CONFIG

    handlers = {
        name: {**handler, "filters": ["pii"], "level": level.upper()}
        for name, handler in LOGGING_CONFIG["handlers"].items()
    }
    config: dict[str, Any] = {
        **LOGGING_CONFIG,
        "filters": {"pii": {"()": "knowledge.privacy.PiiMaskingFilter"}},
        "handlers": handlers,
        "root": {"handlers": ["default"], "level": "WARNING"},
    }
    return config
