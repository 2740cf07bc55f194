"""trade visits (options with places, ranked interest, allocation)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 02:40:00

"""

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
