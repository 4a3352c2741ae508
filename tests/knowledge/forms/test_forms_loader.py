"""The form schemas load from data/forms/, follow the official templates, and a wrong file fails
naming the file and the field."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from knowledge.forms.loader import forms_for_program, get_forms, load_forms, resolve_citation
from knowledge.forms.schema import FormSchema
from knowledge.loader import KnowledgeError

Corrupt = Callable[[str, str, str], Path]  # the broken_copy fixture (conftest.py)

FORM_IDS = {"sh5g_application", "nat5g_application", "accept_application", "accept_extension", "accept_results"}


@pytest.fixture(scope="module")
def forms() -> dict[str, FormSchema]:
    return get_forms()


def test_every_official_form_loads(forms: dict[str, FormSchema]) -> None:
    assert set(forms) == FORM_IDS
    assert [f.id for f in forms_for_program("accept")] == ["accept_application", "accept_extension", "accept_results"]
    assert forms_for_program("smart") == []


def test_sh5g_follows_the_template_order(forms: dict[str, FormSchema]) -> None:
    form = forms["sh5g_application"]
    assert [s.title for s in form.sections] == [
        "封面", "一、申报单位和申报项目基本情况", "（一）项目实施方案", "（二）项目效益分析", "（三）项目团队基本情况",
    ]
    assert [f.label for f in form.sections[0].fields] == ["项目名称", "项目方向", "申报单位", "申报日期"]
    assert [f.label for f in form.sections[1].fields] == [
        "申报单位名称", "组织机构代码/三证合一码", "申报单位地址", "通讯地址", "邮政编码", "项目负责人", "职务/职称",
        "联系人姓名", "联系人电话", "联系人职务", "联系人手机", "联系人传真", "联系人E-mail", "联合申报单位",
        "申报试点项目方向",
    ]
    assert {s.parent for s in form.sections[2:]} == {"二、申报项目建设方案"}
    assert "5G组网方案" in form.field("content").hint
    assert all(spec.kind == "longtext" and not spec.required for s in form.sections[2:] for spec in s.fields)


def test_cover_repeats_are_not_asked_but_exported(forms: dict[str, FormSchema]) -> None:
    form = forms["sh5g_application"]
    asked = [spec.key for spec in form.asked_fields()]
    assert "cover_unit" not in asked and "unit_name" in asked
    filled = form.resolved({"unit_name": "上海市某某医院", "direction": "5G+远程诊断"})
    assert filled["cover_unit"] == "上海市某某医院"
    assert filled["cover_direction"] == "5G+远程诊断"


def test_partners_group_limits_and_lead_unit(forms: dict[str, FormSchema]) -> None:
    partners = forms["sh5g_application"].field("partners")
    assert partners.is_group and partners.max_items == 8
    assert [f.label for f in partners.fields] == ["单位名称", "单位性质", "组织机构代码/三证合一码"]
    assert partners.fields[0].not_equal_to == "unit_name"


def test_directions_come_from_each_programs_facts(forms: dict[str, FormSchema]) -> None:
    sh5g = forms["sh5g_application"].field("direction")
    nat5g = forms["nat5g_application"].field("direction")
    assert len(sh5g.choices) == 10 and sh5g.choices[9] == "5G+移动医护" and sh5g.allow_other
    assert len(nat5g.choices) == 8 and nat5g.choices[3] == "远程重症监护（ICU）"
    assert "急救" in sh5g.choice_aliases[sh5g.choices[0]]
    assert len(forms["accept_application"].field("direction").choices) == 8


def test_acceptance_forms(forms: dict[str, FormSchema]) -> None:
    assert forms["accept_application"].field("intro").max_length == 500
    extension = forms["accept_extension"].field("extension_months")
    assert extension.kind == "integer" and extension.max_value == 12 and "一年" in extension.limit_note
    results = forms["accept_results"]
    assert any(r.total == "patents_software" and r.parts == ["patents", "software_copyrights"] for r in results.rules)
    assert results.field("input_amount").kind == "amount"


def test_every_field_has_an_example_and_cited_checklists(forms: dict[str, FormSchema]) -> None:
    for form in forms.values():
        for spec in form.top_fields():
            assert spec.example or spec.same_as, f"{form.id}.{spec.key}"
            assert all(sub.example for sub in spec.fields), f"{form.id}.{spec.key}"
        assert form.checklist, form.id
    sh5g_text = " ".join(item.text for item in forms["sh5g_application"].checklist)
    for needed in ("附件2-1", "附件2-2", "法定代表人", "公章", "骑缝章", "一式六份", "A4", "光盘", "金港路766号", "线上系统"):
        assert needed in sh5g_text


def test_cross_notice_checklist_item_cites_the_notice_that_prints_it(forms: dict[str, FormSchema]) -> None:
    item = next(i for i in forms["nat5g_application"].checklist if "附件2-2" in i.text)
    citation = resolve_citation(item.source, item.cite)
    assert "上海市5G+医疗健康应用试点项目申报工作的通知" in citation.title
    assert citation.quote == "法定代表人：（签字）"


def test_extracted_entities_only_on_top_fields(forms: dict[str, FormSchema]) -> None:
    sh5g = forms["sh5g_application"]
    assert {spec.entity for spec in sh5g.top_fields() if spec.entity} == {
        "UNIT", "ORG_CODE", "ADDRESS", "POSTCODE", "LEADER", "CONTACT", "PHONE", "MOBILE", "EMAIL",
    }


# --- broken copies ------------------------------------------------------------------------

def test_untouched_copy_loads(broken_copy: Corrupt, tmp_path: Path) -> None:
    assert set(load_forms(tmp_path)) == FORM_IDS


@pytest.mark.parametrize(
    ("file_name", "old", "new", "where"),
    [
        ("sh5g_application.yml", "kind: postcode", "kind: zipcode", "sections.1.fields.4.kind"),
        ("sh5g_application.yml", "not_equal_to: unit_name", "not_equal_to: lead_unit", "sections.1.fields.13.fields.0"),
        ("sh5g_application.yml", "same_as: unit_name", "same_as: unit", "sections.0.fields.2"),
        ("sh5g_application.yml", "entity: POSTCODE", "entity: ZIP", "sections.1.fields.4"),
        ("sh5g_application.yml", "key: mail_address", "key: unit_address", "sections.1.fields.3.key"),
        ("sh5g_application.yml", "quote: 申报材料需用A4纸双面打印", "quote: 申报材料需用A3纸双面打印", "checklist.8"),
        ("nat5g_application.yml", "quote: 法定代表人：（签字）", "quote: 法人代表：（签字）", "checklist.1"),
        ("accept_results.yml", "total: patents_software", "total: patent_total", "rules.1"),
        ("accept_extension.yml", "        max_value: 12\n", "        max_value: 12\n        max_items: 3\n", "sections.1.fields.2"),
        ("accept_application.yml", "id: accept_application", "id: accept_apply", "id"),
    ],
)
def test_wrong_file_names_file_and_field(broken_copy: Corrupt, file_name: str, old: str, new: str, where: str) -> None:
    root = broken_copy(f"forms/{file_name}", old, new)
    with pytest.raises(KnowledgeError) as error:
        load_forms(root)
    assert file_name in str(error.value)
    assert where in str(error.value)


def test_sections_from_an_unknown_form_is_named(broken_copy: Corrupt) -> None:
    root = broken_copy("forms/nat5g_application.yml", "sections_from: sh5g_application", "sections_from: sh5g")
    with pytest.raises(KnowledgeError, match="nat5g_application.yml: sections_from"):
        load_forms(root)
