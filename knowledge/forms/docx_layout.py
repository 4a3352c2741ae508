"""python-docx building blocks for printed Chinese forms: A4 page, fonts, page numbers, tables.

Chinese text needs its font named for East-Asian characters (``w:eastAsia`` in the run
properties): python-docx's ``font.name`` sets only the Latin one, and Word/LibreOffice then show
Chinese in whatever the theme says. Every run gets both, and the font table names each Chinese
font's Latin alias (宋体 = SimSun …) so that a system without the Chinese name still finds it.
"""
from __future__ import annotations

from dataclasses import dataclass

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT, WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

LATIN_FONT = "Times New Roman"
SONG, FANGSONG, HEI = "宋体", "仿宋", "黑体"
# The Chinese fonts' Latin names: Word looks a font up by either (w:altName in the font table).
FONT_ALIASES = {SONG: "SimSun", FANGSONG: "FangSong", HEI: "SimHei"}


@dataclass(frozen=True)
class TextStyle:
    east_asian: str
    size: float  # points: 二号 22, 三号 16, 四号 14, 小四 12, 五号 10.5
    bold: bool = False


TITLE = TextStyle(SONG, 22, bold=True)
HEADING = (TextStyle(HEI, 16), TextStyle(FANGSONG, 16, bold=True), TextStyle(FANGSONG, 14, bold=True))
BODY = TextStyle(FANGSONG, 14)
COVER = TextStyle(FANGSONG, 16)
TABLE = TextStyle(SONG, 10.5)
TABLE_LABEL = TextStyle(SONG, 10.5, bold=True)
HINT = TextStyle(SONG, 9)


def _set_fonts(r_pr: object, style: TextStyle) -> None:
    r_fonts = r_pr.get_or_add_rFonts()  # type: ignore[attr-defined]
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        r_fonts.attrib.pop(qn(attr), None)
    r_fonts.set(qn("w:ascii"), LATIN_FONT)
    r_fonts.set(qn("w:hAnsi"), LATIN_FONT)
    r_fonts.set(qn("w:eastAsia"), style.east_asian)
    r_fonts.set(qn("w:hint"), "eastAsia")


def styled_run(paragraph: Paragraph, text: str, style: TextStyle, underline: bool = False) -> Run:
    run = paragraph.add_run(text)
    run.font.size, run.font.bold, run.font.underline = Pt(style.size), style.bold, underline or None
    run.font.color.rgb = RGBColor(0, 0, 0)
    _set_fonts(run._element.get_or_add_rPr(), style)
    return run


def _add_font_aliases(document: DocxDocument) -> None:
    font_table: Part = next(rel.target_part for rel in document.part.rels.values() if rel.reltype.endswith("/fontTable"))
    fonts = parse_xml(font_table.blob)
    for name, alias in FONT_ALIASES.items():
        fonts.append(parse_xml(
            f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alias}"/><w:charset w:val="86"/>'
            f'<w:family w:val="{"modern" if name == HEI else "roman"}"/><w:pitch w:val="variable"/></w:font>'
        ))
    font_table._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)  # type: ignore[attr-defined]


def _style_fonts(document: DocxDocument) -> None:
    for name, style in (("Normal", BODY), *((f"Heading {n}", s) for n, s in enumerate(HEADING, 1))):
        word_style = document.styles[name]
        word_style.font.size, word_style.font.bold = Pt(style.size), style.bold  # type: ignore[attr-defined]
        word_style.font.color.rgb = RGBColor(0, 0, 0)  # type: ignore[attr-defined]
        word_style.font.italic = False  # type: ignore[attr-defined]
        _set_fonts(word_style.element.get_or_add_rPr(), style)
        lang = word_style.element.get_or_add_rPr().find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            word_style.element.get_or_add_rPr().append(lang)
        lang.set(qn("w:eastAsia"), "zh-CN")
        if name.startswith("Heading"):
            word_style.paragraph_format.space_before, word_style.paragraph_format.space_after = Pt(12), Pt(6)  # type: ignore[attr-defined]


def new_document() -> DocxDocument:
    """An empty A4 document (template margins), Chinese fonts set, page numbers at the foot
    of every page but the cover."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2.54)
    section.left_margin = section.right_margin = Cm(2.5)
    section.different_first_page_header_footer = True
    _page_number_footer(section.footer.paragraphs[0])
    _style_fonts(document)
    _add_font_aliases(document)
    return document


def _page_number_footer(paragraph: Paragraph) -> None:
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    styled_run(paragraph, "— ", TABLE)
    run = styled_run(paragraph, "", TABLE)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._element.append(char)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._element.append(instr)
        else:
            shown = OxmlElement("w:t")
            shown.text = text
            run._element.append(shown)
    styled_run(paragraph, " —", TABLE)


def paragraph(document: DocxDocument | _Cell, text: str = "", style: TextStyle = BODY,
              align: WD_ALIGN_PARAGRAPH | None = None, indent_chars: int = 0,
              space_before: float = 0, space_after: float = 0) -> Paragraph:
    para = document.add_paragraph()
    para.alignment = align
    para.paragraph_format.space_before, para.paragraph_format.space_after = Pt(space_before), Pt(space_after)
    if indent_chars:
        para.paragraph_format.first_line_indent = Pt(style.size * indent_chars)
    if text:
        styled_run(para, text, style)
    return para


def heading(document: DocxDocument, text: str, level: int) -> Paragraph:
    """A heading in the template's words, in the outline (Word's navigation pane) but black and plain."""
    para = document.add_paragraph(style=f"Heading {level}")
    styled_run(para, text, HEADING[level - 1])
    return para


def page_break(document: DocxDocument) -> None:
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def new_section_page(document: DocxDocument) -> None:
    """An attachment starts on a new page (a new section, so it may restart its own layout)."""
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.different_first_page_header_footer = False  # only the cover goes without a page number


# --- tables ------------------------------------------------------------------------------------

def grid_table(document: DocxDocument, widths_cm: list[float], rows: int, borders: bool = True) -> Table:
    """A table of fixed column widths (Word and LibreOffice both honour w:tblLayout fixed)."""
    table = document.add_table(rows=rows, cols=len(widths_cm))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    if borders:
        table.style = "Table Grid"
    for column, width in zip(table.columns, widths_cm):
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)
    return table


def add_rows(table: Table, count: int) -> list[int]:
    """Appends ``count`` rows; returns their indexes."""
    start = len(table.rows)
    for _ in range(count):
        table.add_row()
    return list(range(start, start + count))


def merge(table: Table, row: int, first_col: int, last_col: int, last_row: int | None = None) -> _Cell:
    """The cells from (row, first_col) to (last_row or row, last_col) as one cell."""
    start = table.cell(row, first_col)
    end = table.cell(last_row if last_row is not None else row, last_col)
    return start if start._tc is end._tc else start.merge(end)


def write(cell: _Cell, text: str, style: TextStyle = TABLE, align: WD_ALIGN_PARAGRAPH | None = None,
          no_wrap: bool = False, tab_cm: float | None = None, top: bool = False) -> None:
    """Replaces the cell's text; each line of ``text`` is a paragraph."""
    first = cell.paragraphs[0]
    for extra in cell.paragraphs[1:]:
        extra._element.getparent().remove(extra._element)
    for run in list(first.runs):
        run._element.getparent().remove(run._element)
    for index, line in enumerate(text.split("\n")):
        para = first if index == 0 else cell.add_paragraph()
        para.alignment = align
        para.paragraph_format.space_before = para.paragraph_format.space_after = Pt(0)
        if tab_cm is not None:
            para.paragraph_format.tab_stops.add_tab_stop(Cm(tab_cm))
        if line:
            styled_run(para, line, style)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP if top else WD_CELL_VERTICAL_ALIGNMENT.CENTER
    if no_wrap:
        tc_pr = cell._tc.get_or_add_tcPr()
        if tc_pr.find(qn("w:noWrap")) is None:
            tc_pr.append(OxmlElement("w:noWrap"))


def add_text(cell: _Cell, text: str, style: TextStyle) -> None:
    """One more paragraph in a cell (the hint under a label)."""
    para = cell.add_paragraph()
    para.paragraph_format.space_before = para.paragraph_format.space_after = Pt(0)
    styled_run(para, text, style)


def bottom_border_only(cell: _Cell) -> None:
    """The underlined blank of a cover line: a rule under the value, nothing around it."""
    tc_pr = cell._tc.get_or_add_tcPr()
    borders = OxmlElement("w:tcBorders")
    for side in ("top", "left", "right", "bottom"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "single" if side == "bottom" else "nil")
        if side == "bottom":
            edge.set(qn("w:sz"), "8")
            edge.set(qn("w:color"), "000000")
        borders.append(edge)
    tc_pr.append(borders)


def min_row_height(table: Table, row: int, cm: float) -> None:
    table.rows[row].height = Cm(cm)
