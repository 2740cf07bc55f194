"""calendar feeds: per-feed nonce for derived tokens; one feed per owner

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 11:55:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

EVENT_FEED = "kind = 'event'"


def upgrade():
    with op.batch_alter_table("calendar_feeds", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("nonce", sa.String(length=32), server_default="", nullable=False)
        )
        batch_op.create_unique_constraint("uq_calendar_feeds_participant", ["participant_id"])
        batch_op.create_unique_constraint("uq_calendar_feeds_table", ["table_id"])
        batch_op.create_index(
            "uq_calendar_feeds_event",
            ["event_id"],
            unique=True,
            sqlite_where=sa.text(EVENT_FEED),
            postgresql_where=sa.text(EVENT_FEED),
        )


def downgrade():
    with op.batch_alter_table("calendar_feeds", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_calendar_feeds_event",
            sqlite_where=sa.text(EVENT_FEED),
            postgresql_where=sa.text(EVENT_FEED),
        )
        batch_op.drop_constraint("uq_calendar_feeds_table", type_="unique")
        batch_op.drop_constraint("uq_calendar_feeds_participant", type_="unique")
        batch_op.drop_column("nonce")
