"""The OpenAPI document says what the gateway really does.

FastAPI documents every validation failure as 422 with its own list-shaped body; this gateway
answers ``{"detail": "中文说明"}`` (gateway/errors.py), and a JSON body that cannot be parsed is
400, one that is not JSON at all 415. The generated document is corrected once, here, rather than
on every route.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

ERROR_SCHEMA_NAME = "ErrorResponse"
FASTAPI_ERROR_SCHEMAS = ("HTTPValidationError", "ValidationError")
BODY_ERRORS = {
    "400": "请求体不是合法的JSON / body is not valid JSON",
    "413": "请求体过大 / request body too large",
    "415": "请求体不是JSON（Content-Type）/ body is not JSON",
}
ERROR_SCHEMA = {
    "title": ERROR_SCHEMA_NAME,
    "type": "object",
    "required": ["detail"],
    "properties": {"detail": {"type": "string", "title": "Detail", "description": "中文错误说明 / error message in Chinese"}},
}


def _error_response(description: str) -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}
    return {"description": description, "content": {"application/json": {"schema": ref}}}


def _errors_are_json(response: dict[str, Any]) -> None:
    """An error body is JSON whatever the route's own media type (e.g. /wechat's text/plain)."""
    content = response.get("content") or {}
    ref = f"#/components/schemas/{ERROR_SCHEMA_NAME}"
    if any(media.get("schema", {}).get("$ref") == ref for media in content.values()):
        response["content"] = {"application/json": {"schema": {"$ref": ref}}}


def correct_error_responses(document: dict[str, Any]) -> dict[str, Any]:
    """Every error response is ``{"detail": str}`` as JSON; operations with a JSON body also list
    400/413/415."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(ERROR_SCHEMA_NAME, ERROR_SCHEMA)
    for name in FASTAPI_ERROR_SCHEMAS:
        schemas.pop(name, None)
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for response in responses.values():
                _errors_are_json(response)
            if "422" in responses:
                description = responses["422"].get("description") or "参数错误"
                if description == "Validation Error":
                    description = "参数错误 / invalid parameters"
                responses["422"] = _error_response(description)
            if "requestBody" in operation:
                for status, description in BODY_ERRORS.items():
                    responses.setdefault(status, _error_response(description))
    return document


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
            )
            app.openapi_schema = correct_error_responses(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
