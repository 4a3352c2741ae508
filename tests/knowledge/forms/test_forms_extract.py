"""A pasted paragraph fills several fields: the spaCy zh pipeline (jieba) with entity patterns."""
from __future__ import annotations

import pytest

from knowledge.forms.extract import MAX_PASTE_CHARS, extract_entities, extract_fields, pipeline
from knowledge.forms.loader import get_forms
from knowledge.forms.validators import check_value

SH5G = get_forms()["sh5g_application"]
ACCEPT = get_forms()["accept_application"]
EXAMPLE = "单位：上海某某医院，统一社会信用代码12310000425012345X，联系人张三 13812345678"


def test_the_example_paragraph() -> None:
    assert extract_entities(EXAMPLE) == [
        ("UNIT", "上海某某医院"), ("ORG_CODE", "12310000425012345X"), ("CONTACT", "张三"), ("MOBILE", "13812345678"),
    ]
    assert extract_fields(SH5G, EXAMPLE) == {
        "unit_name": "上海某某医院", "org_code": "12310000425012345X", "contact_name": "张三", "contact_mobile": "13812345678",
    }


def test_the_pipeline_is_a_blank_zh_model_with_jieba_and_an_entity_ruler() -> None:
    nlp = pipeline()
    assert nlp.lang == "zh" and nlp.tokenizer.segmenter == "jieba"
    assert nlp.pipe_names == ["entity_ruler", "drop_entity_cues"]
    assert pipeline() is nlp  # built once


def test_a_full_paragraph_with_every_kind() -> None:
    text = (
        "申报单位名称:上海市第一人民医院医学研究中心；组织机构代码：42501234-5；地址：上海市浦东新区金港路766号，"
        "邮编200120，负责人李四，电话021-23170721，邮箱zhang.san@hospital.com.cn。联系人刘迪电话18861828866"
    )
    assert extract_fields(SH5G, text) == {
        "unit_name": "上海市第一人民医院医学研究中心", "org_code": "42501234-5", "unit_address": "上海市浦东新区金港路766号",
        "postcode": "200120", "leader": "李四", "contact_phone": "021-23170721", "contact_email": "zhang.san@hospital.com.cn",
        "contact_name": "刘迪", "contact_mobile": "18861828866",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("联系人：欧阳娜娜，手机138-1234-5678，E-mail: liu_d@caict.ac.cn",
         {"contact_name": "欧阳娜娜", "contact_mobile": "138-1234-5678", "contact_email": "liu_d@caict.ac.cn"}),
        ("我们单位是复旦大学附属中山医院，项目负责人是王五，联系电话021-64041990转123",
         {"unit_name": "复旦大学附属中山医院", "leader": "王五", "contact_phone": "021-64041990转123"}),
        ("联系人张三13812345678，地址上海市徐汇区某某路100号邮编200030",
         {"contact_name": "张三", "contact_mobile": "13812345678", "unit_address": "上海市徐汇区某某路100号", "postcode": "200030"}),
        ("联合单位：中国移动通信集团上海有限公司；申报单位：上海市某某医院", {"unit_name": "上海市某某医院"}),
        ("三证合一码 91310115MA1FL8L96T", {"org_code": "91310115MA1FL8L96T"}),
    ],
)
def test_variants(text: str, expected: dict[str, str]) -> None:
    assert extract_fields(SH5G, text) == expected


def test_a_mobile_fills_the_phone_field_of_a_form_without_a_mobile_field() -> None:
    text = "申报主体单位：上海市某某医院，项目联系人张三，13812345678，zhangsan@example.cn"
    assert extract_fields(ACCEPT, text) == {
        "unit_name": "上海市某某医院", "contact_name": "张三", "contact_phone": "13812345678", "contact_email": "zhangsan@example.cn",
    }


def test_only_fields_of_the_form_are_filled() -> None:
    results = get_forms()["accept_results"]
    assert extract_fields(results, EXAMPLE) == {"unit_name": "上海某某医院"}


def test_extracted_values_validate() -> None:
    found = extract_fields(SH5G, "联系人：欧阳娜娜，手机138-1234-5678，E-mail: liu_d@caict.ac.cn")
    checked = {key: check_value(SH5G.field(key), raw, {}) for key, raw in found.items()}
    assert {key: c.value for key, c in checked.items()} == {
        "contact_name": "欧阳娜娜", "contact_mobile": "13812345678", "contact_email": "liu_d@caict.ac.cn",
    }
    # The example's code has a wrong check character: extraction finds it, validation says so.
    assert not check_value(SH5G.field("org_code"), extract_fields(SH5G, EXAMPLE)["org_code"], {}).ok


@pytest.mark.parametrize("text", ["", "   ", "你好", "<script>alert(1)</script>", "😀" * 50, "单位：", "联系人：", "地址："])
def test_nothing_to_find(text: str) -> None:
    assert extract_fields(SH5G, text) == {}


def test_huge_paste_is_cut_not_choked_on() -> None:
    text = EXAMPLE + "。" + "内容" * MAX_PASTE_CHARS
    assert extract_fields(SH5G, text)["contact_mobile"] == "13812345678"
