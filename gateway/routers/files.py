"""GET /files/{token}: documents the assistant produced (filled forms), behind unguessable tokens.

The action server writes each document to ``VAR_DIR/exports/<token>/<filename>``; the token
(``secrets.token_urlsafe(24)``, 192 bits) is the only key, so a link works after any restart
and cannot be guessed or enumerated.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

from knowledge.settings import get_settings as knowledge_settings

router = APIRouter(tags=["files"])

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32}$")
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NOT_FOUND = "文件不存在或链接已失效，请在对话中重新生成。"


def exported_file(token: str, exports_dir: Path | None = None) -> Path | None:
    """The one document stored under ``token``, or None."""
    if not TOKEN_PATTERN.match(token):
        return None
    folder = (exports_dir or knowledge_settings().exports_dir) / token
    files = sorted(path for path in folder.glob("*") if path.is_file()) if folder.is_dir() else []
    return files[0] if len(files) == 1 else None


@router.get(
    "/files/{token}",
    summary="下载生成的文件 / Download a generated document",
    responses={404: {"description": NOT_FOUND}},
)
async def download(token: str) -> FileResponse:
    path = exported_file(token)
    if path is None:
        raise HTTPException(404, detail=NOT_FOUND)
    media_type = DOCX_MEDIA_TYPE if path.suffix == ".docx" else "application/octet-stream"
    return FileResponse(path, media_type=media_type, filename=path.name)
