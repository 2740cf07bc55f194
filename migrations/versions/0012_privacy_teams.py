"""privacy and organiser teams (consents, roles, audit log, two-factor)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 02:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TEAM_ROLES = "role IN ('owner', 'organiser', 'desk', 'viewer')"


def upgrade():
    # The team: whoever was an organiser of an event so far created it, so owns it.
    with op.batch_alter_table("event_organisers") as batch:
        batch.add_column(sa.Column("role", sa.String(20), server_default="owner", nullable=False))
        batch.create_check_constraint("role", TEAM_ROLES)

    op.create_table(
        "team_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "role IN ('organiser', 'desk', 'viewer')", name="ck_team_invitations_role"
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name="fk_team_invitations_event_id_events",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["users.id"],
            name="fk_team_invitations_invited_by_id_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_team_invitations"),
    )
    op.create_index("ix_team_invitations_event_id", "team_invitations", ["event_id"])

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        # Copied: the entry still reads right once the account is gone.
        sa.Column("actor_name", sa.String(120), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name="fk_audit_log_event_id_events", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name="fk_audit_log_actor_id_users", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_event_id_at", "audit_log", ["event_id", "at"])

    # Not a batch: in SQLite that recreates the table and drops its full-text triggers
    # (0008); ADD COLUMN with a constant default needs no recreation on either backend.
    # Listed as before; contact details shown to partners only once the person says so.
    op.add_column(
        "participants", sa.Column("listed", sa.Boolean(), server_default=sa.true(), nullable=False)
    )
    op.add_column(
        "participants",
        sa.Column("share_contact", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column(
        "participants", sa.Column("phone", sa.String(40), server_default="", nullable=False)
    )
    op.add_column("participants", sa.Column("consent_at", sa.DateTime(), nullable=True))
    op.add_column(
        "participants",
        sa.Column("consent_version", sa.String(20), server_default="", nullable=False),
    )
    op.add_column("participants", sa.Column("anonymised_at", sa.DateTime(), nullable=True))

    with op.batch_alter_table("events") as batch:
        # After this day the participants' personal data is anonymised (privacy.retention).
        batch.add_column(sa.Column("retain_until", sa.Date(), nullable=True))
        batch.add_column(sa.Column("retention_warned_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("anonymised_at", sa.DateTime(), nullable=True))
        batch.add_column(
            sa.Column("require_two_factor", sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("totp_secret", sa.String(64), nullable=True))
        batch.add_column(sa.Column("totp_enabled_at", sa.DateTime(), nullable=True))
        # Hashes of the unused recovery codes.
        batch.add_column(sa.Column("recovery_codes", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("users") as batch:
        for column in ("recovery_codes", "totp_enabled_at", "totp_secret"):
            batch.drop_column(column)
    with op.batch_alter_table("events") as batch:
        for column in (
            "require_two_factor",
            "anonymised_at",
            "retention_warned_at",
            "retain_until",
        ):
            batch.drop_column(column)
    # Plain DROP COLUMN (SQLite 3.35+ and PostgreSQL): the full-text triggers stay.
    for column in (
        "anonymised_at",
        "consent_version",
        "consent_at",
        "phone",
        "share_contact",
        "listed",
    ):
        op.execute(f"ALTER TABLE participants DROP COLUMN {column}")

    op.drop_index("ix_audit_log_event_id_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("ix_team_invitations_event_id", table_name="team_invitations")
    op.drop_table("team_invitations")
    with op.batch_alter_table("event_organisers") as batch:
        batch.drop_constraint(op.f("ck_event_organisers_role"), type_="check")
        batch.drop_column("role")
