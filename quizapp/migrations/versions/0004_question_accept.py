"""other accepted typed answers on bank questions

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 21:05:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('question', sa.Column('accept', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))


def downgrade():
    with op.batch_alter_table('question') as batch_op:
        batch_op.drop_column('accept')
