"""solver runs: the fingerprint of the problem each run solved

``solver_runs.problem_key`` is a SHA-256 of the engine's problem (meetings, people and
their availability, slots, tables, locks, visits; not the draft's current places), so
the quality card can tell whether a run's proof of optimality still holds for the draft.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 08:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("solver_runs") as batch:
        batch.add_column(sa.Column("problem_key", sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table("solver_runs") as batch:
        batch.drop_column("problem_key")
