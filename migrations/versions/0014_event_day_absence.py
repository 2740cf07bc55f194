"""event day (absence for the rest of the event, proposals after a re-plan)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 04:15:00

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
