"""a participant's own meeting limit is positive when set

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 19:20:00

"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("participants") as batch:
        batch.create_check_constraint(
            "max_meetings_positive", "max_meetings IS NULL OR max_meetings > 0"
        )


def downgrade():
    with op.batch_alter_table("participants") as batch:
        batch.drop_constraint("ck_participants_max_meetings_positive", type_="check")
