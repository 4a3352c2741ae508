"""``/docs`` without a CDN and without inline script.

FastAPI's own Swagger UI page loads its assets from a CDN (unreachable offline) and starts them
with an inline ``<script>`` (refused by the pages' Content-Security-Policy). This serves Swagger
UI from the fastapi-offline package (``/static/docs-ui/``) with a static page and start script
(``gateway/static/docs.html``, ``docs.js``). ReDoc is not offered: it needs inline styles.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.routing import BaseRoute

SWAGGER_UI_ASSETS = Path(str(files("fastapi_offline") / "static"))
ASSETS_URL = "/static/docs-ui"
DOCS_PAGE = Path(__file__).resolve().parent / "static" / "docs.html"


def _is_cdn_docs_route(route: BaseRoute, app: FastAPI) -> bool:
    path = getattr(route, "path", None)
    return path is not None and path in {app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url}


def serve_docs_offline(app: FastAPI) -> None:
    """Replace FastAPI's ``/docs`` (and drop ``/redoc``) with the offline page."""
    docs_url = app.docs_url
    app.router.routes[:] = [route for route in app.router.routes if not _is_cdn_docs_route(route, app)]
    if docs_url is None:
        return
    app.mount(ASSETS_URL, StaticFiles(directory=SWAGGER_UI_ASSETS), name="docs-ui")

    @app.get(docs_url, include_in_schema=False)
    async def swagger_ui() -> FileResponse:
        return FileResponse(DOCS_PAGE, media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-cache"})
