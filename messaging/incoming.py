"""A user's message as every channel accepts it: which session ids and message ids are valid,
and the text cleaned of what no consumer can take (control characters, lone surrogates)."""

from __future__ import annotations

import re

from pydantic_core import PydanticCustomError

SESSION_ID_PATTERN = r"^[A-Za-z0-9_\-.:]{1,64}$"
# Largest message id a client may name: the largest integer every JSON client reads exactly.
MAX_MESSAGE_ID = 2**53 - 1
# At least one character that is neither white space nor a control character (documents the
# "not blank" rule in the OpenAPI schema; :func:`clean_text` applies it).
NON_BLANK_PATTERN = r"[^\s\x00-\x1f\x7f]"
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
BAD_CHARACTERS = "消息包含无法识别的字符（如不成对的代理字符），请删除后重新发送"


def is_utf8_encodable(value: str) -> bool:
    """False for text holding lone UTF-16 surrogates (``"\\ud800"`` in JSON)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def remove_control_chars(value: str) -> str:
    return _CONTROL_CHARS.sub("", value)


def clean_text(value: str) -> str:
    """A user's text as the assistant passes it on: control characters (NUL…) removed, stripped.

    Raises ``PydanticCustomError`` (Chinese message) for text that cannot be passed on: lone
    UTF-16 surrogates (``"\\ud800"`` in JSON), which no UTF-8 consumer accepts, or nothing left.
    """
    if not is_utf8_encodable(value):
        raise PydanticCustomError("bad_characters", BAD_CHARACTERS)
    value = remove_control_chars(value).strip()
    if not value:
        raise PydanticCustomError("blank_message", "消息不能为空")
    return value
