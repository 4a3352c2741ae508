"""merge the feature branches (wechat, helpdesk, form drafts) into one head

Revision ID: 0006_merge_features
Revises: 0003_wechat, 0004_helpdesk, 0005_form_drafts
Create Date: 2026-11-22
"""
from typing import Sequence, Union

revision: str = "0006_merge_features"
down_revision: Union[str, Sequence[str], None] = ("0003_wechat", "0004_helpdesk", "0005_form_drafts")
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
