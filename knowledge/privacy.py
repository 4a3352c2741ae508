"""Masking of personal data (PII) in free text and in log records.

Pure standard library, importable under Python 3.10 as well: the gateway, the action server and
the Rasa server (through ``rasa_extensions/log_masking.py``) all mask their logs with it, so that
what applicants type never reaches a log file in clear text.

    >>> mask_pii("请联系13812345678或zhang.san@example.com")
    '请联系138****5678或z***@example.com'

Masked forms:
- mainland mobile numbers   13812345678 / +86 138-1234-5678   -> 138****5678 (separators kept)
- landlines                 021-23170721 / 02123170721        -> 021-2317****
- e-mail addresses          zhang@example.com                 -> z***@example.com
- ID numbers (18 / 15)      11010519900307123X                -> 110105********123X
- 统一社会信用代码            91310000MA1FL1234X                -> 913100********234X

Text is looked at the way a reader would read it: full-width digits and letters (１３８…),
zero-width characters, URL encoding (``zhang%40example.com``) and JSON / repr escapes
(``\\u53f7``, ``\\xe5``) are undone first. When personal data is found the masked *decoded* text is
returned; text without any is returned unchanged, so citations, dates and amounts stay as written.
Anything shaped like an ID number or a credit code is masked whatever its date or check digit:
masking a look-alike costs nothing, missing a real one leaks it.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import unicodedata
from typing import Any, Callable, Optional
from urllib.parse import unquote

__all__ = [
    "MASKING_FAILED",
    "PiiMaskingFilter",
    "install_record_masking",
    "mask_log_text",
    "mask_pii",
    "mask_record",
    "redact_url_secrets",
]

MASKING_FAILED = "[日志内容已隐藏：脱敏失败]"

# --- reading the text as a person would --------------------------------------------------------

_INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")
_ESCAPES = re.compile(r"(?:\\u[0-9a-fA-F]{4})+|(?:\\x[0-9a-fA-F]{2})+")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")


class _AsciiForms(dict):  # type: ignore[type-arg]
    """``str.translate`` table: every Unicode decimal digit to its ASCII digit, full-width letters
    and ``＠＋－．＿`` and the ideographic space to ASCII, invisible characters removed; everything
    else (Chinese punctuation such as ``：（）``) kept, by raising LookupError."""

    def __missing__(self, codepoint: int) -> Optional[int]:
        char = chr(codepoint)
        if char in _INVISIBLE:
            result: Optional[int] = None
        elif char == "\u3000":
            result = ord(" ")
        elif 0xFF01 <= codepoint <= 0xFF5E and (char.isalnum() or char in "＠＋－．＿"):
            result = codepoint - 0xFEE0
        elif codepoint >= 128 and unicodedata.decimal(char, None) is not None:
            result = ord(str(unicodedata.decimal(char)))
        else:
            raise LookupError(codepoint)
        self[codepoint] = result
        return result


_ASCII_FORMS = _AsciiForms()


def _decode_escape(match: re.Match[str]) -> str:
    escaped = match.group(0)
    if escaped.startswith("\\u"):
        units = "".join(chr(int(hex_, 16)) for hex_ in escaped.split("\\u")[1:])
        return units.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return bytes.fromhex(escaped.replace("\\x", "")).decode("utf-8", "replace")


def _as_read(text: str) -> str:
    """``text`` with escapes and URL encoding undone, full-width forms and all digits in ASCII."""
    if "\\" in text:
        text = _ESCAPES.sub(_decode_escape, text)
    for _ in range(3):  # doubly encoded (%2540) too
        if not _PERCENT.search(text):
            break
        text = unquote(text, errors="replace")
    if not text.isascii():
        text = text.translate(_ASCII_FORMS)
    return text


# --- the patterns (on text as read: ASCII digits) ----------------------------------------------

_ALNUM = "0-9A-Za-z"

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])"
    r"(?P<first>[A-Za-z0-9])[A-Za-z0-9._%+\-]*"
    r"@(?P<domain>[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,})"
)

# 统一社会信用代码: 2 registration characters, 6-digit region, 9-character organisation code,
# check character. Letters in either case: applicants type it in lower case too.
_CREDIT_CODE = re.compile(rf"(?<![{_ALNUM}])[{_ALNUM}]{{2}}[0-9]{{6}}[{_ALNUM}]{{10}}(?![{_ALNUM}])")

# ID numbers: 6-digit region, 8-digit birth date (any digits: typos and odd dates are still
# someone's number), 3-digit sequence, check digit or X; the old 15-digit form; typed as one run
# or in groups (110105 19900307 123X).
_ID_NUMBER = re.compile(
    r"(?<![0-9])[1-9][0-9]{5}[ \-]?(?:[0-9]{8}[ \-]?[0-9]{3}[0-9Xx]|[0-9]{6}[ \-]?[0-9]{3})(?![0-9])"
)

# 11 digits starting 13-19, in any grouping (138 1234 5678, 1381-234-5678, 138.1234.5678,
# 138+1234+5678 from a form-encoded query), with an optional +86 / 0086 / (+86) prefix.
_MOBILE = re.compile(
    r"(?<![0-9])"
    r"(?P<prefix>(?:\+|00)?86[ \-]?|\(\+?86\)[ \-]?)?"
    r"(?P<number>1[3-9](?:[ \-.+]?[0-9]){9})"
    r"(?![0-9])"
)

# Area code 0xx / 0xxx, written 021-23170721, (021)23170721, （021）23170721 or 021 23170721;
# an extension (-8001 / 转8001) is kept. Also 02123170721.
_LANDLINE = re.compile(
    r"(?<![0-9])"
    r"(?:(?P<area>0[0-9]{2,3}[\- ]|[(（]0[0-9]{2,3}[)）][\- ]?)(?P<local>[2-9][0-9]{6,7})|(?P<run>0[1-9][0-9]{9,10}))"
    r"(?![0-9])"
)

# Resume codes of form drafts (persistence/drafts.py): 8 characters of an alphabet without
# 0/O, 1/I/L, with a digit and a letter; a key to someone's draft, so never logged or kept in clear.
_RESUME_CODE = re.compile(
    r"(?<![A-Za-z0-9])(?=[A-HJKMNP-Za-hjkmnp-z2-9]*[2-9])(?=[A-HJKMNP-Za-hjkmnp-z2-9]*[A-HJKMNP-Za-hjkmnp-z])"
    r"[A-HJKMNP-Za-hjkmnp-z2-9]{8}(?![A-Za-z0-9])"
)

# Query parameters that carry a signature or a credential (WeChat's callbacks, its API's token).
_URL_SECRET = re.compile(
    r"(?i)(?<![A-Za-z0-9_])(?P<key>msg_signature|signature|nonce|echostr|access_token|token|secret)"
    r"=(?P<value>[^&\s\"'#<>]+)"
)


def _hide_middle(text: str, keep_head: int, keep_tail: int) -> str:
    """``text`` with every letter or digit but the first ``keep_head`` and last ``keep_tail``
    replaced by ``*``; separators stay where they were."""
    positions = [i for i, char in enumerate(text) if char.isalnum()]
    hidden = set(positions[keep_head:len(positions) - keep_tail])
    return "".join("*" if i in hidden else char for i, char in enumerate(text))


def _mask_email(m: re.Match[str]) -> str:
    return f"{m['first']}***@{m['domain']}"


def _mask_code(m: re.Match[str]) -> str:
    return _hide_middle(m.group(0), 6, 4)


def _mask_resume_code(m: re.Match[str]) -> str:
    return m.group(0)[:2] + "******"


def _mask_mobile(m: re.Match[str]) -> str:
    return f"{m['prefix'] or ''}{_hide_middle(m['number'], 3, 4)}"


def _mask_landline(m: re.Match[str]) -> str:
    if m["run"]:
        return f"{m['run'][:-4]}****"
    return f"{m['area']}{m['local'][:-4]}****"


def _redact_secret(m: re.Match[str]) -> str:
    return f"{m['key']}=***"


_Substitutions = tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...]

_PII_SUBSTITUTIONS: _Substitutions = (
    (_EMAIL, _mask_email),
    (_ID_NUMBER, _mask_code),
    (_CREDIT_CODE, _mask_code),
    (_MOBILE, _mask_mobile),
    (_LANDLINE, _mask_landline),
    (_RESUME_CODE, _mask_resume_code),
)
_SECRET_SUBSTITUTIONS: _Substitutions = ((_URL_SECRET, _redact_secret),)


def _masked(text: str, substitutions: _Substitutions) -> str:
    if not text:
        return text
    read = _as_read(text)
    masked = read
    for pattern, replace in substitutions:
        masked = pattern.sub(replace, masked)
    return text if masked == read else masked


def mask_pii(text: str) -> str:
    """``text`` with phone numbers, e-mails, ID numbers and credit codes masked."""
    return _masked(text, _PII_SUBSTITUTIONS)


def redact_url_secrets(text: str) -> str:
    """``text`` with the values of ``signature``, ``nonce``, ``echostr``, tokens… replaced by ``***``."""
    return _masked(text, _SECRET_SUBSTITUTIONS)


def mask_log_text(text: str) -> str:
    """What a log may show of ``text``: personal data masked and URL secrets redacted."""
    return _masked(text, _PII_SUBSTITUTIONS + _SECRET_SUBSTITUTIONS)


# --- log records -------------------------------------------------------------------------------

_MASKED_ATTRIBUTE = "_pii_masked"


def _masked_value(value: Any) -> Any:
    return mask_log_text(value) if isinstance(value, str) else value


def _masked_args(args: Any) -> Any:
    if isinstance(args, tuple):
        return tuple(_masked_value(arg) for arg in args)
    if isinstance(args, dict):
        return {key: _masked_value(value) for key, value in args.items()}
    return args


def _hide_record(record: logging.LogRecord) -> None:
    record.msg, record.args = MASKING_FAILED, ()
    record.exc_info, record.exc_text, record.stack_info = None, None, None


def mask_record(record: logging.LogRecord) -> None:
    """Mask ``record`` in place (raises if it cannot: see ``PiiMaskingFilter``).

    The arguments keep their places when masking them one by one is enough (uvicorn's access
    formatter reads ``record.args``); otherwise the record becomes its masked, rendered message.
    Exception and stack text are rendered and masked now, so no formatter renders them raw later.
    """
    if getattr(record, _MASKED_ATTRIBUTE, False):
        return
    message = record.getMessage()
    masked_message = mask_log_text(message)
    if masked_message != message:
        if isinstance(record.msg, str):
            record.msg = mask_log_text(record.msg)
        record.args = _masked_args(record.args)
        rendered = record.getMessage()
        if mask_log_text(rendered) != rendered:
            record.msg, record.args = masked_message, ()
    if record.exc_info:
        if not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.exc_info = None
    if record.exc_text:
        record.exc_text = mask_log_text(record.exc_text)
    if record.stack_info:
        record.stack_info = mask_log_text(record.stack_info)
    setattr(record, _MASKED_ATTRIBUTE, True)


class PiiMaskingFilter(logging.Filter):
    """Masks personal data in a record's message, arguments, exception and stack text.

    It never drops a record, and fails closed: when masking raises (a broken ``__str__``, a format
    string that does not match its arguments…), the record's text is replaced by
    ``MASKING_FAILED`` rather than passed on raw.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            mask_record(record)
        except Exception:
            _hide_record(record)
        return True


_FILTER = PiiMaskingFilter()
_install_lock = threading.Lock()


def _masking_factory(original: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def make_masked_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = original(*args, **kwargs)
        _FILTER.filter(record)
        return record

    make_masked_record.masks_pii = True  # type: ignore[attr-defined]
    return make_masked_record


def _log_uncaught(exc_type: type[BaseException], exc: BaseException, tb: Any) -> None:
    logging.getLogger("uncaught").critical("uncaught exception", exc_info=(exc_type, exc, tb))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is not SystemExit and args.exc_value is not None:
        _log_uncaught(args.exc_type, args.exc_value, args.exc_traceback)


def install_record_masking() -> None:
    """Mask every log record of this process when it is created, before any handler sees it.

    A record factory rather than a handler filter: handlers added later (uvicorn's, Sanic's,
    coloredlogs' in Rasa, pytest's) and child loggers are covered too. Python warnings
    (``warnings.warn``, how Rasa reports messages it cannot parse) and uncaught exceptions go
    through logging as well, so they are masked instead of being printed to stderr raw.
    """
    with _install_lock:
        current = logging.getLogRecordFactory()
        if not getattr(current, "masks_pii", False):
            logging.setLogRecordFactory(_masking_factory(current))
        logging.captureWarnings(True)
        if sys.excepthook is sys.__excepthook__:
            sys.excepthook = _log_uncaught
        if threading.excepthook is threading.__excepthook__:
            threading.excepthook = _log_uncaught_in_thread
