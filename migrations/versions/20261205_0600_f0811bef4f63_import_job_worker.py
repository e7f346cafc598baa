"""Import jobs remember the process running them (host, process id and its start), so that a
job whose process died (the server killed or stopped) is marked failed when next looked at,
instead of running for ever.

Revision ID: f0811bef4f63
Revises: 7c3e5a1d9b20
Create Date: 2026-12-05 06:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f0811bef4f63"
down_revision = "7c3e5a1d9b20"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("import_jobs", sa.Column("worker", sa.String(length=300), nullable=True))


def downgrade():
    # A plain DROP COLUMN (SQLite has one since 3.35): a batch copy would lose the table's
    # AUTOINCREMENT.
    op.drop_column("import_jobs", "worker")
