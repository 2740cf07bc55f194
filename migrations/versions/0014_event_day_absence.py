"""event day (absence for the rest of the event, proposals after a re-plan)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 04:15:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    # Absence for the rest of the event needs no column: it is one ``absences`` row per
    # remaining day. A proposal is offered to the freed partner before it is a request.
    op.create_table(
        "replan_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("other_id", sa.Integer(), nullable=False),
        sa.Column("absent_id", sa.Integer(), nullable=True),
        sa.Column("slot_start", sa.DateTime(), nullable=False),
        sa.Column("slot_end", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('offered', 'asked', 'declined')", name="ck_replan_proposals_status"
        ),
        sa.CheckConstraint("participant_id <> other_id", name="ck_replan_proposals_not_self"),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name="fk_replan_proposals_event_id_events",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name="fk_replan_proposals_participant_id_participants",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["other_id"],
            ["participants.id"],
            name="fk_replan_proposals_other_id_participants",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["absent_id"],
            ["participants.id"],
            name="fk_replan_proposals_absent_id_participants",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["meeting_requests.id"],
            name="fk_replan_proposals_request_id_meeting_requests",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name="fk_replan_proposals_created_by_id_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_replan_proposals"),
        sa.UniqueConstraint("request_id", name="uq_replan_proposals_request_id"),
    )
    op.create_index("ix_replan_proposals_event_id", "replan_proposals", ["event_id"])
    op.create_index(
        "ix_replan_proposals_participant", "replan_proposals", ["participant_id", "status"]
    )


def downgrade():
    op.drop_index("ix_replan_proposals_participant", table_name="replan_proposals")
    op.drop_index("ix_replan_proposals_event_id", table_name="replan_proposals")
    op.drop_table("replan_proposals")
