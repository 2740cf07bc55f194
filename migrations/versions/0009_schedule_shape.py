"""schedule shape (tie-breaks, revisions, capacity)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 01:40:00

"""

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
