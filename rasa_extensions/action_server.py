"""``python -m rasa_extensions.action_server <rasa_sdk arguments>``: rasa-sdk's action server with
personal data masked in the logs of every process it starts (see log_masking.py), served by one
process.

rasa-sdk serves through Sanic's worker manager: the manager imports every action (the knowledge
library with them) and then spawns one worker that imports them all again, plus a resource
tracker: about 220 MB resident for a process that never answers a request. Here the process that
registered the actions serves them itself (Sanic's single-process mode); replicas are further
processes (`make cluster`), not Sanic workers."""
from __future__ import annotations

import os
from typing import Any

from knowledge.privacy import install_record_masking

install_record_masking()  # at import: a process started by this module masks from its first record


def run_in_this_process(action_executor: Any, port: int, cors_origins: Any = "*", ssl_certificate: str | None = None,
                        ssl_keyfile: str | None = None, ssl_password: str | None = None, auto_reload: bool = False,
                        endpoints: str = "endpoints.yml") -> None:
    """rasa_sdk.endpoint.run (same arguments) without the worker manager."""
    from rasa_sdk.endpoint import create_app_for_serve, create_ssl_config
    from sanic import Sanic

    app = create_app_for_serve(action_executor, cors_origins=cors_origins, auto_reload=auto_reload, endpoints=endpoints)
    app.prepare(host=os.environ.get("SANIC_HOST", "0.0.0.0"), port=port,
                ssl=create_ssl_config(ssl_certificate, ssl_keyfile, ssl_password), single_process=True)
    Sanic.serve_single(primary=app)


def main() -> None:
    import rasa_sdk.__main__ as rasa_sdk_main

    # actions/ warms the knowledge base up in the process that serves requests, which Sanic marks
    # with SANIC_WORKER_NAME; here that is this process.
    os.environ.setdefault("SANIC_WORKER_NAME", "actions")
    rasa_sdk_main.run = run_in_this_process
    rasa_sdk_main.main()


if __name__ == "__main__":
    main()
