"""live class sessions

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 23:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('live_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quiz_id', sa.Integer(), nullable=False),
    sa.Column('host_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('item_order', sa.JSON(), nullable=False),
    sa.Column('seconds', sa.Integer(), nullable=False),
    sa.Column('phase', sa.String(length=12), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('opens_at', sa.DateTime(), nullable=True),
    sa.Column('deadline', sa.DateTime(), nullable=True),
    sa.Column('paused_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['host_id'], ['user.id'], name=op.f('fk_live_session_host_id_user')),
    sa.ForeignKeyConstraint(['quiz_id'], ['quiz.id'], name=op.f('fk_live_session_quiz_id_quiz')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_session')),
    sa.UniqueConstraint('code', name=op.f('uq_live_session_code'))
    )
    with op.batch_alter_table('live_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_session_quiz_id'), ['quiz_id'], unique=False)

    op.create_table('live_player',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('nickname', sa.String(length=40), nullable=False),
    sa.Column('joined_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempt.id'], name=op.f('fk_live_player_attempt_id_attempt')),
    sa.ForeignKeyConstraint(['session_id'], ['live_session.id'], name=op.f('fk_live_player_session_id_live_session')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_live_player_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_player')),
    sa.UniqueConstraint('attempt_id', name=op.f('uq_live_player_attempt_id')),
    sa.UniqueConstraint('session_id', 'user_id', name=op.f('uq_live_player_session_id'))
    )
    with op.batch_alter_table('live_player', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_player_session_id'), ['session_id'], unique=False)

    op.create_table('live_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('player_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('answer', sa.JSON(), nullable=True),
    sa.Column('elapsed_ms', sa.Integer(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['quiz_item.id'], name=op.f('fk_live_answer_item_id_quiz_item')),
    sa.ForeignKeyConstraint(['player_id'], ['live_player.id'], name=op.f('fk_live_answer_player_id_live_player')),
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], name=op.f('fk_live_answer_response_id_response')),
    sa.ForeignKeyConstraint(['session_id'], ['live_session.id'],
                            name=op.f('fk_live_answer_session_id_live_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_answer')),
    sa.UniqueConstraint('player_id', 'item_id', name=op.f('uq_live_answer_player_id')),
    sa.UniqueConstraint('response_id', name=op.f('uq_live_answer_response_id'))
    )
    with op.batch_alter_table('live_answer', schema=None) as batch_op:
        batch_op.create_index('ix_live_answer_session_item', ['session_id', 'item_id'], unique=False)


def downgrade():
    with op.batch_alter_table('live_answer', schema=None) as batch_op:
        batch_op.drop_index('ix_live_answer_session_item')
    op.drop_table('live_answer')
    with op.batch_alter_table('live_player', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_player_session_id'))
    op.drop_table('live_player')
    with op.batch_alter_table('live_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_session_quiz_id'))
    op.drop_table('live_session')
