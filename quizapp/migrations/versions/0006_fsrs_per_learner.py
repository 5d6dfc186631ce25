"""fsrs per-learner parameters and optimiser runs

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 23:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user') as batch_op:
        batch_op.add_column(sa.Column('fsrs_parameters', sa.JSON(), nullable=True))
    op.create_table('optimisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('reviews', sa.Integer(), nullable=True),
    sa.Column('adopted', sa.Boolean(), nullable=False),
    sa.Column('log_loss_before', sa.Double(), nullable=True),
    sa.Column('log_loss_after', sa.Double(), nullable=True),
    sa.Column('rmse_before', sa.Double(), nullable=True),
    sa.Column('rmse_after', sa.Double(), nullable=True),
    sa.Column('parameters', sa.JSON(), nullable=True),
    sa.Column('workload', sa.JSON(), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_optimisation_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_optimisation'))
    )
    op.create_index('ix_optimisation_status', 'optimisation', ['status'], unique=False)
    op.create_index('ix_optimisation_user_requested_at', 'optimisation', ['user_id', 'requested_at'], unique=False)


def downgrade():
    op.drop_index('ix_optimisation_user_requested_at', table_name='optimisation')
    op.drop_index('ix_optimisation_status', table_name='optimisation')
    op.drop_table('optimisation')
    with op.batch_alter_table('user') as batch_op:
        batch_op.drop_column('fsrs_parameters')
