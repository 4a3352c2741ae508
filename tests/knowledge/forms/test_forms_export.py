"""The exported .docx as its template draws it: cover, 填表须知 page, the template's tables (merged
cells, the 联系人 block, one row per partner), headings, page numbers, Chinese fonts, attachments.
How it looks once rendered (pages, centring, every value on paper): tests/documents/."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from knowledge.forms.export import CHECKED, UNCHECKED, checklist_text, export_docx
from knowledge.forms.loader import get_forms, load_forms
from knowledge.forms.schema import FormSchema
from knowledge.loader import KnowledgeError

Corrupt = Callable[[str, str, str], Path]  # the broken_copy fixture (conftest.py)

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
ACCEPT_VALUES: dict[str, Any] = {
    "fill_date": "2024-01-08", "project_name": "5G急救", "unit_name": "上海市某某医院", "direction": "其他：5G+康复",
    "leader": "李四", "leader_title": "主任医师", "contact_name": "张三", "contact_phone": "13812345678",
    "contact_email": "z@example.cn", "partners": [{"partner_name": "中国电信股份有限公司上海分公司"}],
    "intro": "项目已建成5G急救专网。",
}


def blocks(document: DocxDocument) -> list[Paragraph | Table]:
    return list(document.iter_inner_content())


def row_texts(table: Table) -> list[str]:
    """Each row as 'cell | cell', a merged cell once."""
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) not in seen:
                seen.add(id(cell._tc))
                cells.append(cell.text)
        rows.append(" | ".join(cells))
    return rows


def tables(document: DocxDocument) -> list[list[str]]:
    return [row_texts(block) for block in blocks(document) if isinstance(block, Table)]


def headings(document: DocxDocument) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]


@pytest.fixture(scope="module")
def sh5g(tmp_path_factory: pytest.TempPathFactory) -> DocxDocument:
    path = export_docx(FORMS["sh5g_application"], SH5G_VALUES, tmp_path_factory.mktemp("sh5g") / "sh5g.docx")
    return docx.Document(str(path))


def test_cover_then_instructions_on_their_own_page(sh5g: DocxDocument) -> None:
    content = blocks(sh5g)
    title, cover = content[0], content[1]
    assert isinstance(title, Paragraph) and title.text == "上海市5G+医疗健康应用试点项目申报书"
    assert title.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER
    assert isinstance(cover, Table) and row_texts(cover) == [
        "项目名称： | 基于5G的院前急救与院内救治一体化平台 | ", "项目方向： | 5G+远程诊断 | ",
        "申报单位： | 上海市某某医院 | （加盖单位公章）", "申报日期： | 2021年1月15日 | "]
    # the value is the underlined blank: a rule below it, no box
    borders = cover.cell(0, 1)._tc.tcPr.find(qn("w:tcBorders"))
    assert borders.find(qn("w:bottom")).get(qn("w:val")) == "single" and borders.find(qn("w:left")).get(qn("w:val")) == "nil"
    texts = [block.text if isinstance(block, Paragraph) else "<table>" for block in content]
    guidance = texts.index("工业和信息化部、国家卫生健康委员会指导")
    assert texts[guidance + 1] == "中国信息通信研究院编制"
    instructions = texts.index("填表须知")
    page_break = next(i for i in range(guidance, instructions) if 'w:br w:type="page"' in content[i]._p.xml)
    assert guidance < page_break < instructions
    assert texts[instructions + 1].startswith("一、申报单位应仔细阅读《关于组织开展上海市5G+医疗健康应用试点项目申报工作的通知》")
    assert texts[instructions + 3] == "三、申报书打印要求：正反面打印。"
    assert 'w:br w:type="page"' in content[instructions + 4]._p.xml


def test_headings_as_in_the_template(sh5g: DocxDocument) -> None:
    assert headings(sh5g) == [
        "一、申报单位和申报项目基本情况", "二、申报项目建设方案", "（一）项目实施方案",
        "1. 项目目标和必要性", "2. 项目建设内容", "3. 已有工作基础", "4. 组织方式与管理机制", "（二）项目效益分析",
        "1. 项目实施的创新性", "2. 项目的可推广性", "（三）项目团队基本情况", "1. 项目牵头单位资质与能力", "2. 产学研用联合协作情况",
        "申报单位相关证明材料", "申报主体责任声明",
    ]
    for style in ("Heading 1", "Heading 2", "Heading 3"):  # black, no theme colour or rule
        assert sh5g.styles[style].font.color.rgb == docx.shared.RGBColor(0, 0, 0)
    assert all(p.style.name != "Title" for p in sh5g.paragraphs)


def test_basic_information_is_the_templates_table(sh5g: DocxDocument) -> None:
    basic = tables(sh5g)[1]
    assert basic == [
        "申报单位名称 | 上海市某某医院",
        "组织机构代码/三证合一码 | 123100004250061179",
        "申报单位地址 | 上海市徐汇区某某路100号",
        "通讯地址 | 上海市徐汇区某某路100号科研处 | 邮政编码 | 200030",
        "项目负责人 | 李四 | 职务/职称 | 副院长/主任医师",
        "联系人 | 姓名 | 张三 | 电话 | 021-64041990",
        "联系人 | 职务 | 科研处副处长 | 手机 | 13812345678",
        "联系人 | 传真 |  | E-mail | zhangsan@example-hospital.cn",
        "联合申报单位 | 单位名称 | 单位性质 | 组织机构代码/三证合一码",
        "联合申报单位 | 中国移动通信集团上海有限公司 | 电信运营企业 | 91310000710935804R",
        "联合申报单位 | 上海某某软件有限公司 | 软件企业 | 91310115MA1FL8L96T",
        basic[-1],
    ]
    direction = basic[-1]
    assert direction.startswith("申报试点项目方向 | ")
    assert f"{CHECKED} 方向2：5G+远程诊断" in direction and f"{UNCHECKED} 方向1：" in direction and f"{UNCHECKED} 其他：" in direction


def test_codes_stay_on_one_line_in_columns_wide_enough(sh5g: DocxDocument) -> None:
    table = sh5g.tables[1]
    code_cell = table.cell(9, 4)
    assert code_cell.text == "91310000710935804R"
    assert code_cell._tc.tcPr.find(qn("w:noWrap")) is not None
    assert code_cell.width.cm >= 4.5  # 18 characters of 五号 text and the cell's margins
    assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"


def test_long_texts_under_their_headings_with_the_outline_hint(sh5g: DocxDocument) -> None:
    texts = [p.text for p in sh5g.paragraphs]
    goal = texts.index("1. 项目目标和必要性")
    assert texts[goal + 1: goal + 4] == ["（项目目标、项目背景和必要性等。）", "目标一：缩短急救响应时间。", "目标二：院前院内信息贯通。"]
    basis = texts.index("3. 已有工作基础")
    assert texts[basis + 1: basis + 3] == ["（已部署5G网络应用平台和设备情况，已开展相应业务情况等。）", ""]


def test_every_run_names_its_chinese_font_and_the_font_table_its_latin_alias(sh5g: DocxDocument) -> None:
    runs = [run for p in sh5g.paragraphs for run in p.runs if run.text]
    runs += [run for t in sh5g.tables for row in t.rows for c in row.cells for p in c.paragraphs for run in p.runs if run.text]
    assert runs and {run._element.rPr.rFonts.get(qn("w:eastAsia")) for run in runs} <= {"宋体", "仿宋", "黑体"}
    assert {run._element.rPr.rFonts.get(qn("w:eastAsia")) for run in runs} >= {"宋体", "仿宋"}
    font_table = next(r.target_part for r in sh5g.part.rels.values() if r.reltype.endswith("/fontTable")).blob.decode()
    assert '<w:font w:name="宋体"><w:altName w:val="SimSun"/>' in font_table
    assert '<w:font w:name="仿宋"><w:altName w:val="FangSong"/>' in font_table


def test_page_numbers_on_every_page_but_the_cover(sh5g: DocxDocument) -> None:
    section = sh5g.sections[0]
    assert section.different_first_page_header_footer
    assert "PAGE" in section.footer._element.xml and "PAGE" not in section.first_page_footer._element.xml
    assert section.page_width.cm == pytest.approx(21.0, abs=0.01) and section.page_height.cm == pytest.approx(29.7, abs=0.01)


def test_attachments_checklist_and_filled_declaration(sh5g: DocxDocument) -> None:
    texts = [p.text for p in sh5g.paragraphs]
    assert texts.count("附件2-1") == 1 and texts.count("附件2-2") == 1
    checklist = tables(sh5g)[2]
    assert checklist[0] == "证明材料 | 已附"
    assert checklist[1] == f"一、申报单位相关荣誉证明材料\n（重点实验室、工程实验室、技术中心等相关证明材料） | {UNCHECKED}"
    assert len(checklist) == 5 and checklist[4].startswith("四、牵头单位和联合单位之间联合协议或合同等证明材料")
    declaration = texts[texts.index("申报主体责任声明"):]
    assert "我单位提交了  基于5G的院前急救与院内救治一体化平台  项目参评。" in declaration[1]
    assert "我单位对违反上述声明导致的后果承担全部法律责任。" in declaration
    assert declaration[-3:] == ["法定代表人：（签字）", "单位（单位盖章）：上海市某某医院", "2021年  月  日"]
    filled = next(p for p in sh5g.paragraphs if "项目参评" in p.text)
    assert [run.text.strip() for run in filled.runs if run.underline] == ["基于5G的院前急救与院内救治一体化平台"]


def test_national_form_has_the_same_template_without_the_shanghai_instructions(tmp_path: Path) -> None:
    document = docx.Document(str(export_docx(FORMS["nat5g_application"], SH5G_VALUES, tmp_path / "nat.docx")))
    texts = [p.text for p in document.paragraphs]
    assert "填表须知" not in texts and "中国信息通信研究院编制" in texts and "申报主体责任声明" in texts
    assert tables(document)[1][0] == "申报单位名称 | 上海市某某医院"


def test_empty_form_is_blank_not_none(tmp_path: Path) -> None:
    for form in FORMS.values():
        document = docx.Document(str(export_docx(form, {}, tmp_path / f"{form.id}.docx")))
        text = "\n".join([p.text for p in document.paragraphs] + ["\n".join(rows) for rows in tables(document)])
        assert "None" not in text and "null" not in text
    sh5g = docx.Document(str(tmp_path / "sh5g_application.docx"))
    assert tables(sh5g)[0][0] == "项目名称： |  | " and tables(sh5g)[0][3] == "申报日期： | 年      月      日 | "
    assert "联合申报单位 |  |  | " in tables(sh5g)[1]  # one empty partner row
    declaration = next(p for p in sh5g.paragraphs if "项目参评" in p.text)
    assert [run.text for run in declaration.runs if run.underline] == [" " * 28]  # a blank to write on


def test_acceptance_application_is_one_table_with_the_signatures_below(tmp_path: Path) -> None:
    document = docx.Document(str(export_docx(FORMS["accept_application"], ACCEPT_VALUES, tmp_path / "accept.docx")))
    assert document.paragraphs[0].text == "5G+医疗健康应用试点项目验收申请书"
    assert "填报时间：2024年1月8日" in [p.text for p in document.paragraphs]
    main, signature = tables(document)
    assert main[:2] == ["项目名称 | 5G急救", "申报主体单位 | 上海市某某医院"]
    assert main[2].startswith("项目申报方向 | ") and f"{CHECKED} 其他：5G+康复" in main[2] and f"{UNCHECKED} 方向1：" in main[2]
    assert main[3:] == [
        "项目负责人 | 李四 | 职务/职称 | 主任医师",
        "项目联系人 | 姓名 | 联系电话 | 联系邮箱", "项目联系人 | 张三 | 13812345678 | z@example.cn",
        "联合申报单位（可扩行） | 单位名称", "联合申报单位（可扩行） | 中国电信股份有限公司上海分公司",
        "试点项目介绍\n（说明项目完成情况、应用效果等，500字以内，可附页。） | 项目已建成5G急救专网。",
    ]
    assert signature == ["负责人（签名）： | 申报主体单位（盖章）：", " | ", "年    月    日 | 年    月    日"]


def test_results_table_sections_down_the_first_column(tmp_path: Path) -> None:
    values = {"project_name": "5G急救", "unit_name": "上海市某某医院", "network_done": True, "private_networks": 2,
              "private_network_type": "公网专用", "terminals_deployed": False, "input_amount": 350.0, "output_amount": 420.5,
              "patents_software": 6, "patents": 2, "software_copyrights": 4}
    document = docx.Document(str(export_docx(FORMS["accept_results"], values, tmp_path / "results.docx")))
    (rows,) = tables(document)
    assert rows[:4] == [
        "项目名称 | 5G急救", "申报主体单位 | 上海市某某医院",
        "1.5G网络建设情况 | 是否完成5G网络建设任务 | 是 | 5G医疗虚拟专网数（个） | 2",
        "1.5G网络建设情况 |  | 5G医疗虚拟专网类型 | 公网专用",
    ]
    assert "4.社会经济效益 |  | 投入金额（万元） | 350" in rows and "4.社会经济效益 |  | 产出（营收）金额（万元） | 420.5" in rows
    assert "5.成果产出情况 | 专利/软件著作权数量（个） | 6 | 其中专利数量（个） | 2" in rows
    assert headings(document) == []  # the parts are the table's first column, as in the template


def test_extension_form_names_partners_in_one_cell(tmp_path: Path) -> None:
    values = {"request_type": "延期", "reason": "院区改造。", "extension_months": 6,
              "partners": [{"partner_name": "甲公司"}, {"partner_name": "乙公司"}]}
    (rows, signature) = tables(docx.Document(str(export_docx(FORMS["accept_extension"], values, tmp_path / "ext.docx"))))
    assert "联系方式 |  | 联合申报单位 | 甲公司、乙公司" in rows
    assert rows[-3:] == ["申请类型（延期/终止） | 延期", "延期/终止原因\n（说明项目延期/终止原因。） | 院区改造。", "拟延期时间（月） | 6"]


def test_a_layout_that_leaves_out_a_field_is_refused(broken_copy: Corrupt) -> None:
    root = broken_copy("forms/sh5g_application.yml", "        - [leader, leader_title]\n", "        - [leader]\n")
    with pytest.raises(KnowledgeError, match=r"sh5g_application.yml: sections.1.layout: must place each field"):
        load_forms(root)


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
