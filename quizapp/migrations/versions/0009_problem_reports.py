"""problem reports and suspended questions

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 23:10:00

Learners' reports on questions (``problem_report``), and a curator's suspension of a question
(``question.suspended_at``), copied onto its cards (``card.suspended``) so that the study queue
needs no join.
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('question', sa.Column('suspended_at', sa.DateTime(), nullable=True))
    op.add_column('card', sa.Column('suspended', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table('problem_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=True),
    sa.Column('quiz_item_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('seen_in', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_by', sa.Integer(), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_problem_report_question_id_question')),
    sa.ForeignKeyConstraint(['quiz_item_id'], ['quiz_item.id'],
                            name=op.f('fk_problem_report_quiz_item_id_quiz_item')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_problem_report_user_id_user')),
    sa.ForeignKeyConstraint(['resolved_by'], ['user.id'], name=op.f('fk_problem_report_resolved_by_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problem_report'))
    )
    with op.batch_alter_table('problem_report') as batch_op:
        batch_op.create_index(batch_op.f('ix_problem_report_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_problem_report_quiz_item_id'), ['quiz_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_problem_report_user_id'), ['user_id'], unique=False)
        batch_op.create_index('ix_problem_report_resolved_at', ['resolved_at'], unique=False)


def downgrade():
    op.drop_table('problem_report')
    with op.batch_alter_table('card') as batch_op:
        batch_op.drop_column('suspended')
    with op.batch_alter_table('question') as batch_op:
        batch_op.drop_column('suspended_at')
