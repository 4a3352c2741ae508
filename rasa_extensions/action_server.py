"""``python -m rasa_extensions.action_server <rasa_sdk arguments>``: rasa-sdk's action server with
personal data masked in the logs of every process it starts (see log_masking.py), served by one
process.

rasa-sdk serves through Sanic's worker manager: the manager imports every action (the knowledge
library with them) and then spawns one worker that imports them all again, plus a resource
tracker: about 220 MB resident for a process that never answers a request. Here the process that
registered the actions serves them itself (Sanic's single-process mode); replicas are further
processes (`make cluster`), not Sanic workers.

rasa-sdk awaits each action on its event loop, and our actions are synchronous (the knowledge
library, SQLAlchemy, spaCy): one would hold every other request until it returned. Every action
runs instead on a bounded pool of worker threads (ACTION_SERVER_THREADS); the event loop only
reads requests and writes responses. Form validation (rasa-sdk's coroutine) runs on a worker too,
in an event loop of that thread."""
from __future__ import annotations

import asyncio
import functools
import inspect
import os
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from knowledge.privacy import install_record_masking

install_record_masking()  # at import: a process started by this module masks from its first record


class ActionServerSettings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    action_server_threads: int = Field(default=4, ge=1, le=64, description="actions answered at once (env ACTION_SERVER_THREADS)")


def in_pool(function: Callable[..., Any], pool: Executor) -> Callable[..., Any]:
    """``function`` as a coroutine function that runs it on a worker of ``pool`` (a coroutine
    function itself runs to completion in an event loop of that worker)."""
    is_coroutine = inspect.iscoroutinefunction(function)

    @functools.wraps(function)
    async def pooled(*args: Any, **kwargs: Any) -> Any:
        call = functools.partial(function, *args, **kwargs)
        work = (lambda: asyncio.run(call())) if is_coroutine else call
        return await asyncio.get_running_loop().run_in_executor(pool, work)

    return pooled


def offload_actions(action_executor: Any, threads: int) -> ThreadPoolExecutor:
    """Every registered action of ``action_executor`` (rasa-sdk's ActionExecutor) runs on a pool
    of ``threads`` worker threads from now on."""
    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="action")
    action_executor.actions = {name: in_pool(function, pool) for name, function in action_executor.actions.items()}
    return pool


def run_in_this_process(action_executor: Any, port: int, cors_origins: Any = "*", ssl_certificate: str | None = None,
                        ssl_keyfile: str | None = None, ssl_password: str | None = None, auto_reload: bool = False,
                        endpoints: str = "endpoints.yml") -> None:
    """rasa_sdk.endpoint.run (same arguments) without the worker manager."""
    from rasa_sdk.endpoint import create_app_for_serve, create_ssl_config
    from sanic import Sanic

    offload_actions(action_executor, ActionServerSettings().action_server_threads)
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
