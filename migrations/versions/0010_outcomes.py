"""outcomes (survey answers, follow-ups)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 02:00:00

New tables only, so no batch_alter_table is needed: SQLite creates them as written.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

EXPECTED = "'order', 'quotation', 'cooperation', 'joint_project', 'further_meeting', 'none'"
AGREEMENTS = (
    "'none', 'order', 'distribution', 'cooperation', 'joint_project', 'investment', 'other'"
)
BANDS = "'unknown', 'lt10k', '10k-50k', '50k-250k', '250k-1m', 'gt1m'"


def _fk(table, column, target, ondelete="CASCADE"):
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete
    )


def upgrade():
    op.create_table(
        "outcome_settings",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("survey_time", sa.Time(), nullable=False),
        sa.Column("reminder_hours", sa.Integer(), nullable=False),
        sa.Column("second_stage_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "reminder_hours BETWEEN 1 AND 720", name="ck_outcome_settings_reminder_hours"
        ),
        _fk("outcome_settings", "event_id", "events"),
        sa.PrimaryKeyConstraint("event_id", name="pk_outcome_settings"),
    )

    op.create_table(
        "survey_answers",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("held", sa.Boolean(), nullable=False),
        sa.Column("promising", sa.Integer(), nullable=True),
        sa.Column("expected_result", sa.String(20), nullable=True),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=False),
        sa.Column("agreement", sa.String(20), nullable=True),
        sa.Column("agreement_value", sa.String(20), nullable=True),
        sa.Column("agreement_note", sa.Text(), nullable=False),
        sa.Column("agreement_answered_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "promising IS NULL OR promising BETWEEN 1 AND 5", name="ck_survey_answers_promising"
        ),
        sa.CheckConstraint(
            f"expected_result IS NULL OR expected_result IN ({EXPECTED})",
            name="ck_survey_answers_expected_result",
        ),
        sa.CheckConstraint(
            f"agreement IS NULL OR agreement IN ({AGREEMENTS})",
            name="ck_survey_answers_agreement",
        ),
        sa.CheckConstraint(
            f"agreement_value IS NULL OR agreement_value IN ({BANDS})",
            name="ck_survey_answers_agreement_value",
        ),
        _fk("survey_answers", "meeting_id", "meetings"),
        _fk("survey_answers", "participant_id", "participants"),
        _fk("survey_answers", "event_id", "events"),
        sa.PrimaryKeyConstraint("meeting_id", "participant_id", name="pk_survey_answers"),
    )
    op.create_index("ix_survey_answers_event", "survey_answers", ["event_id"])
    op.create_index("ix_survey_answers_follow_up_on", "survey_answers", ["follow_up_on"])

    op.create_table(
        "survey_responses",
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("satisfaction", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5",
            name="ck_survey_responses_satisfaction",
        ),
        _fk("survey_responses", "participant_id", "participants"),
        _fk("survey_responses", "event_id", "events"),
        sa.PrimaryKeyConstraint("participant_id", "day", name="pk_survey_responses"),
    )
    op.create_index("ix_survey_responses_event", "survey_responses", ["event_id"])

    op.create_table(
        "outcome_mails",
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('survey', 'reminder', 'second_stage', 'follow_up')",
            name="ck_outcome_mails_kind",
        ),
        _fk("outcome_mails", "participant_id", "participants"),
        _fk("outcome_mails", "event_id", "events"),
        sa.PrimaryKeyConstraint("participant_id", "kind", "key", name="pk_outcome_mails"),
    )
    op.create_index("ix_outcome_mails_event", "outcome_mails", ["event_id"])


def downgrade():
    op.drop_index("ix_outcome_mails_event", table_name="outcome_mails")
    op.drop_table("outcome_mails")
    op.drop_index("ix_survey_responses_event", table_name="survey_responses")
    op.drop_table("survey_responses")
    op.drop_index("ix_survey_answers_follow_up_on", table_name="survey_answers")
    op.drop_index("ix_survey_answers_event", table_name="survey_answers")
    op.drop_table("survey_answers")
    op.drop_table("outcome_settings")
