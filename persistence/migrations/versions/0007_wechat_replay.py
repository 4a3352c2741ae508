"""wechat: signed requests remembered against replay; the hand-over of an answer to the waiting retry

Revision ID: 0007_wechat_replay
Revises: 0006_resume_attempts
Create Date: 2026-11-24
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0007_wechat_replay"
down_revision: Union[str, Sequence[str], None] = "0006_resume_attempts"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "wechat_requests",
        sa.Column("request_key", sa.String(length=64), primary_key=True),
        sa.Column("openid", sa.String(length=64), nullable=False),
        sa.Column("message_key", sa.String(length=160), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_wechat_requests_expires_at", "wechat_requests", ["expires_at"])
    with op.batch_alter_table("wechat_inbound") as batch:
        batch.add_column(sa.Column("waiter", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("waiter_until", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("answer", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("wechat_inbound") as batch:
        batch.drop_column("answer")
        batch.drop_column("waiter_until")
        batch.drop_column("waiter")
    op.drop_index("ix_wechat_requests_expires_at", table_name="wechat_requests")
    op.drop_table("wechat_requests")
