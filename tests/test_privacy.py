"""knowledge.privacy: masking of phone numbers, e-mails, ID numbers and credit codes in text and logs."""

from __future__ import annotations

import logging

import pytest

from knowledge.privacy import MASKING_FAILED, PiiMaskingFilter, mask_log_text, mask_pii


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
        ("0086-138-1234-5678", "0086-138-****-5678"),
        ("(+86)13812345678", "(+86)138****5678"),
        ("1381 234 5678", "138* *** 5678"),
        ("138.1234.5678", "138.****.5678"),
        ("tel=138+1234+5678", "tel=138+****+5678"),  # spaces of a form-encoded query
        # full-width digits and separators, invisible characters
        ("电话：１３８１２３４５６７８。", "电话：138****5678。"),
        ("１３８－１２３４－５６７８", "138-****-5678"),
        ("138\u200b1234\u200b5678", "138****5678"),
        # landlines
        ("021-23170721", "021-2317****"),
        ("贾丽昆 021-23170721；", "贾丽昆 021-2317****；"),
        ("(021)23170721", "(021)2317****"),
        ("（0571）8765432转8001", "（0571）876****转8001"),
        ("010 62345678", "010 6234****"),
        ("座机02123170721", "座机0212317****"),
        ("（０２１）２３１７０７２１", "（021）2317****"),
        # e-mails
        ("zhang@example.com", "z***@example.com"),
        ("邮箱：zhang.san+5g@hospital.sh.cn。", "邮箱：z***@hospital.sh.cn。"),
        ("13812345678@163.com", "1***@163.com"),
        ("ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", "z***@example.com"),
        # URL-encoded, in query strings, also twice
        ("/api/faq/search?q=zhang%40example.com&top_k=3", "/api/faq/search?q=z***@example.com&top_k=3"),
        ("/api/faq/search?q=%E9%82%AE%E7%AE%B1zhang.san%40example.com", "/api/faq/search?q=邮箱z***@example.com"),
        ("/?q=zhang%2540example.com", "/?q=z***@example.com"),
        ("/api/faq/search?q=%E7%94%B5%E8%AF%9D13812345678", "/api/faq/search?q=电话138****5678"),
        # JSON and repr escapes: Rasa's JSON logs, bytes in reprs
        ('{"text": "\\u53f7\\u780113812345678"}', '{"text": "号码138****5678"}'),
        ("b'\\xe5\\x8f\\xb713812345678'", "b'号138****5678'"),
        # ID card numbers
        ("11010519900307123X", "110105********123X"),
        ("身份证110105199003071234号", "身份证110105********1234号"),
        ("id 31011520001231002x", "id 310115********002x"),
        # odd or impossible dates, wrong check digits: still someone's number
        ("110105199013451234", "110105********1234"),
        ("身份证110105000000001234", "身份证110105********1234"),
        ("sfz11010519900307123X", "sfz110105********123X"),
        ("110105 19900307 123X", "110105 ******** 123X"),
        ("１１０１０５１９９００３０７１２３Ｘ", "110105********123X"),
        ("旧身份证110105900307123", "旧身份证110105*****7123"),
        # 统一社会信用代码, with or without a valid check character, in either case
        ("统一社会信用代码 91310000MA1FL1234X", "统一社会信用代码 913100********234X"),
        ("信用代码：91310115MA1K3YJ12W。", "信用代码：913101********J12W。"),
        ("91310115ma1k3yj12w", "913101********j12w"),
        ("/api/faq/search?q=%E4%BB%A3%E7%A0%8191310000MA1FL1234X", "/api/faq/search?q=代码913100********234X"),
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
        "请于2021年1月19日17:00前提交，逾期不予受理。",
        "依据：《关于开展2020年上海市5G+医疗健康应用试点项目申报工作的通知》五、有关事宜 > （三）",
        "补助金额不超过500万元，项目总投资1500000.00元",
        "第１２条",
        "13:30-17:30",
        "timestamp 1732262400.123456",
        "event id 3f2b9c4e8a1d4b7f9e6c5a2d1b0c9e8f",
        "model-20261202-132834-fixed.tar.gz",
        "沪经信基〔2020〕1146号、工信厅联通信函〔2020〕270号",
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


def test_mask_log_text_redacts_url_secrets_but_mask_pii_does_not():
    path = "/wechat?signature=5f3a&timestamp=1700000000&nonce=n1&echostr=hello&msg_signature=77"
    assert mask_log_text(path) == (
        "/wechat?signature=***&timestamp=1700000000&nonce=***&echostr=***&msg_signature=***"
    )
    assert mask_log_text("/cgi-bin/message/custom/send?access_token=ACCESS") == (
        "/cgi-bin/message/custom/send?access_token=***"
    )
    assert mask_pii(path) == path


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


class _Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("no __str__ today")

    __repr__ = __str__


@pytest.mark.parametrize(
    ("msg", "args"),
    [
        ("user %s wrote %s", ("13812345678", _Unprintable())),  # an argument's __str__ raises
        ("phone %s %s", ("13812345678",)),  # fewer arguments than placeholders
        ("phone %d", ("13812345678",)),  # wrong type for the placeholder
    ],
)
def test_filter_fails_closed_when_the_message_cannot_be_rendered(msg, args):
    """The record is kept (someone logged something) but its text is hidden, never passed raw:
    a handler would otherwise print the raw arguments in its "--- Logging error ---" report."""
    record = _record(msg, args)
    assert PiiMaskingFilter().filter(record) is True
    assert record.getMessage() == MASKING_FAILED
    assert "13812345678" not in logging.Formatter().format(record)


def test_filter_fails_closed_when_masking_itself_fails(monkeypatch):
    import knowledge.privacy as privacy

    def broken(text: str) -> str:
        raise ValueError("masking bug")

    monkeypatch.setattr(privacy, "mask_log_text", broken)
    try:
        raise RuntimeError("cannot reach 13812345678")
    except RuntimeError:
        import sys

        record = _record("user %s", ("13812345678",), exc_info=sys.exc_info())
    PiiMaskingFilter().filter(record)
    formatted = logging.Formatter().format(record)
    assert formatted == MASKING_FAILED


def test_handler_reporting_a_logging_error_shows_no_raw_argument(capsys):
    """What logging prints to stderr when a record cannot be formatted carries the masked record."""
    logger = logging.getLogger("test_privacy.broken")
    handler = logging.StreamHandler()
    handler.addFilter(PiiMaskingFilter())
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("user %s wrote %s", "13812345678", _Unprintable())
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    err = capsys.readouterr().err
    assert MASKING_FAILED in err
    assert "13812345678" not in err


def test_knowledge_privacy_imports_with_the_standard_library_only():
    """The Rasa server (Python 3.10, its own environment) loads it: nothing but the stdlib."""
    import ast
    import sys
    from pathlib import Path

    import knowledge.privacy as privacy

    tree = ast.parse(Path(privacy.__file__).read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert imported - {"__future__"} <= set(sys.stdlib_module_names)


@pytest.mark.parametrize("text", ["继续填写 K7M2Q9XD", "继续填写k7m2q9xd", "编号：ZWWF23MD。"])
def test_resume_codes_are_masked_wherever_they_are_logged_or_kept(text):
    masked = mask_pii(text)
    code = next(word for word in ("K7M2Q9XD", "k7m2q9xd", "ZWWF23MD") if word in text)
    assert code not in masked and code[:2] + "******" in masked


@pytest.mark.parametrize("text", ["MsgId 23456789", "A4纸双面打印", "ABCDEFGH", "2024年1月10日17:00前"])
def test_words_that_are_no_resume_code_stay(text):
    assert mask_pii(text) == text
