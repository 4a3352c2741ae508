"""Masking of personal data (PII) in free text and in log records.

Pure standard library. Used by the gateway's logging set-up so that phone numbers, e-mail
addresses and ID card numbers typed by applicants never reach a log file in clear text.

    >>> mask_pii("请联系13812345678或zhang.san@example.com")
    '请联系138****5678或z***@example.com'

Masked forms:
- mainland mobile numbers   13812345678          -> 138****5678  (separators and +86 kept)
- landlines                 021-23170721         -> 021-2317****
- e-mail addresses          zhang@example.com    -> z***@example.com
- 18-character ID numbers   11010519900307123X   -> 110105********123X
"""

from __future__ import annotations

import logging
import re
from typing import Any

__all__ = ["mask_pii", "PiiMaskingFilter"]

# Not preceded/followed by another digit (or ASCII letter for the ID and e-mail forms), so
# numbers inside longer digit runs are left to the pattern that matches the whole run.
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])"
    r"(?P<first>[A-Za-z0-9])(?P<rest>[A-Za-z0-9._%+\-]*)"
    r"@(?P<domain>[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,})"
)

# 6-digit region, birth date 18xx/19xx/20xx-MM-DD, 3-digit sequence, check digit or X.
_ID_CARD = re.compile(
    r"(?<![0-9A-Za-z])"
    r"(?P<head>[1-9]\d{5})"
    r"(?P<middle>(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))"
    r"(?P<tail>\d{3}[0-9Xx])"
    r"(?![0-9A-Za-z])"
)

# 11 digits starting 13-19, optionally written 138-1234-5678 / 138 1234 5678, optional +86.
_MOBILE = re.compile(
    r"(?<!\d)"
    r"(?P<prefix>(?:\+|00)?86[\s\-]?)?"
    r"(?P<head>1[3-9]\d)(?P<sep1>[\s\-]?)(?P<middle>\d{4})(?P<sep2>[\s\-]?)(?P<tail>\d{4})"
    r"(?!\d)"
)

# Area code 0xx / 0xxx, written 021-23170721, (021)23170721, （021）23170721 or 021 23170721;
# optional extension (-8001 / 转8001) is kept.
_LANDLINE = re.compile(
    r"(?<!\d)"
    r"(?P<area>0\d{2,3}[\-\s]|[(（]0\d{2,3}[)）][\-\s]?)"
    r"(?P<local>[2-9]\d{6,7})"
    r"(?!\d)"
)


def _mask_email(m: re.Match[str]) -> str:
    return f"{m['first']}***@{m['domain']}"


def _mask_id_card(m: re.Match[str]) -> str:
    return f"{m['head']}{'*' * len(m['middle'])}{m['tail']}"


def _mask_mobile(m: re.Match[str]) -> str:
    prefix = m["prefix"] or ""
    return f"{prefix}{m['head']}{m['sep1']}****{m['sep2']}{m['tail']}"


def _mask_landline(m: re.Match[str]) -> str:
    local = m["local"]
    return f"{m['area']}{local[:-4]}****"


def mask_pii(text: str) -> str:
    """Return ``text`` with mobile/landline numbers, e-mails and ID card numbers masked."""
    if not text:
        return text
    text = _EMAIL.sub(_mask_email, text)
    text = _ID_CARD.sub(_mask_id_card, text)
    text = _MOBILE.sub(_mask_mobile, text)
    text = _LANDLINE.sub(_mask_landline, text)
    return text


def _mask_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask_pii(value)
    return value


class PiiMaskingFilter(logging.Filter):
    """Logging filter that masks PII in a record's message, arguments and exception text.

    It never drops a record. String arguments are masked in place, keeping their position
    (so formatters that read ``record.args`` such as uvicorn's access log keep working). If
    the fully formatted message still contains PII (e.g. a phone number passed as an int),
    the record is collapsed to its masked, formatted message.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            self._mask(record)
        except Exception:  # a masking bug must never break logging
            pass
        return True

    @staticmethod
    def _mask(record: logging.LogRecord) -> None:
        if isinstance(record.msg, str):
            record.msg = mask_pii(record.msg)
        elif record.msg is not None and not record.args:
            text = str(record.msg)
            masked = mask_pii(text)
            if masked != text:
                record.msg = masked

        args = record.args
        if isinstance(args, tuple):
            record.args = tuple(_mask_value(a) for a in args)
        elif isinstance(args, dict):
            record.args = {k: _mask_value(v) for k, v in args.items()}

        if record.args:
            try:
                full = record.getMessage()
            except Exception:
                full = None
            if full is not None:
                masked = mask_pii(full)
                if masked != full:
                    record.msg = masked
                    record.args = ()

        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_pii(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_pii(record.stack_info)
