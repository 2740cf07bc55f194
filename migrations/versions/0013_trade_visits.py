"""trade visits (options with places, ranked interest, allocation)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 02:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("host", sa.String(200), nullable=False),
        sa.Column("address", sa.String(300), nullable=False),
        sa.Column("meeting_point", sa.String(300), nullable=False),
        sa.Column("map_url", sa.String(500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("eligibility", sa.String(40), nullable=False),
        sa.Column("wishes_until", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name="fk_visits_event_id_events", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_visits"),
    )
    op.create_index("ix_visits_event_id", "visits", ["event_id"])
    op.create_table(
        "visit_options",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("travel_before", sa.Integer(), nullable=False),
        sa.Column("travel_after", sa.Integer(), nullable=False),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name="ck_visit_options_ends_after_start"),
        sa.CheckConstraint("places >= 0", name="ck_visit_options_places"),
        sa.CheckConstraint(
            "travel_before >= 0 AND travel_after >= 0", name="ck_visit_options_travel"
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name="fk_visit_options_visit_id_visits", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_visit_options"),
    )
    op.create_index("ix_visit_options_visit_id", "visit_options", ["visit_id"])
    op.create_table(
        "visit_wishes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("option_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("rank >= 1", name="ck_visit_wishes_rank"),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name="fk_visit_wishes_visit_id_visits", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name="fk_visit_wishes_participant_id_participants",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["option_id"],
            ["visit_options.id"],
            name="fk_visit_wishes_option_id_visit_options",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_visit_wishes"),
        sa.UniqueConstraint(
            "visit_id", "participant_id", name="uq_visit_wishes_visit_id_participant_id"
        ),
    )
    op.create_index("ix_visit_wishes_visit_id", "visit_wishes", ["visit_id"])
    op.create_index("ix_visit_wishes_participant_id", "visit_wishes", ["participant_id"])
    op.create_table(
        "visit_places",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("option_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name="fk_visit_places_visit_id_visits", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["option_id"],
            ["visit_options.id"],
            name="fk_visit_places_option_id_visit_options",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name="fk_visit_places_participant_id_participants",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_visit_places"),
        sa.UniqueConstraint(
            "visit_id", "participant_id", name="uq_visit_places_visit_id_participant_id"
        ),
    )
    op.create_index("ix_visit_places_visit_id", "visit_places", ["visit_id"])
    op.create_index("ix_visit_places_option_id", "visit_places", ["option_id"])
    op.create_index("ix_visit_places_participant_id", "visit_places", ["participant_id"])
    op.create_table(
        "visit_waitlist",
        sa.Column("option_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["option_id"],
            ["visit_options.id"],
            name="fk_visit_waitlist_option_id_visit_options",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name="fk_visit_waitlist_participant_id_participants",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("option_id", "participant_id", name="pk_visit_waitlist"),
    )


def downgrade():
    op.drop_table("visit_waitlist")
    for name in ("participant_id", "option_id", "visit_id"):
        op.drop_index(f"ix_visit_places_{name}", table_name="visit_places")
    op.drop_table("visit_places")
    op.drop_index("ix_visit_wishes_participant_id", table_name="visit_wishes")
    op.drop_index("ix_visit_wishes_visit_id", table_name="visit_wishes")
    op.drop_table("visit_wishes")
    op.drop_index("ix_visit_options_visit_id", table_name="visit_options")
    op.drop_table("visit_options")
    op.drop_index("ix_visits_event_id", table_name="visits")
    op.drop_table("visits")
