"""communications (mailings, reminders, threads)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 02:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _fk(table, column, target, ondelete):
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete
    )


def upgrade():
    op.create_table(
        "mailings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("audience", sa.String(40), nullable=False),
        sa.Column("audience_value", sa.String(40), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("status IN ('sending', 'done')", name="ck_mailings_status"),
        _fk("mailings", "event_id", "events", "CASCADE"),
        _fk("mailings", "created_by_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_mailings"),
    )
    op.create_index("ix_mailings_event_id", "mailings", ["event_id"])

    op.create_table(
        "outbox_mails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("mailing_id", sa.Integer(), nullable=True),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("to_address", sa.String(254), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=True),
        sa.Column("html_body", sa.Text(), nullable=True),
        sa.Column("attachment_name", sa.String(120), nullable=True),
        sa.Column("attachment", sa.Text(), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'sending', 'sent', 'logged', 'failed', 'skipped')",
            name="ck_outbox_mails_status",
        ),
        sa.CheckConstraint(
            "category IN ('required', 'announcements', 'reminders')",
            name="ck_outbox_mails_category",
        ),
        _fk("outbox_mails", "event_id", "events", "CASCADE"),
        _fk("outbox_mails", "mailing_id", "mailings", "CASCADE"),
        _fk("outbox_mails", "participant_id", "participants", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_mails"),
    )
    op.create_index("ix_outbox_mails_mailing_status", "outbox_mails", ["mailing_id", "status"])
    op.create_index("ix_outbox_mails_event", "outbox_mails", ["event_id", "id"])
    op.create_index("ix_outbox_mails_status_due", "outbox_mails", ["status", "next_attempt_at"])

    op.create_table(
        "mail_preferences",
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("announcements", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("reminders", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("email", name="pk_mail_preferences"),
    )

    op.create_table(
        "reminders_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("occasion", sa.String(60), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        _fk("reminders_sent", "event_id", "events", "CASCADE"),
        _fk("reminders_sent", "participant_id", "participants", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_reminders_sent"),
        sa.UniqueConstraint(
            "kind",
            "participant_id",
            "occasion",
            name="uq_reminders_sent_kind_participant_id_occasion",
        ),
    )
    op.create_index("ix_reminders_sent_event_id", "reminders_sent", ["event_id"])

    op.create_table(
        "reminder_settings",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("deadlines", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("pending_requests", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("pending_days", sa.Integer(), server_default="3", nullable=False),
        sa.Column("day_before", sa.Boolean(), server_default=sa.true(), nullable=False),
        _fk("reminder_settings", "event_id", "events", "CASCADE"),
        sa.PrimaryKeyConstraint("event_id", name="pk_reminder_settings"),
    )

    op.create_table(
        "thread_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_label", sa.String(300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "(request_id IS NULL) <> (participant_id IS NULL)", name="ck_thread_posts_one_thread"
        ),
        _fk("thread_posts", "event_id", "events", "CASCADE"),
        _fk("thread_posts", "request_id", "meeting_requests", "CASCADE"),
        _fk("thread_posts", "participant_id", "participants", "CASCADE"),
        _fk("thread_posts", "author_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_thread_posts"),
    )
    op.create_index("ix_thread_posts_request", "thread_posts", ["request_id", "id"])
    op.create_index("ix_thread_posts_participant", "thread_posts", ["participant_id", "id"])

    op.create_table(
        "thread_mail_notices",
        sa.Column("thread", sa.String(40), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("mailed_up_to", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_mailed_at", sa.DateTime(), nullable=True),
        _fk("thread_mail_notices", "user_id", "users", "CASCADE"),
        sa.PrimaryKeyConstraint("thread", "user_id", name="pk_thread_mail_notices"),
    )


def downgrade():
    op.drop_table("thread_mail_notices")
    op.drop_index("ix_thread_posts_participant", table_name="thread_posts")
    op.drop_index("ix_thread_posts_request", table_name="thread_posts")
    op.drop_table("thread_posts")
    op.drop_table("reminder_settings")
    op.drop_index("ix_reminders_sent_event_id", table_name="reminders_sent")
    op.drop_table("reminders_sent")
    op.drop_table("mail_preferences")
    op.drop_index("ix_outbox_mails_status_due", table_name="outbox_mails")
    op.drop_index("ix_outbox_mails_event", table_name="outbox_mails")
    op.drop_index("ix_outbox_mails_mailing_status", table_name="outbox_mails")
    op.drop_table("outbox_mails")
    op.drop_index("ix_mailings_event_id", table_name="mailings")
    op.drop_table("mailings")
