"""GET /faq: the FAQ page (browse by program and topic, search, ask in the chat).

The page is static (gateway/static/faq.html + faq.js); its data come from ``GET /api/config``,
``GET /api/faq`` and ``GET /api/faq/search``.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from gateway.routers.web import page

router = APIRouter()


@router.get("/faq", include_in_schema=False)
async def faq_page() -> FileResponse:
    return page("faq.html")
