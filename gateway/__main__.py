"""``python -m gateway``: serve the gateway with uvicorn on GATEWAY_HOST:GATEWAY_PORT."""

from __future__ import annotations

import uvicorn

from gateway.logging_setup import uvicorn_log_config
from gateway.settings import get_settings


def main() -> None:
    settings = get_settings()
    uvicorn.run(
        "gateway.app:app",
        host=settings.gateway_host,
        port=settings.gateway_port,
        log_config=uvicorn_log_config(settings.log_level),
        log_level=settings.log_level.lower(),
    )


if __name__ == "__main__":
    main()
