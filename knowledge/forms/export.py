"""The filled form as a .docx in the official template's order and headings (python-docx).

Title; cover lines (``label：value``, a blank as underscores, as the printed cover has); the
preface (编制单位, 填表须知); each section's heading, its one-line fields in a two-column table
(a blank is an empty cell), repeatable groups as a table with one row per item, long texts as
numbered sub-headings with the outline's hint and the text below; the signature lines last.
Chinese text in 宋体 (SimSun), headings in 黑体 (SimHei), all black.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.styles.style import BaseStyle

from .loader import get_knowledge_data
from .schema import FieldSpec, FormSchema, FormValues, SectionSpec

BODY_FONT = ("Times New Roman", "宋体")  # (Latin, East Asian)
HEADING_FONT = ("Times New Roman", "黑体")
BLANK_LINE = "_" * 16
BLANK_DATE = "______年____月____日"
CHECKED, UNCHECKED = "☑", "□"


def _set_font(style: BaseStyle, fonts: tuple[str, str], size: float, bold: bool = False) -> None:
    font = style.font  # type: ignore[attr-defined]
    font.name, font.size, font.bold = fonts[0], Pt(size), bold
    font.color.rgb = RGBColor(0, 0, 0)
    r_fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    r_fonts.set(qn("w:eastAsia"), fonts[1])
    for theme_attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme"):
        r_fonts.attrib.pop(qn(theme_attr), None)


def _new_document() -> DocxDocument:
    document = Document()
    _set_font(document.styles["Normal"], BODY_FONT, 12)
    _set_font(document.styles["Title"], HEADING_FONT, 20, bold=True)
    for level, size in ((1, 15), (2, 14), (3, 12)):
        _set_font(document.styles[f"Heading {level}"], HEADING_FONT, size, bold=True)
    return document


def display(spec: FieldSpec, value: Any) -> str:
    """A stored value as the form prints it; '' for a blank."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if spec.kind == "date":
        day = date.fromisoformat(str(value))
        return f"{day.year}年{day.month}月{day.day}日"
    if spec.kind == "amount":
        return f"{float(value):.2f}".rstrip("0").rstrip(".")
    return str(value)


def _choice_lines(spec: FieldSpec, value: Any) -> str:
    """All the choices with the chosen one ticked, as the template's check boxes."""
    chosen = str(value) if value else ""
    lines = [f"{CHECKED if choice == chosen else UNCHECKED} {choice}" for choice in spec.choices]
    if spec.allow_other:
        other = chosen if chosen.startswith("其他") else ""
        lines.append(f"{CHECKED} {other}" if other else f"{UNCHECKED} 其他：{BLANK_LINE}")
    return "\n".join(lines)


def _cell_text(spec: FieldSpec, value: Any) -> str:
    if spec.kind == "choice" and spec.choices_from:
        return _choice_lines(spec, value)
    return display(spec, value)


def _line(document: DocxDocument, spec: FieldSpec, value: Any) -> None:
    shown = display(spec, value) or (BLANK_DATE if spec.kind == "date" else BLANK_LINE)
    paragraph = document.add_paragraph()
    paragraph.add_run(f"{spec.label}：").bold = True
    paragraph.add_run(shown)


def _field_table(document: DocxDocument, specs: list[FieldSpec], values: FormValues) -> None:
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for spec in specs:
        label, value = table.add_row().cells
        label.text = spec.label
        value.text = _cell_text(spec, values.get(spec.key))


def _group_table(document: DocxDocument, spec: FieldSpec, items: list[dict[str, Any]]) -> None:
    document.add_paragraph().add_run(spec.label).bold = True
    table = document.add_table(rows=1, cols=len(spec.fields) + 1)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["序号", *(sub.label for sub in spec.fields)]):
        cell.text = text
    for number, item in enumerate(items or [{}], 1):
        row = table.add_row().cells
        row[0].text = str(number) if item else ""
        for cell, sub in zip(row[1:], spec.fields):
            cell.text = display(sub, item.get(sub.key))


def _long_text(document: DocxDocument, number: int, spec: FieldSpec, value: Any, heading: bool) -> None:
    title = f"{number}. {spec.label}" if heading else f"{spec.label}："
    if heading:
        document.add_heading(title, level=3)
    else:
        document.add_paragraph().add_run(title).bold = True
    if spec.hint:
        document.add_paragraph(f"（{spec.hint}）")
    for text in (display(spec, value) or "").split("\n") or [""]:
        document.add_paragraph(text)


def _section(document: DocxDocument, section: SectionSpec, values: FormValues) -> None:
    pending: list[FieldSpec] = []

    def flush() -> None:
        if pending:
            _field_table(document, pending, values)
            pending.clear()

    long_number = 0
    # Sections made of long texts only (建设方案) number them as sub-headings; elsewhere a bold label.
    numbered = section.heading and all(spec.kind == "longtext" for spec in section.fields)
    for spec in section.fields:
        if spec.is_group:
            flush()
            _group_table(document, spec, values.get(spec.key) or [])
        elif spec.kind == "longtext":
            flush()
            long_number += 1
            _long_text(document, long_number, spec, values.get(spec.key), numbered)
        elif not section.heading:
            _line(document, spec, values.get(spec.key))
        else:
            pending.append(spec)
    flush()


def export_docx(form: FormSchema, values: FormValues, path: Path) -> Path:
    """Writes the form with ``values`` to ``path`` (.docx); blanks stay visibly blank."""
    values = form.resolved(values)
    document = _new_document()
    document.add_paragraph(form.title, style="Title").alignment = WD_ALIGN_PARAGRAPH.CENTER
    parent = None
    for index, section in enumerate(form.sections):
        if section.parent and section.parent != parent:
            document.add_heading(section.parent, level=1)
        parent = section.parent
        if section.heading:
            document.add_heading(section.title, level=2 if section.parent else 1)
        _section(document, section, values)
        if index == 0 and form.preface:  # the cover page ends with its preface
            for line in form.preface:
                document.add_paragraph(line)
            document.add_page_break()
    for line in form.signature:
        document.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def checklist_text(form: FormSchema) -> str:
    """What to attach, sign, stamp and submit, numbered, each with a short citation."""
    data = get_knowledge_data()
    lines = [f"《{form.title}》请一并准备："]
    for number, item in enumerate(form.checklist, 1):
        program = data.programs[item.source or form.program]
        lines.append(f"{number}. {item.text}（依据：{program.short_name}通知 {item.cite.clause}）")
    return "\n".join(lines)
