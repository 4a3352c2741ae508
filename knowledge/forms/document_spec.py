"""How a form's document is laid out on paper, as its template in the notice draws it.

Declared in the form's YAML next to its fields (``layout`` on a section, ``document`` on the
form) and read only by the export (knowledge/forms/export.py); the texts printed from the notice
(填表须知, 附件2-1, 附件2-2) are not copied here but named by their clause in the cleaned source.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _LayoutModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BlockRow(_LayoutModel):
    """Fields under one shared label, as the template's 联系人 block.

    ``rows``: each row holds two fields side by side (sub-label, value, sub-label, value);
    ``columns``: one header row of sub-labels, the values in the row below. A sub-label is the
    field's label without the block's name (联系人E-mail -> E-mail)."""

    block: str
    rows: list[list[str]] = []
    columns: list[str] = []

    @model_validator(mode="after")
    def _one_shape(self) -> BlockRow:
        if bool(self.rows) == bool(self.columns):
            raise ValueError(f"block '{self.block}': give either rows or columns")
        return self

    def keys(self) -> list[str]:
        return [key for row in self.rows for key in row] + list(self.columns)


Row = list[str | None] | BlockRow
"""A table row: one field (label, value across the row), two fields side by side (None leaves
that side empty), a repeatable group (a label down its header and item rows), or a block."""


class TableLayout(_LayoutModel):
    widths: list[float] = Field(min_length=2, description="column widths in cm, left to right")
    rows: list[Row]
    category: bool = Field(
        default=False, description="the section's title in the first column, down all its rows (成果统计表)"
    )
    join: bool = Field(default=False, description="continue the previous section's table instead of a new one")
    choice_prefix: str | None = Field(
        default=None, description="choices printed numbered with this word: 方向1：5G+急诊救治"
    )

    def keys(self) -> list[str]:
        keys: list[str] = []
        for row in self.rows:
            keys.extend(row.keys() if isinstance(row, BlockRow) else [key for key in row if key is not None])
        return keys


class CoverSpec(_LayoutModel):
    notes: dict[str, str] = Field(default={}, description="field key -> words after its blank: （加盖单位公章）")
    guidance: list[str] = Field(default=[], description="lines at the cover's foot (…指导, …编制)")


class AttachmentSpec(_LayoutModel):
    clause: str = Field(description="the attachment's clause in the cleaned source: 附件2-2 申报主体责任声明")
    kind: Literal["checklist", "declaration"] = Field(
        description="checklist: each item with a box to tick; declaration: the text with the project "
        "filled in and the signature, stamp and date lines"
    )
    source: str | None = Field(default=None, description="program whose notice prints it, when not the form's own")
    project_field: str = Field(default="project_name", description="declaration: the field filled into its blank")
    unit_field: str = Field(default="unit_name", description="declaration: the field written after the stamp line")


class DocumentSpec(_LayoutModel):
    cover: CoverSpec | None = Field(default=None, description="the first section is a cover page")
    instructions: str | None = Field(default=None, description="clause printed on its own page after the cover (填表须知)")
    signature: list[str] = Field(
        default=[], description="signature lines at the end, in pairs (who signs or stamps, the date line)"
    )
    attachments: list[AttachmentSpec] = []
