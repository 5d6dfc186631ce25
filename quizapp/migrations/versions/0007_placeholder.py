"""serving capacity (hashes, indexes)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 23:10:00
"""

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
