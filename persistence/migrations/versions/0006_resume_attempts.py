"""resume codes: attempts to resume a form draft by code, counted per conversation and per client
to stop guessing (actions/forms/drafts.py, ResumeGuard)

Revision ID: 0006_resume_attempts
Revises: 0006_merge_features
Create Date: 2026-12-02
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0006_resume_attempts"
down_revision: Union[str, Sequence[str], None] = "0006_merge_features"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "resume_attempts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("sender_id", sa.String(length=64), nullable=False),
        sa.Column("client_key", sa.String(length=64), nullable=True),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_resume_attempts_sender", "resume_attempts", ["sender_id", "attempted_at"])
    op.create_index("ix_resume_attempts_client", "resume_attempts", ["client_key", "attempted_at"])
    op.create_index("ix_resume_attempts_attempted_at", "resume_attempts", ["attempted_at"])


def downgrade() -> None:
    op.drop_index("ix_resume_attempts_attempted_at", table_name="resume_attempts")
    op.drop_index("ix_resume_attempts_client", table_name="resume_attempts")
    op.drop_index("ix_resume_attempts_sender", table_name="resume_attempts")
    op.drop_table("resume_attempts")
