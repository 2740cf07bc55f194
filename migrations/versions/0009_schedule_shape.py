"""schedule shape (tie-breaks, revisions, capacity)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 01:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    # Among the schedules with the fewest breaks, which one the engine returns.
    with op.batch_alter_table("events") as batch:
        batch.add_column(
            sa.Column("schedule_tie_break", sa.String(10), nullable=False, server_default="early")
        )
        batch.create_check_constraint(
            "schedule_tie_break", "schedule_tie_break IN ('early', 'spread')"
        )


def downgrade():
    with op.batch_alter_table("events") as batch:
        batch.drop_constraint(op.f("ck_events_schedule_tie_break"), type_="check")
        batch.drop_column("schedule_tie_break")
