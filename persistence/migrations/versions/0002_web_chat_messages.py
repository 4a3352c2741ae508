"""web chat: client message ids (de-duplication), quick-reply titles, feedback ratings

Revision ID: 0002_web_chat
Revises: 0001
Create Date: 2026-11-23
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0002_web_chat"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("client_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("title", sa.Text(), nullable=True))
        batch.add_column(sa.Column("rating", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("rated_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ux_messages_session_client", "messages", ["session_id", "client_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_messages_session_client", table_name="messages")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("rated_at")
        batch.drop_column("rating")
        batch.drop_column("title")
        batch.drop_column("client_id")
