"""Logging with personal data kept out: every record of the process is masked when it is created
(``knowledge.privacy``), and the request lines of uvicorn's access log show no query values but
harmless ones (no search text, no WeChat signature, nonce or echostr) and no download tokens."""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import unquote_plus

from knowledge.privacy import PiiMaskingFilter, install_record_masking

LOG_FORMAT = "%(asctime)s %(levelname)s [%(name)s] %(message)s"

# Query parameters whose values say nothing about a person and help reading the log.
LOGGED_QUERY_KEYS = frozenset({"program", "topic", "top_k", "after", "limit", "timestamp", "encrypt_type"})
HIDDEN = "***"
_DOWNLOAD_TOKEN = re.compile(r"(?<=/files/)[^/?#]+")


def loggable_request_path(path: str) -> str:
    """``path`` (with its query) as a log may show it: values of query parameters other than
    ``LOGGED_QUERY_KEYS`` and the token of ``/files/<token>`` replaced by ``***``."""
    route, has_query, query = path.partition("?")
    route = _DOWNLOAD_TOKEN.sub(HIDDEN, route)
    if not has_query:
        return route
    shown = []
    for pair in query.split("&"):
        key, has_value, value = pair.partition("=")
        if unquote_plus(key) in LOGGED_QUERY_KEYS:
            shown.append(pair)
        elif has_value:
            shown.append(f"{key}={HIDDEN if value else ''}")
        else:
            shown.append(HIDDEN if key else "")
    return f"{route}?{'&'.join(shown)}"


class RequestPathFilter(logging.Filter):
    """Minimises the request path of uvicorn's access and WebSocket lines (an argument starting
    with "/"); other records pass unchanged."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("uvicorn") and isinstance(record.args, tuple):
            record.args = tuple(
                loggable_request_path(arg) if isinstance(arg, str) and arg.startswith("/") else arg
                for arg in record.args
            )
        return True


def install_pii_masking() -> None:
    """Mask every log record of the process at creation, and put the masking filter on the root
    logger's handlers as well (records made by ``logging.makeLogRecord`` skip the factory)."""
    install_record_masking()
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, PiiMaskingFilter) for f in handler.filters):
            handler.addFilter(PiiMaskingFilter())


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
    """uvicorn's default logging config with the masking and request-path filters on every
    handler; the app's own records go to uvicorn's default handler, which drops records below
    ``level``. Building it installs the record masking, so uvicorn's first lines are masked too."""
    from uvicorn.config import LOGGING_CONFIG

    install_record_masking()
    handlers = {
        name: {**handler, "filters": ["pii", "request_path"], "level": level.upper()}
        for name, handler in LOGGING_CONFIG["handlers"].items()
    }
    config: dict[str, Any] = {
        **LOGGING_CONFIG,
        "filters": {
            "pii": {"()": "knowledge.privacy.PiiMaskingFilter"},
            "request_path": {"()": "gateway.logging_setup.RequestPathFilter"},
        },
        "handlers": handlers,
        "root": {"handlers": ["default"], "level": "WARNING"},
    }
    return config
