"""trust and security: proven e-mail addresses, invitations, server-side sessions,
attempt counters, organiser approval, a finished event state and late registration

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 01:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

OLD_STATUSES = "status IN ('draft', 'open', 'closed', 'published')"
NEW_STATUSES = "status IN ('draft', 'open', 'closed', 'published', 'finished')"


def upgrade():
    with op.batch_alter_table("users") as batch:
        # When the person proved they read mail at this address (confirmation or claim link).
        batch.add_column(sa.Column("email_confirmed_at", sa.DateTime(), nullable=True))
        # Asked to organise events where a site admin approves organisers.
        batch.add_column(sa.Column("organiser_requested_at", sa.DateTime(), nullable=True))
    # Existing accounts keep working as they did: their addresses count as proven.
    op.execute("UPDATE users SET email_confirmed_at = created_at")

    op.create_table(
        "user_sessions",
        # The SHA-256 of the random id kept in the session cookie.
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("user_agent", sa.String(200), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_user_sessions_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_user_sessions"),
    )
    op.create_index("ix_user_sessions_user_id", "user_sessions", ["user_id"])

    op.create_table(
        "attempt_counters",
        # What is counted, e.g. "login:email:anna@example.test" or "login:ip:127.0.0.1".
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.Column("hits", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_attempt_counters"),
    )

    with op.batch_alter_table("participants") as batch:
        # The last time an invitation to claim this place was sent, and how many were.
        batch.add_column(sa.Column("invited_at", sa.DateTime(), nullable=True))
        batch.add_column(
            sa.Column("invitations_sent", sa.Integer(), server_default="0", nullable=False)
        )
        # When the person behind the e-mail took the place (linked to their account).
        batch.add_column(sa.Column("claimed_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE participants SET claimed_at = created_at WHERE user_id IS NOT NULL")

    with op.batch_alter_table("events") as batch:
        batch.drop_constraint(op.f("ck_events_status"), type_="check")
        batch.create_check_constraint("status", NEW_STATUSES)
        # Registration after the schedule is published (new meetings go through a re-plan).
        batch.add_column(
            sa.Column(
                "late_registration", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )


def downgrade():
    op.execute("UPDATE events SET status = 'published' WHERE status = 'finished'")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("late_registration")
        batch.drop_constraint(op.f("ck_events_status"), type_="check")
        batch.create_check_constraint("status", OLD_STATUSES)
    with op.batch_alter_table("participants") as batch:
        batch.drop_column("claimed_at")
        batch.drop_column("invitations_sent")
        batch.drop_column("invited_at")
    op.drop_table("attempt_counters")
    op.drop_index("ix_user_sessions_user_id", table_name="user_sessions")
    op.drop_table("user_sessions")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("organiser_requested_at")
        batch.drop_column("email_confirmed_at")
