"""change counters (data versions for caches of derived output)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 12:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    counters = op.create_table(
        "change_counters",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_change_counters")),
    )
    op.bulk_insert(counters, [{"name": "calendar", "value": 0}])


def downgrade():
    op.drop_table("change_counters")
