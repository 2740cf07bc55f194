"""event day (check-in, attendance, live board)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 01:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        # The event's local day (its time zone) the participant came on.
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("checked_in_at", sa.DateTime(), nullable=False),
        sa.Column("checked_in_by_id", sa.Integer(), nullable=True),
        sa.Column("method", sa.String(10), nullable=False),
        sa.CheckConstraint("method IN ('desk', 'qr')", name="ck_checkins_method"),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name="fk_checkins_event_id_events", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name="fk_checkins_participant_id_participants",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["checked_in_by_id"],
            ["users.id"],
            name="fk_checkins_checked_in_by_id_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_checkins"),
        # Two desks checking in one person at once: one row.
        sa.UniqueConstraint("participant_id", "day", name="uq_checkins_participant_id_day"),
    )
    op.create_index("ix_checkins_event_day", "checkins", ["event_id", "day"])

    op.create_table(
        "meeting_reports",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("marked_by_id", sa.Integer(), nullable=True),
        sa.Column("marked_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('held', 'partner_absent')", name="ck_meeting_reports_outcome"
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name="fk_meeting_reports_meeting_id_meetings",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["participants.id"],
            name="fk_meeting_reports_reporter_id_participants",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["marked_by_id"],
            ["users.id"],
            name="fk_meeting_reports_marked_by_id_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("meeting_id", "reporter_id", name="pk_meeting_reports"),
    )

    op.create_table(
        "event_boards",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        # Local time of day after which a participant not checked in is flagged late.
        sa.Column("late_after", sa.Time(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name="fk_event_boards_event_id_events", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("event_id", name="pk_event_boards"),
        sa.UniqueConstraint("token", name="uq_event_boards_token"),
    )

    op.create_table(
        "absences",
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("from_at", sa.DateTime(), nullable=False),
        sa.Column("marked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name="fk_absences_participant_id_participants",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["marked_by_id"],
            ["users.id"],
            name="fk_absences_marked_by_id_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("participant_id", "day", name="pk_absences"),
    )


def downgrade():
    op.drop_table("absences")
    op.drop_table("event_boards")
    op.drop_table("meeting_reports")
    op.drop_index("ix_checkins_event_day", table_name="checkins")
    op.drop_table("checkins")
