"""Every validator with real-world valid and invalid answers (codes with wrong check characters
included), and the sub-total rules of the results table."""
from __future__ import annotations

import pytest
from stdnum.cn import uscc

from knowledge.forms.loader import get_forms
from knowledge.forms.schema import FieldSpec, FormSchema
from knowledge.forms.validators import (
    Checked,
    can_add_item,
    check_group,
    check_rules,
    check_value,
    org_code_check_char,
    parse_yes_no,
)

SH5G = get_forms()["sh5g_application"]
RESULTS = get_forms()["accept_results"]
EXTENSION = get_forms()["accept_extension"]


def check(form: FormSchema, key: str, text: str, values: dict | None = None) -> Checked:
    return check_value(form.field(key), text, values or {})


def with_check_char(first17: str) -> str:
    return first17 + uscc.calc_check_digit(first17)


def wrong_last_char(code: str) -> str:
    return code[:-1] + ("1" if code[-1] != "1" else "2")


# --- 统一社会信用代码 / 组织机构代码 ------------------------------------------------------------

HOSPITAL_USCC = with_check_char("12310000425006117")  # 事业单位 (12), Shanghai (310000)
COMPANY_USCC = with_check_char("91310115MA1FL8L96")   # 企业 (91), Pudong (310115)
PUBLISHED_USCC = "91110000600037341L"                 # python-stdnum's documented example


@pytest.mark.parametrize("code", [HOSPITAL_USCC, COMPANY_USCC, PUBLISHED_USCC])
def test_valid_unified_social_credit_codes(code: str) -> None:
    assert check(SH5G, "org_code", code) == Checked(True, code)


def test_credit_code_is_normalised_from_full_width_lower_case_and_spaces() -> None:
    typed = " ９１１１０００ 0600037341l "
    assert check(SH5G, "org_code", typed).value == PUBLISHED_USCC


@pytest.mark.parametrize("code", [HOSPITAL_USCC, COMPANY_USCC, PUBLISHED_USCC])
def test_wrong_check_character_is_named(code: str) -> None:
    result = check(SH5G, "org_code", wrong_last_char(code))
    assert not result.ok and "校验位" in result.message


@pytest.mark.parametrize("code", ["A1110000600037341L", "9111000060003734IL"])
def test_malformed_credit_code(code: str) -> None:
    result = check(SH5G, "org_code", code)
    assert not result.ok and "18位" in result.message


def test_organisation_code_published_example_and_dash() -> None:
    # GB 11714's own example D2143569-X, and the code inside the published USCC above.
    assert org_code_check_char("D2143569") == "X"
    assert check(SH5G, "org_code", "D2143569-X").value == "D2143569-X"
    assert check(SH5G, "org_code", "600037341").value == "60003734-1"


@pytest.mark.parametrize("code", ["D2143569-1", "60003734-X", "60003734-5"])
def test_organisation_code_wrong_check_character(code: str) -> None:
    result = check(SH5G, "org_code", code)
    assert not result.ok and "校验码" in result.message


@pytest.mark.parametrize("code", ["1234", "9111000060003734", "60003734-Y"])
def test_code_of_wrong_length_or_characters(code: str) -> None:
    result = check(SH5G, "org_code", code)
    assert not result.ok and ("18位" in result.message or "9位" in result.message or "8位" in result.message)


# --- phones, e-mail, postcode -------------------------------------------------------------

@pytest.mark.parametrize(
    ("typed", "stored"),
    [("13024102873", "13024102873"), ("+86 188 6182 8866", "18861828866"), ("138-1234-5678", "13812345678"),
     ("１３８１２３４５６７８", "13812345678")],
)
def test_mobile_numbers(typed: str, stored: str) -> None:
    assert check(SH5G, "contact_mobile", typed) == Checked(True, stored)


@pytest.mark.parametrize("typed", ["1381234567", "12345678901", "021-23170721", "手机号"])
def test_not_mobile_numbers(typed: str) -> None:
    result = check(SH5G, "contact_mobile", typed)
    assert not result.ok and "手机号" in result.message


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("021-23170721", "021-23170721"), ("02123117727", "021-23117727"), ("(021)23170721", "021-23170721"),
     ("010-68206173", "010-68206173"), ("0571-87654321", "0571-87654321"), ("021-63902000-364", "021-63902000-364"),
     ("021-63902000转364", "021-63902000-364"), ("18515943987", "18515943987")],
)
def test_landlines_and_mobiles_as_phone(typed: str, stored: str) -> None:
    assert check(SH5G, "contact_phone", typed) == Checked(True, stored)


def test_landline_without_area_code_asks_for_it() -> None:
    result = check(SH5G, "contact_phone", "33262072")
    assert not result.ok and "区号" in result.message and "021-33262072" in result.message


@pytest.mark.parametrize("typed", ["12345", "021-123", "电话"])
def test_not_phone_numbers(typed: str) -> None:
    assert not check(SH5G, "contact_phone", typed).ok


@pytest.mark.parametrize(("typed", "stored"), [("liu_d@caict.ac.cn", "liu_d@caict.ac.cn"), ("Zhang.San@Hospital.COM", "Zhang.San@hospital.com"),
                                               ("ｌｉｕ＠ｃａｉｃｔ．ａｃ．ｃｎ", "liu@caict.ac.cn")])
def test_emails(typed: str, stored: str) -> None:
    assert check(SH5G, "contact_email", typed) == Checked(True, stored)


@pytest.mark.parametrize("typed", ["zhang@", "zhang san@example.cn", "zhang@example", "@example.cn", "张三的邮箱"])
def test_not_emails(typed: str) -> None:
    result = check(SH5G, "contact_email", typed)
    assert not result.ok and "邮箱" in result.message


@pytest.mark.parametrize(("typed", "stored"), [("200120", "200120"), ("２０００３０", "200030"), (" 100 191 ", "100191")])
def test_postcodes(typed: str, stored: str) -> None:
    assert check(SH5G, "postcode", typed) == Checked(True, stored)


@pytest.mark.parametrize("typed", ["20012", "2001200", "20O120", "000000"])
def test_not_postcodes(typed: str) -> None:
    result = check(SH5G, "postcode", typed)
    assert not result.ok and "6位数字" in result.message


# --- dates, yes/no, counts, amounts -------------------------------------------------------

@pytest.mark.parametrize("typed", ["2024-05-01", "2024年5月1日", "2024/5/1", "2024.05.01", "２０２４年５月１号"])
def test_dates(typed: str) -> None:
    assert check(SH5G, "apply_date", typed) == Checked(True, "2024-05-01")


@pytest.mark.parametrize(("typed", "word"), [("2024-02-30", "不存在"), ("2023年13月1日", "不存在"), ("下周吧", "年-月-日"), ("24-5-1", "年-月-日"),
                                             ("1900-01-01", "年-月-日")])
def test_not_dates(typed: str, word: str) -> None:
    result = check(SH5G, "apply_date", typed)
    assert not result.ok and word in result.message


@pytest.mark.parametrize(("typed", "value"), [("是", True), ("有", True), ("yes", True), ("Y", True), ("是的。", True),
                                              ("否", False), ("没有", False), ("无", False), ("No", False), ("不是", False)])
def test_yes_no(typed: str, value: bool) -> None:
    assert check(RESULTS, "network_done", typed) == Checked(True, value)


def test_yes_no_that_is_neither() -> None:
    assert parse_yes_no("可能吧") is None
    result = check(RESULTS, "network_done", "可能吧")
    assert not result.ok and "是" in result.message and "否" in result.message


@pytest.mark.parametrize(("typed", "value"), [("12", 12), ("０", 0), ("1,200", 1200), ("350台", 350), ("12000 人次", 12000)])
def test_counts(typed: str, value: int) -> None:
    assert check(RESULTS, "iot_terminals", typed) == Checked(True, value)


@pytest.mark.parametrize("typed", ["-1", "2.5", "二点五", "很多", "1" * 20])
def test_not_counts(typed: str) -> None:
    result = check(RESULTS, "iot_terminals", typed)
    assert not result.ok and "整数" in result.message


def test_extension_is_at_most_one_year() -> None:
    assert check(EXTENSION, "extension_months", "12个月") == Checked(True, 12)
    too_long = check(EXTENSION, "extension_months", "18")
    assert not too_long.ok and "不能超过12" in too_long.message and "一年" in too_long.message
    assert not check(EXTENSION, "extension_months", "0").ok


@pytest.mark.parametrize(("typed", "value"), [("12.5", 12.5), ("12.5万", 12.5), ("12.5万元", 12.5), ("125000元", 12.5),
                                              ("125,000 元", 12.5), ("１２．５", 12.5), ("1.2亿", 12000.0), ("0", 0.0),
                                              ("123456元", 12.35)])
def test_amounts_in_wan_yuan(typed: str, value: float) -> None:
    assert check(RESULTS, "input_amount", typed) == Checked(True, value)


@pytest.mark.parametrize(("typed", "word"), [("12.345", "两位小数"), ("-5", "万元"), ("十万", "万元"), ("12.5美元", "万元")])
def test_not_amounts(typed: str, word: str) -> None:
    result = check(RESULTS, "input_amount", typed)
    assert not result.ok and word in result.message


# --- choices --------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("typed", "value"),
    [("2", "5G+远程诊断"), ("方向2", "5G+远程诊断"), ("5G+远程诊断", "5G+远程诊断"), ("远程诊断", "5G+远程诊断"),
     ("５Ｇ＋远程诊断", "5G+远程诊断"), ("移动医护", "5G+移动医护"), ("急诊救治(应急救援)", "5G+急诊救治（应急救援）"),
     ("急救", "5G+急诊救治（应急救援）"), ("其他：5G+康复管理", "其他：5G+康复管理"), ("其他:康复", "其他：康复")],
)
def test_direction_by_number_text_part_or_alias(typed: str, value: str) -> None:
    result = check(SH5G, "direction", typed)
    assert (result.ok, result.value) == (True, value)


def test_ambiguous_direction_lists_the_candidates() -> None:
    result = check(SH5G, "direction", "远程")
    assert not result.ok and "5G+远程诊断" in result.message and "5G+远程查房" in result.message


@pytest.mark.parametrize(("typed", "word"), [("11", "没有第11项"), ("区块链", "不在"), ("其他", "具体内容")])
def test_wrong_direction(typed: str, word: str) -> None:
    result = check(SH5G, "direction", typed)
    assert not result.ok and word in result.message


def test_other_is_refused_where_the_form_has_no_other() -> None:
    result = check(RESULTS, "private_network_type", "其他：混合")
    assert not result.ok and "专网专用" in result.message
    assert check(RESULTS, "private_network_type", "公网共用") == Checked(True, "公网共用")


# --- text, length, partners -----------------------------------------------------------------

def test_text_is_trimmed_and_spaces_between_chinese_dropped() -> None:
    assert check(SH5G, "unit_name", "  上海市 某某医院\u3000") == Checked(True, "上海市某某医院")
    assert check(SH5G, "unit_name", "Ruijin Hospital").value == "Ruijin Hospital"


def test_required_empty_and_optional_empty() -> None:
    result = check(SH5G, "unit_name", "   ")
    assert not result.ok and "必填" in result.message and "上海市某某医院" in result.message
    assert check(SH5G, "contact_fax", "") == Checked(True, None)
    assert check(SH5G, "goal", "\n\n") == Checked(True, None)


def test_max_length_of_the_introduction() -> None:
    intro = get_forms()["accept_application"].field("intro")
    assert check_value(intro, "好" * 500, {}).ok
    result = check_value(intro, "好" * 501, {})
    assert not result.ok and "500" in result.message and "501" in result.message


def test_huge_and_hostile_text_gets_a_message_not_a_crash() -> None:
    assert not check(SH5G, "goal", "字" * 100_000).ok
    assert not check(SH5G, "unit_name", "\x00\x01\x02").ok
    assert check(SH5G, "goal", "第一段\x00\n\n\n\n第二段").value == "第一段\n\n第二段"


def test_partner_cannot_be_the_lead_unit() -> None:
    values = {"unit_name": "上海市某某医院"}
    result = check(SH5G, "partner_name", "上海市 某某医院", values)
    assert not result.ok and "上海市某某医院" in result.message and "另一家" in result.message
    assert check(SH5G, "partner_name", "中国移动通信集团上海有限公司", values).ok


def test_partner_group_size_and_repeats() -> None:
    partners: FieldSpec = SH5G.field("partners")
    eight = [{"partner_name": f"合作单位{i}"} for i in range(8)]
    assert check_group(partners, eight).ok
    assert not can_add_item(partners, eight).ok
    assert can_add_item(partners, eight[:7]).ok
    nine = check_group(partners, eight + [{"partner_name": "合作单位9"}])
    assert not nine.ok and "最多8家" in nine.message
    repeated = check_group(partners, [{"partner_name": "甲公司"}, {"partner_name": "甲 公司"}])
    assert not repeated.ok and "两次" in repeated.message
    assert not check_group(partners, []).ok  # 项目须以联合体方式申报
    assert "逐项" in check_value(partners, "移动公司", {}).message


# --- sub-total rules -------------------------------------------------------------------------

def test_sub_totals_within_their_total() -> None:
    values = {"patents_software": 6, "patents": 2, "software_copyrights": 4, "standards": 3, "industry_standards": 1}
    assert check_rules(RESULTS, values) == []  # group_standards not filled yet: that rule waits


def test_sub_totals_over_their_total() -> None:
    values = {"patents_software": 5, "patents": 2, "software_copyrights": 4, "awards": 0, "provincial_awards": 1}
    messages = check_rules(RESULTS, values)
    assert len(messages) == 2
    assert any("其中专利数量与软件著作权数量之和" in m for m in messages)
    assert any("省部级" in m for m in messages)
