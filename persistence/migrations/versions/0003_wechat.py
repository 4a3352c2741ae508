"""wechat: received-message de-duplication (with expiry) and each user's last numbered menu

Revision ID: 0003_wechat
Revises: 0002_web_chat
Create Date: 2026-11-23
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0003_wechat"
down_revision: Union[str, Sequence[str], None] = "0002_web_chat"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "wechat_inbound",
        sa.Column("dedupe_key", sa.String(length=128), primary_key=True),
        sa.Column("openid", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_wechat_inbound_expires_at", "wechat_inbound", ["expires_at"])
    op.create_table(
        "wechat_menus",
        sa.Column("openid", sa.String(length=64), primary_key=True),
        sa.Column("buttons", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("wechat_menus")
    op.drop_index("ix_wechat_inbound_expires_at", table_name="wechat_inbound")
    op.drop_table("wechat_inbound")
