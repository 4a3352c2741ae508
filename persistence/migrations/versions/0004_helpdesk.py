"""helpdesk: staff, console sessions, login attempts, handoffs, ratings, staff FAQ entries,
web chat session tokens

Revision ID: 0004_helpdesk
Revises: 0002_web_chat
Create Date: 2026-11-23
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0004_helpdesk"
down_revision: Union[str, Sequence[str], None] = "0002_web_chat"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

OPEN = sa.text("status IN ('waiting', 'active')")


def _when() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(32), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        _when(),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("staff.id", ondelete="CASCADE"), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        _when(),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_staff_sessions_staff_id", "staff_sessions", ["staff_id"])
    op.create_table(
        "staff_login_attempts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("client", sa.String(64), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    for column in ("username", "client", "at"):
        op.create_index(f"ix_staff_login_attempts_{column}", "staff_login_attempts", [column])
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("program", sa.String(32), nullable=True),
        sa.Column("question", sa.Text(), nullable=True),
        sa.Column("bot_paused", sa.Boolean(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.Integer(), sa.ForeignKey("staff.id"), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("rating_requested", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_handoffs_session_id", "handoffs", ["session_id"])
    op.create_index("ix_handoffs_status", "handoffs", ["status"])
    op.create_index("ux_handoffs_open_session", "handoffs", ["session_id"], unique=True,
                    sqlite_where=OPEN, postgresql_where=OPEN)
    op.create_table(
        "handoff_ratings",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("handoff_id", sa.Integer(), sa.ForeignKey("handoffs.id", ondelete="CASCADE"),
                  nullable=False, unique=True),
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        _when(),
    )
    op.create_index("ix_handoff_ratings_session_id", "handoff_ratings", ["session_id"])
    op.create_table(
        "staff_faq_entries",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("program", sa.String(32), nullable=True),
        sa.Column("citation", sa.JSON(), nullable=True),
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=True),
        sa.Column("handoff_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        _when(),
    )
    op.create_table(
        "applicant_tokens",
        sa.Column("session_id", sa.String(64), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        _when(),
    )


def downgrade() -> None:
    op.drop_table("applicant_tokens")
    op.drop_table("staff_faq_entries")
    op.drop_index("ix_handoff_ratings_session_id", table_name="handoff_ratings")
    op.drop_table("handoff_ratings")
    for name in ("ux_handoffs_open_session", "ix_handoffs_status", "ix_handoffs_session_id"):
        op.drop_index(name, table_name="handoffs")
    op.drop_table("handoffs")
    for column in ("at", "client", "username"):
        op.drop_index(f"ix_staff_login_attempts_{column}", table_name="staff_login_attempts")
    op.drop_table("staff_login_attempts")
    op.drop_index("ix_staff_sessions_staff_id", table_name="staff_sessions")
    op.drop_table("staff_sessions")
    op.drop_table("staff")
