"""cluster: Idempotency-Key replies of POST /api/chat; the WeChat access token shared by every gateway

Revision ID: 0009_cluster
Revises: 0008_feedback_reason
Create Date: 2026-12-02
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0009_cluster"
down_revision: Union[str, Sequence[str], None] = "0008_feedback_reason"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "chat_idempotency",
        sa.Column("key_digest", sa.String(length=64), primary_key=True),
        sa.Column("reply", sa.LargeBinary(), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_chat_idempotency_expires_at", "chat_idempotency", ["expires_at"])
    op.create_table(
        "wechat_access_tokens",
        sa.Column("app_id", sa.String(length=64), primary_key=True),
        sa.Column("access_token", sa.Text(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refresh_until", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("wechat_access_tokens")
    op.drop_index("ix_chat_idempotency_expires_at", table_name="chat_idempotency")
    op.drop_table("chat_idempotency")
