"""The exported .docx: the official order and headings, each value under its heading, blanks blank."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from docx.table import Table

from knowledge.forms.export import BLANK_DATE, BLANK_LINE, checklist_text, export_docx
from knowledge.forms.loader import get_forms
from knowledge.forms.schema import FormSchema

FORMS = get_forms()
PARTNER = {"partner_name": "中国移动通信集团上海有限公司", "partner_nature": "电信运营企业", "partner_code": "91310000710935804R"}
SH5G_VALUES: dict[str, Any] = {
    "project_name": "基于5G的院前急救与院内救治一体化平台", "apply_date": "2021-01-15", "unit_name": "上海市某某医院",
    "org_code": "123100004250061179", "unit_address": "上海市徐汇区某某路100号", "mail_address": "上海市徐汇区某某路100号科研处",
    "postcode": "200030", "leader": "李四", "leader_title": "副院长/主任医师", "contact_name": "张三",
    "contact_phone": "021-64041990", "contact_position": "科研处副处长", "contact_mobile": "13812345678",
    "contact_fax": None, "contact_email": "zhangsan@example-hospital.cn",
    "partners": [PARTNER, {"partner_name": "上海某某软件有限公司", "partner_nature": "软件企业", "partner_code": "91310115MA1FL8L96T"}],
    "direction": "5G+远程诊断", "goal": "目标一：缩短急救响应时间。\n目标二：院前院内信息贯通。", "content": "总体技术方案采用5G SA专网。",
}


def sections_of(path: Path) -> dict[str, list[str]]:
    """Text under each heading (title included), in document order; a table row is 'cell | cell'."""
    document = docx.Document(str(path))
    under: dict[str, list[str]] = {}
    current = "（无标题）"
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            under.setdefault(current, []).extend(" | ".join(c.text for c in row.cells) for row in block.rows)
        elif block.style.name.startswith(("Heading", "Title")):
            current = block.text
            under.setdefault(current, [])
        else:
            under.setdefault(current, []).append(block.text)
    return under


def all_text(path: Path) -> str:
    return "\n".join(line for lines in sections_of(path).values() for line in lines) + "\n".join(sections_of(path))


@pytest.fixture
def sh5g_doc(tmp_path: Path) -> Path:
    return export_docx(FORMS["sh5g_application"], SH5G_VALUES, tmp_path / "sh5g.docx")


def test_title_cover_and_headings_in_template_order(sh5g_doc: Path) -> None:
    assert list(sections_of(sh5g_doc)) == [
        "上海市5G+医疗健康应用试点项目申报书", "一、申报单位和申报项目基本情况", "二、申报项目建设方案", "（一）项目实施方案",
        "1. 项目目标和必要性", "2. 项目建设内容", "3. 已有工作基础", "4. 组织方式与管理机制", "（二）项目效益分析",
        "1. 项目实施的创新性", "2. 项目的可推广性", "（三）项目团队基本情况", "1. 项目牵头单位资质与能力", "2. 产学研用联合协作情况",
    ]
    cover = sections_of(sh5g_doc)["上海市5G+医疗健康应用试点项目申报书"]
    assert cover[:4] == ["项目名称：基于5G的院前急救与院内救治一体化平台", "项目方向：5G+远程诊断", "申报单位：上海市某某医院",
                         "申报日期：2021年1月15日"]
    assert "中国信息通信研究院编制" in cover


def test_each_basic_value_sits_in_its_row_under_its_heading(sh5g_doc: Path) -> None:
    rows = sections_of(sh5g_doc)["一、申报单位和申报项目基本情况"]
    for label, value in [("申报单位名称", "上海市某某医院"), ("组织机构代码/三证合一码", "123100004250061179"), ("邮政编码", "200030"),
                         ("联系人姓名", "张三"), ("联系人电话", "021-64041990"), ("联系人手机", "13812345678"),
                         ("联系人E-mail", "zhangsan@example-hospital.cn")]:
        assert f"{label} | {value}" in rows
    assert "联系人传真 | " in rows  # blank: an empty cell
    assert "序号 | 单位名称 | 单位性质 | 组织机构代码/三证合一码" in rows
    assert "1 | 中国移动通信集团上海有限公司 | 电信运营企业 | 91310000710935804R" in rows
    assert "2 | 上海某某软件有限公司 | 软件企业 | 91310115MA1FL8L96T" in rows
    direction = next(row for row in rows if row.startswith("申报试点项目方向 | "))
    assert "☑ 5G+远程诊断" in direction and "□ 5G+远程监护" in direction and "□ 其他：" in direction


def test_long_texts_under_their_headings_and_blank_ones_blank(sh5g_doc: Path) -> None:
    under = sections_of(sh5g_doc)
    assert under["1. 项目目标和必要性"] == ["（项目目标、项目背景和必要性等。）", "目标一：缩短急救响应时间。", "目标二：院前院内信息贯通。"]
    assert under["2. 项目建设内容"][1:] == ["总体技术方案采用5G SA专网。"]
    assert under["3. 已有工作基础"] == ["（已部署5G网络应用平台和设备情况，已开展相应业务情况等。）", ""]


def test_empty_form_is_blank_not_none(tmp_path: Path) -> None:
    for form in FORMS.values():
        path = export_docx(form, {}, tmp_path / f"{form.id}.docx")
        text = all_text(path)
        assert "None" not in text and "null" not in text
    cover = sections_of(tmp_path / "sh5g_application.docx")["上海市5G+医疗健康应用试点项目申报书"]
    assert f"项目名称：{BLANK_LINE}" in cover and f"申报日期：{BLANK_DATE}" in cover
    rows = sections_of(tmp_path / "sh5g_application.docx")["一、申报单位和申报项目基本情况"]
    assert "申报单位名称 | " in rows and " | " + " | ".join([""] * 3) in rows  # one empty partner row


def test_chinese_fonts_are_set(sh5g_doc: Path) -> None:
    document = docx.Document(str(sh5g_doc))
    for style, east_asian in (("Normal", "宋体"), ("Heading 1", "黑体"), ("Title", "黑体")):
        fonts = document.styles[style].element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")) == east_asian


def test_acceptance_application(tmp_path: Path) -> None:
    values = {"fill_date": "2024-01-08", "project_name": "5G急救", "unit_name": "上海市某某医院", "direction": "其他：5G+康复",
              "leader": "李四", "leader_title": "主任医师", "contact_name": "张三", "contact_phone": "13812345678",
              "contact_email": "z@example.cn", "partners": [{"partner_name": "中国电信股份有限公司上海分公司"}],
              "intro": "项目已建成5G急救专网。"}
    path = export_docx(FORMS["accept_application"], values, tmp_path / "accept.docx")
    lines = sections_of(path)["5G+医疗健康应用试点项目验收申请书"]
    assert lines[0] == "填报时间：2024年1月8日"
    assert "申报主体单位：上海市某某医院" in lines and "项目联系人联系电话：13812345678" in lines
    assert "项目申报方向：其他：5G+康复" in lines
    assert "1 | 中国电信股份有限公司上海分公司" in lines
    intro = lines.index("试点项目介绍：")
    assert lines[intro + 1: intro + 3] == ["（说明项目完成情况、应用效果等，500字以内，可附页。）", "项目已建成5G急救专网。"]
    assert lines[-4:] == ["负责人（签名）：", "年    月    日", "申报主体单位（盖章）：", "年    月    日"]


def test_results_table_values_under_numbered_headings(tmp_path: Path) -> None:
    values = {"project_name": "5G急救", "unit_name": "上海市某某医院", "network_done": True, "private_networks": 2,
              "private_network_type": "公网专用", "terminals_deployed": False, "input_amount": 350.0, "output_amount": 420.5,
              "patents_software": 6, "patents": 2, "software_copyrights": 4}
    under = sections_of(export_docx(FORMS["accept_results"], values, tmp_path / "results.docx"))
    assert "是否完成5G网络建设任务 | 是" in under["1.5G网络建设情况"]
    assert "是否部署5G终端 | 否" in under["1.5G网络建设情况"]
    assert "5G医疗虚拟专网类型 | 公网专用" in under["1.5G网络建设情况"]
    assert "投入金额（万元） | 350" in under["4.社会经济效益"] and "产出（营收）金额（万元） | 420.5" in under["4.社会经济效益"]
    assert "其中专利数量（个） | 2" in under["5.成果产出情况"]
    assert "5G物联网终端连接数（台） | " in under["1.5G网络建设情况"]


def test_extension_form(tmp_path: Path) -> None:
    values = {"request_type": "延期", "reason": "院区改造。", "extension_months": 6}
    under = sections_of(export_docx(FORMS["accept_extension"], values, tmp_path / "ext.docx"))
    section = under["试点项目延期/终止申请"]
    assert section[:5] == ["申请类型（延期/终止） | 延期", "延期/终止原因：", "（说明项目延期/终止原因。）", "院区改造。", "拟延期时间（月） | 6"]


@pytest.mark.parametrize("form_id", sorted(FORMS))
def test_checklist_text_numbers_items_with_short_citations(form_id: str) -> None:
    form: FormSchema = FORMS[form_id]
    text = checklist_text(form)
    lines = text.splitlines()
    assert lines[0] == f"《{form.title}》请一并准备："
    assert len(lines) == len(form.checklist) + 1
    assert all(line.startswith(f"{n}. ") and "（依据：" in line for n, line in enumerate(lines[1:], 1))


def test_sh5g_checklist_mentions_what_to_sign_stamp_and_where_to_send() -> None:
    text = checklist_text(FORMS["sh5g_application"])
    assert "法定代表人签字" in text and "骑缝章" in text and "一式六份" in text and "光盘" in text
    assert "依据：上海市5G+医疗健康应用试点通知 五、有关事宜 > （三）" in text
    nat = checklist_text(FORMS["nat5g_application"])
    assert "一式三份" in nat and "依据：上海市5G+医疗健康应用试点通知 附件2-2 申报主体责任声明" in nat
