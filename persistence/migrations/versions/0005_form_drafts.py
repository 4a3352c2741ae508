"""guided forms: drafts of application forms, resumable by code from any session or channel

Revision ID: 0005_form_drafts
Revises: 0002_web_chat
Create Date: 2026-11-22
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0005_form_drafts"
down_revision: Union[str, Sequence[str], None] = "0002_web_chat"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "form_drafts",
        sa.Column("code", sa.String(length=16), primary_key=True),
        sa.Column("sender_id", sa.String(length=64), nullable=False, index=True),
        sa.Column("form_id", sa.String(length=64), nullable=True),
        sa.Column("program", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("document_token", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("form_drafts")
