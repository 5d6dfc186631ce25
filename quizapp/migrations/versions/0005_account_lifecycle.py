"""account lifecycle: named API tokens, session generations, confirmed addresses

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 10:00:00

The single ``user.api_token_hash`` becomes a row of ``api_token`` named "API token", so a
token issued before keeps working. Existing accounts count as confirmed.
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_api_token_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('digest', name=op.f('uq_api_token_digest')),
    sa.UniqueConstraint('user_id', 'name', name=op.f('uq_api_token_user_id'))
    )
    op.execute('INSERT INTO api_token (user_id, name, digest, created_at) '
               'SELECT id, \'API token\', api_token_hash, created_at FROM "user" WHERE api_token_hash IS NOT NULL')
    with op.batch_alter_table('user') as batch_op:
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), nullable=False,
                                      server_default=sa.text('0')))
        batch_op.drop_constraint('uq_user_api_token_hash', type_='unique')
        batch_op.drop_column('api_token_hash')
    op.execute('UPDATE "user" SET confirmed_at = created_at')


def downgrade():
    with op.batch_alter_table('user') as batch_op:
        batch_op.add_column(sa.Column('api_token_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_user_api_token_hash', ['api_token_hash'])
        batch_op.drop_column('session_generation')
        batch_op.drop_column('confirmed_at')
    # one token per account survives: the most recently made
    op.execute('UPDATE "user" SET api_token_hash = (SELECT t.digest FROM api_token t WHERE t.user_id = "user".id '
               'ORDER BY t.created_at DESC, t.id DESC LIMIT 1)')
    op.drop_table('api_token')
