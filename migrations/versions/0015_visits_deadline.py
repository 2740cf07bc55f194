"""trade visits (deadline, who may apply, edits)

``visit_places.from_run``: a place the engine gave (a draft until the schedule, or the
visit allocation, is published again) rather than one given by hand or from the
waitlist; ``visits.places_published_at``: when the organiser last published the places.
``visit_cancellations``: a place given up or a visit deleted, kept until the visit's end
so that calendar feeds show it cancelled (same UID) instead of dropping it.  (The
deadline ``wishes_until`` and ``eligibility`` came with 0013.)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 04:15:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("visits") as batch:
        batch.add_column(sa.Column("places_published_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("visit_places") as batch:
        batch.add_column(
            sa.Column("from_run", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "visit_cancellations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(200), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("summary", sa.String(300), nullable=False),
        sa.Column("location", sa.String(300), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name="fk_visit_cancellations_participant_id_participants",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_visit_cancellations"),
    )
    op.create_index(
        "ix_visit_cancellations_participant_id", "visit_cancellations", ["participant_id"]
    )


def downgrade():
    op.drop_index("ix_visit_cancellations_participant_id", table_name="visit_cancellations")
    op.drop_table("visit_cancellations")
    with op.batch_alter_table("visit_places") as batch:
        batch.drop_column("from_run")
    with op.batch_alter_table("visits") as batch:
        batch.drop_column("places_published_at")
