"""load (indexes for the event day's hot queries)

``programme_attendance.participant_id`` on its own: the key is (item, participant), so
the agenda's and the feed's "which items does this participant attend" read the whole
table (a scan on SQLite) on every view.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 04:15:00

"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_programme_attendance_participant_id", "programme_attendance", ["participant_id"]
    )


def downgrade():
    op.drop_index("ix_programme_attendance_participant_id", table_name="programme_attendance")
