"""The filled form as a .docx laid out as its template in the notice (python-docx).

A form with a cover (申报书) gets the centred title, the cover lines as underlined blanks with
their notes (（加盖单位公章）) and the guidance lines (…指导, …编制) at the foot; the template's
instructions (填表须知) on a page of their own. Each section follows its template: a section with
a ``layout`` is the template's table (merged label cells, label widths, two fields side by side,
the 联系人 block, one row per partner, ticked boxes); long texts are numbered sub-headings with
the outline's hint; the signature lines close the form. Attachments that are forms follow on
pages of their own, their text taken from the notice (附件2-1 as a checklist, 附件2-2 filled in).
Page numbers at the foot of every page but the cover; fonts: knowledge/forms/docx_layout.py.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm
from docx.table import Table

from knowledge.sources import CLAUSE_SEPARATOR, Source

from . import docx_layout as layout
from .document_spec import AttachmentSpec, BlockRow, TableLayout
from .loader import get_knowledge_data
from .schema import FieldSpec, FormSchema, FormValues, SectionSpec

BLANK_LINE = "_" * 16
BLANK_DATE = "______年____月____日"
COVER_BLANK_DATE = "年      月      日"
CHECKED, UNCHECKED = "☑", "□"
CENTER, RIGHT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
CODE_KINDS = ("org_code", "phone", "mobile", "email", "postcode")  # never broken across lines
TEMPLATE_BLANK = re.compile(r"_{3,}")
SIGN_LINE = re.compile(r"（签字）|盖章）|年\s*月\s*日$")  # a declaration's signature, stamp and date lines


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


def _choice_lines(spec: FieldSpec, value: Any, prefix: str | None) -> list[str]:
    """All the choices with the chosen one ticked, as the template's check boxes."""
    chosen = str(value) if value else ""
    lines = [
        f"{CHECKED if choice == chosen else UNCHECKED} {f'{prefix}{n}：' if prefix else ''}{choice}"
        for n, choice in enumerate(spec.choices, 1)
    ]
    if spec.allow_other:
        other = chosen if chosen.startswith("其他") else ""
        lines.append(f"{CHECKED} {other}" if other else f"{UNCHECKED} 其他：{BLANK_LINE}")
    return lines


# --- the template's table ------------------------------------------------------------------------

class _TableWriter:
    """Writes a section's rows into the template's grid (``TableLayout.widths``)."""

    def __init__(self, table: Table, grid: TableLayout, form: FormSchema, values: FormValues) -> None:
        self.table, self.grid, self.form, self.values = table, grid, form, values
        self.last = len(grid.widths) - 1

    def section(self, section: SectionSpec, grid: TableLayout) -> None:
        first_col = 1 if grid.category else 0
        first_row = len(self.table.rows)
        for row in grid.rows:
            if isinstance(row, BlockRow):
                self._block(row, first_col)
            elif len(row) == 2:
                self._pair(row[0], row[1], first_col)
            elif (spec := self.form.field(row[0])).is_group:  # type: ignore[arg-type]
                self._group(spec, first_col)
            else:
                self._single(spec, first_col, grid.choice_prefix)
        if grid.category:
            layout.write(layout.merge(self.table, first_row, 0, 0, len(self.table.rows) - 1), section.title,
                         layout.TABLE_LABEL, CENTER)

    def _label(self, row: int, col: int, text: str, last_col: int | None = None, last_row: int | None = None) -> None:
        cell = layout.merge(self.table, row, col, last_col if last_col is not None else col, last_row)
        layout.write(cell, text, layout.TABLE_LABEL, CENTER)

    def _value(self, row: int, first_col: int, last_col: int, spec: FieldSpec | None, value: Any = None) -> None:
        cell = layout.merge(self.table, row, first_col, last_col)
        if spec is not None and spec.is_group:  # a group in one cell (延期/终止表): its items' names
            name = spec.fields[0]
            layout.write(cell, "、".join(display(name, item.get(name.key)) for item in value or []))
        elif spec is not None:
            layout.write(cell, display(spec, value), no_wrap=spec.kind in CODE_KINDS)

    def _single(self, spec: FieldSpec, col: int, prefix: str | None) -> None:
        (row,) = layout.add_rows(self.table, 1)
        value = self.values.get(spec.key)
        if spec.kind == "longtext":
            self._label(row, col, spec.label)
            if spec.hint:
                layout.add_text(self.table.cell(row, col), f"（{spec.hint}）", layout.HINT)
            cell = layout.merge(self.table, row, col + 1, self.last)
            layout.write(cell, display(spec, value), top=True)
            layout.min_row_height(self.table, row, 6.0)
            return
        self._label(row, col, spec.label)
        if spec.kind == "choice" and spec.choices_from:
            cell = layout.merge(self.table, row, col + 1, self.last)
            lines = _choice_lines(spec, value, prefix)
            paired = ["\t".join(lines[i:i + 2]) for i in range(0, len(lines), 2)]
            width = sum(self.grid.widths[col + 1:])
            layout.write(cell, "\n".join(paired), tab_cm=width / 2 - 0.1)
        else:
            self._value(row, col + 1, self.last, spec, value)

    def _pair(self, left: str | None, right: str | None, col: int) -> None:
        (row,) = layout.add_rows(self.table, 1)
        if left is None:
            self._value(row, col, self.last - 2, None)
        else:
            spec = self.form.field(left)
            self._label(row, col, spec.label)
            self._value(row, col + 1, self.last - 2, spec, self.values.get(left))
        if right is not None:
            spec = self.form.field(right)
            self._label(row, self.last - 1, spec.label)
            self._value(row, self.last, self.last, spec, self.values.get(right))

    def _spans(self, first: int, count: int) -> list[tuple[int, int]]:
        """``count`` cells over the columns from ``first`` to the last; the first takes what is left over."""
        extra = (self.last - first + 1) - count
        spans = [(first, first + extra)]
        spans += [(first + extra + n, first + extra + n) for n in range(1, count)]
        return spans

    def _header_and_items(self, label: str, subs: list[FieldSpec], items: list[dict[str, Any]], col: int) -> None:
        rows = layout.add_rows(self.table, 1 + max(len(items), 1))
        self._label(rows[0], col, label, last_row=rows[-1])
        spans = self._spans(col + 1, len(subs))
        for sub, (first, last) in zip(subs, spans):
            self._label(rows[0], first, self._short(label, sub.label), last_col=last)
        for row, item in zip(rows[1:], items or [{}]):
            for sub, (first, last) in zip(subs, spans):
                self._value(row, first, last, sub, item.get(sub.key))

    def _group(self, spec: FieldSpec, col: int) -> None:
        self._header_and_items(spec.label, list(spec.fields), self.values.get(spec.key) or [], col)

    def _block(self, block: BlockRow, col: int) -> None:
        if block.columns:
            subs = [self.form.field(key) for key in block.columns]
            self._header_and_items(block.block, subs, [{key: self.values.get(key) for key in block.columns}], col)
            return
        rows = layout.add_rows(self.table, len(block.rows))
        self._label(rows[0], col, block.block, last_row=rows[-1])
        for row, keys in zip(rows, block.rows):
            for key, (label_col, first, last) in zip(keys, ((col + 1, col + 2, self.last - 2), (self.last - 1, self.last, self.last))):
                spec = self.form.field(key)
                self._label(row, label_col, self._short(block.block, spec.label))
                self._value(row, first, last, spec, self.values.get(key))

    @staticmethod
    def _short(block: str, label: str) -> str:
        """联系人E-mail under 联系人 is E-mail; 项目联系人姓名 under 项目联系人 is 姓名."""
        return label[len(block):] if label.startswith(block) and len(label) > len(block) else label


# --- plain sections, cover, signature ------------------------------------------------------------

def _line(document: DocxDocument, spec: FieldSpec, value: Any) -> None:
    shown = display(spec, value) or (BLANK_DATE if spec.kind == "date" else BLANK_LINE)
    para = layout.paragraph(document, space_after=6)
    layout.styled_run(para, f"{spec.label}：", layout.TextStyle(layout.FANGSONG, 14, bold=True))
    layout.styled_run(para, shown, layout.BODY)


def _two_column_table(document: DocxDocument, specs: list[FieldSpec], values: FormValues) -> None:
    table = layout.grid_table(document, [5.0, 11.0], len(specs))
    for row, spec in enumerate(specs):
        layout.write(table.cell(row, 0), spec.label, layout.TABLE_LABEL, CENTER)
        layout.write(table.cell(row, 1), display(spec, values.get(spec.key)), no_wrap=spec.kind in CODE_KINDS)


def _long_text(document: DocxDocument, number: int, spec: FieldSpec, value: Any, numbered: bool) -> None:
    if numbered:
        layout.heading(document, f"{number}. {spec.label}", level=3)
    else:
        layout.paragraph(document, f"{spec.label}：", layout.TextStyle(layout.FANGSONG, 14, bold=True))
    if spec.hint:
        layout.paragraph(document, f"（{spec.hint}）", layout.TextStyle(layout.FANGSONG, 12))
    for text in (display(spec, value) or "").split("\n"):
        layout.paragraph(document, text, indent_chars=2)


def _plain_section(document: DocxDocument, section: SectionSpec, values: FormValues) -> None:
    """A section the template prints without a table of its own: lines, or long texts under headings."""
    pending: list[FieldSpec] = []
    numbered = section.heading and all(spec.kind == "longtext" for spec in section.fields)
    long_number = 0
    for spec in [*section.fields, None]:
        if spec is not None and section.heading and spec.kind not in ("longtext", "group"):
            pending.append(spec)
            continue
        if pending:
            _two_column_table(document, pending, values)
            pending = []
        if spec is None:
            break
        if spec.kind == "longtext":
            long_number += 1
            _long_text(document, long_number, spec, values.get(spec.key), numbered)
        else:
            _line(document, spec, values.get(spec.key))


def _cover(document: DocxDocument, form: FormSchema, section: SectionSpec, values: FormValues) -> None:
    cover = form.document.cover
    assert cover is not None
    layout.paragraph(document, form.title, layout.TITLE, CENTER, space_before=110, space_after=90)
    table = layout.grid_table(document, [3.8, 8.4, 3.8], len(section.fields), borders=False)
    for row, spec in enumerate(section.fields):
        layout.min_row_height(table, row, 1.3)
        layout.write(table.cell(row, 0), f"{spec.label}：", layout.COVER, RIGHT)
        value_cell = table.cell(row, 1)
        shown = display(spec, values.get(spec.key)) or (COVER_BLANK_DATE if spec.kind == "date" else "")
        layout.write(value_cell, shown, layout.COVER, CENTER)
        layout.bottom_border_only(value_cell)
        layout.write(table.cell(row, 2), cover.notes.get(spec.key, ""), layout.TextStyle(layout.FANGSONG, 12))
    for index, line in enumerate(cover.guidance):
        layout.paragraph(document, line, layout.COVER, CENTER, space_before=210 if index == 0 else 0, space_after=4)


def _instructions(document: DocxDocument, source: Source, clause: str) -> None:
    layout.paragraph(document, clause.split(CLAUSE_SEPARATOR)[-1], layout.HEADING[0], CENTER, space_after=18)
    for line in _clause_lines(source, clause):
        layout.paragraph(document, line, indent_chars=2, space_after=6)


def _signature(document: DocxDocument, lines: list[str]) -> None:
    """Pairs (who signs or stamps, date line) side by side, with room to sign between."""
    pairs = [lines[i:i + 2] for i in range(0, len(lines), 2)]
    layout.paragraph(document)
    table = layout.grid_table(document, [16.0 / len(pairs)] * len(pairs), 3, borders=False)
    for col, (who, *when) in enumerate(pairs):
        layout.write(table.cell(0, col), who, layout.BODY)
        layout.min_row_height(table, 1, 1.5)
        layout.write(table.cell(2, col), when[0] if when else "", layout.BODY, RIGHT)


# --- attachments -------------------------------------------------------------------------------

def _clause_lines(source: Source, clause: str) -> list[str]:
    found = source.clause(clause)
    if found is None:
        raise KeyError(f"{source.key}: no clause '{clause}'")
    return [line.strip() for line in found.text.split("\n") if line.strip()]


def _attachment_title(document: DocxDocument, clause: str) -> None:
    number, _, title = clause.partition(" ")
    layout.paragraph(document, number, layout.HEADING[0])
    layout.heading(document, title, level=1).alignment = CENTER


def _checklist(document: DocxDocument, source: Source, clause: str) -> None:
    """Each certificate the notice lists, its description below, and a box to tick."""
    items = [c for c in source.clauses if c.name.startswith(clause + CLAUSE_SEPARATOR)]
    table = layout.grid_table(document, [13.6, 2.4], 1 + len(items))
    for col, text in enumerate(("证明材料", "已附")):
        layout.write(table.cell(0, col), text, layout.TABLE_LABEL, CENTER)
    for row, item in enumerate(items, 1):
        cell = table.cell(row, 0)
        layout.write(cell, item.path[-1], layout.TABLE_LABEL)
        for line in item.text.split("\n"):
            layout.add_text(cell, line, layout.TABLE)
        layout.write(table.cell(row, 1), UNCHECKED, layout.TextStyle(layout.SONG, 16), CENTER)
        layout.min_row_height(table, row, 1.6)


def _declaration(document: DocxDocument, source: Source, spec: AttachmentSpec, values: FormValues) -> None:
    """The declaration's text with the project filled into its blank, then who signs and stamps."""
    project, unit = str(values.get(spec.project_field) or ""), str(values.get(spec.unit_field) or "")
    lines = _clause_lines(source, spec.clause)
    for line in (line for line in lines if not SIGN_LINE.search(line)):
        para = layout.paragraph(document, indent_chars=2, space_after=6)
        before, *after = TEMPLATE_BLANK.split(line, maxsplit=1)
        layout.styled_run(para, before, layout.BODY)
        if after:  # the template's ____: the project's name, or room to write it
            layout.styled_run(para, f"  {project or ' ' * 24}  ", layout.BODY, underline=True)
            layout.styled_run(para, after[0], layout.BODY)
    layout.paragraph(document, space_before=24)
    for line in (line for line in lines if SIGN_LINE.search(line)):
        shown = f"{line}：{unit}" if "盖章）" in line and unit else line
        para = layout.paragraph(document, shown, space_after=24)
        para.paragraph_format.left_indent = Cm(7.5)  # the template's signature block, right of centre


def _attachment(document: DocxDocument, form: FormSchema, spec: AttachmentSpec, values: FormValues) -> None:
    data = get_knowledge_data()
    source = data.sources[data.programs[spec.source or form.program].source]
    layout.new_section_page(document)
    _attachment_title(document, spec.clause)
    if spec.kind == "checklist":
        _checklist(document, source, spec.clause)
    else:
        _declaration(document, source, spec, values)


def export_docx(form: FormSchema, values: FormValues, path: Path) -> Path:
    """Writes the form with ``values`` to ``path`` (.docx) as its template; blanks stay visibly blank."""
    values = form.resolved(values)
    document = layout.new_document()
    sections = list(form.sections)
    data = get_knowledge_data()
    if form.document.cover is not None:
        _cover(document, form, sections.pop(0), values)
        layout.page_break(document)
        if form.document.instructions:
            _instructions(document, data.sources[data.programs[form.program].source], form.document.instructions)
            layout.page_break(document)
    else:
        layout.paragraph(document, form.title, layout.TextStyle(layout.SONG, 18, bold=True), CENTER, space_after=12)
    parent, writer = None, None
    for section in sections:
        if section.parent and section.parent != parent:
            layout.heading(document, section.parent, level=1)
        parent = section.parent
        grid = section.layout
        if section.heading and not (grid and grid.category):
            layout.heading(document, section.title, level=2 if section.parent else 1)
        if grid is None:
            writer = None
            _plain_section(document, section, values)
            continue
        if writer is None or not grid.join:
            writer = _TableWriter(layout.grid_table(document, grid.widths, 0), grid, form, values)
        writer.section(section, grid)
    if form.document.signature:
        _signature(document, form.document.signature)
    for attachment in form.document.attachments:
        _attachment(document, form, attachment, values)
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
