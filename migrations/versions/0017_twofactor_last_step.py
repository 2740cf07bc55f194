"""two-factor: the last accepted time-step of each account

A code from the app is good for about 90 seconds (the step before, the current one and
the next). ``users.totp_last_step`` records the step of the last code accepted, so that
the same code - or an older one - is refused afterwards (RFC 6238, section 5.2).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 05:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("totp_last_step")
