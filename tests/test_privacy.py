"""knowledge.privacy: masking of phone numbers, e-mails and ID card numbers in text and logs."""

from __future__ import annotations

import logging

import pytest

from knowledge.privacy import PiiMaskingFilter, mask_pii


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # mobile numbers
        ("13812345678", "138****5678"),
        ("电话：13812345678。", "电话：138****5678。"),
        ("19912345678和15000001111", "199****5678和150****1111"),
        ("138-1234-5678", "138-****-5678"),
        ("138 1234 5678", "138 ****-5678".replace("-", " ")),
        ("+86 13812345678", "+86 138****5678"),
        ("+8613812345678", "+86138****5678"),
        # landlines
        ("021-23170721", "021-2317****"),
        ("贾丽昆 021-23170721；", "贾丽昆 021-2317****；"),
        ("(021)23170721", "(021)2317****"),
        ("（0571）8765432转8001", "（0571）876****转8001"),
        ("010 62345678", "010 6234****"),
        # e-mails
        ("zhang@example.com", "z***@example.com"),
        ("邮箱：zhang.san+5g@hospital.sh.cn。", "邮箱：z***@hospital.sh.cn。"),
        ("13812345678@163.com", "1***@163.com"),
        # ID card numbers
        ("11010519900307123X", "110105********123X"),
        ("身份证110105199003071234号", "身份证110105********1234号"),
        ("id 31011520001231002x", "id 310115********002x"),
    ],
)
def test_masks(text, masked):
    assert mask_pii(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2021年1月19日17:00前",
        "2021-01-19 17:00",
        "申报金额 1500000 元",
        "订单号 1234567890123456789",
        "统一社会信用代码 91310000MA1FL1234X",
        "邮政编码200003",
        "第12345678901234号文件编号X",
        "沪经信规〔2020〕12号",
        "12812345678",  # not a mobile prefix
        "213812345678",  # 12 digits: not a phone number
    ],
)
def test_leaves_other_text_alone(text):
    assert mask_pii(text) == text


def test_mask_is_idempotent():
    text = "联系 13812345678 / 021-23170721 / zhang@example.com / 11010519900307123X"
    once = mask_pii(text)
    assert mask_pii(once) == once
    assert "13812345678" not in once and "23170721" not in once and "zhang@" not in once


def _record(msg, args=(), exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("t", logging.INFO, __file__, 1, msg, args, exc_info)


def test_filter_masks_message_and_args_and_keeps_structure():
    record = _record("user %s from %s status %d", ("13812345678", "1.2.3.4", 200))
    assert PiiMaskingFilter().filter(record) is True
    assert record.args == ("138****5678", "1.2.3.4", 200)
    assert record.getMessage() == "user 138****5678 from 1.2.3.4 status 200"


def test_filter_masks_mapping_args_and_non_string_message():
    record = _record("%(phone)s", ({"phone": "13812345678"},))
    PiiMaskingFilter().filter(record)
    assert record.getMessage() == "138****5678"

    record = _record(ValueError("bad 13812345678"))
    PiiMaskingFilter().filter(record)
    assert record.getMessage() == "bad 138****5678"


def test_filter_masks_pii_split_from_non_string_args():
    record = _record("phone %d", (13812345678,))
    PiiMaskingFilter().filter(record)
    assert record.getMessage() == "phone 138****5678"


def test_filter_masks_exception_text():
    try:
        raise RuntimeError("cannot reach zhang@example.com")
    except RuntimeError:
        import sys

        record = _record("failed", exc_info=sys.exc_info())
    PiiMaskingFilter().filter(record)
    formatted = logging.Formatter().format(record)
    assert "zhang@example.com" not in formatted and "z***@example.com" in formatted


def test_filter_on_handler_masks_output(caplog):
    logger = logging.getLogger("test_privacy.handler")
    caplog.handler.addFilter(PiiMaskingFilter())
    try:
        with caplog.at_level(logging.INFO, logger="test_privacy.handler"):
            logger.info("call me at %s or %s", "13812345678", "021-23170721")
    finally:
        caplog.handler.filters.clear()
    assert "138****5678" in caplog.text and "021-2317****" in caplog.text
    assert "13812345678" not in caplog.text


def test_filter_never_raises_on_bad_format_args():
    record = _record("%s %s", ("only one",))
    assert PiiMaskingFilter().filter(record) is True
