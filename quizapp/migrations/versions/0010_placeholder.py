"""quiz item versions and archived quizzes

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 23:10:00

An item edited after attempts were shown it keeps its earlier content as a
``quiz_item_version`` row; ``quiz_item.version`` numbers the current content (every
existing item starts at 1, which is what every existing attempt was shown).
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('quiz_item_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('format', sa.String(length=12), nullable=False),
    sa.Column('prompt', sa.Text(), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('points', sa.Double(), nullable=False),
    sa.Column('replaced_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['quiz_item.id'], name=op.f('fk_quiz_item_version_item_id_quiz_item')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_item_version')),
    sa.UniqueConstraint('item_id', 'number', name=op.f('uq_quiz_item_version_item_id'))
    )
    with op.batch_alter_table('quiz_item') as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default=sa.text('1')))
    with op.batch_alter_table('quiz') as batch_op:
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('quiz') as batch_op:
        batch_op.drop_column('archived_at')
    with op.batch_alter_table('quiz_item') as batch_op:
        batch_op.drop_column('version')
    op.drop_table('quiz_item_version')
