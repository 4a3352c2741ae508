"""feedback: why an applicant rated an answer down (答非所问 / 信息有误 / 不够详细 / 其他 + their words)

Revision ID: 0008_feedback_reason
Revises: 0007_wechat_replay
Create Date: 2026-12-02
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0008_feedback_reason"
down_revision: Union[str, Sequence[str], None] = "0007_wechat_replay"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("rating_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("rating_reason")
