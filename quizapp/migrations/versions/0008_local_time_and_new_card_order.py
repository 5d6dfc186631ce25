"""learner time zone, day start and daily goal; the order new questions are introduced in

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 23:10:00

Cursors of new questions move from question ids to places in the new ``question.intro`` order: the old
ones mean nothing there, so they are dropped (a missing cursor starts at the beginning, which is always
right) and ``quizapp load`` fills in the order.
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user') as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('day_hour', sa.Integer(), nullable=False, server_default=sa.text('4')))
        batch_op.add_column(sa.Column('daily_goal', sa.Integer(), nullable=True))
    with op.batch_alter_table('question') as batch_op:
        batch_op.add_column(sa.Column('intro', sa.Integer(), nullable=False, server_default=sa.text('0')))
        batch_op.create_index('ix_question_period_intro', ['period_id', 'intro'], unique=False)
    op.execute('DELETE FROM new_cursor')
    with op.batch_alter_table('new_cursor') as batch_op:
        batch_op.add_column(sa.Column('position', sa.Integer(), nullable=False, server_default=sa.text('0')))
        batch_op.drop_column('question_id')


def downgrade():
    op.execute('DELETE FROM new_cursor')
    with op.batch_alter_table('new_cursor') as batch_op:
        batch_op.add_column(sa.Column('question_id', sa.Integer(), nullable=False, server_default=sa.text('0')))
        batch_op.drop_column('position')
    with op.batch_alter_table('question') as batch_op:
        batch_op.drop_index('ix_question_period_intro')
        batch_op.drop_column('intro')
    with op.batch_alter_table('user') as batch_op:
        batch_op.drop_column('daily_goal')
        batch_op.drop_column('day_hour')
        batch_op.drop_column('time_zone')
