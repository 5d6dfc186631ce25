"""fsrs per-learner parameters and optimiser runs

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 23:10:00
"""

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
