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
    # The revision each participant last saw on their agenda (it marks what changed since).
    op.create_table(
        "agenda_views",
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_agenda_views_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("participant_id", name=op.f("pk_agenda_views")),
    )


def downgrade():
    op.drop_table("agenda_views")
    with op.batch_alter_table("events") as batch:
        batch.drop_constraint(op.f("ck_events_schedule_tie_break"), type_="check")
        batch.drop_column("schedule_tie_break")
