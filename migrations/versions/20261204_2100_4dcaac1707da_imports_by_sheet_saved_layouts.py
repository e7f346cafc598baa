"""Imports by file and sheet, saved layouts, and what an import created.

- ``import_sheets``: each sheet (or text file) a batch read, with the file's SHA-256 and the
  kind of record; a unique key over (sha256, kind, sheet, is_live) lets one standing import
  hold a sheet, so two imports of one file at the same moment cannot both write it. Filled
  here from the existing batches (the first standing batch of a file and sheet keeps it live).
- ``import_profiles``: layouts saved in the browser, as the TOML profiles hold them.
- ``source_sheet`` on every imported record: the sheet its row is on.
- ``import_batch_id`` and ``withdrawn_at`` on vendors, categories and departments (and
  ``import_batch_id`` on vendor aliases): the import that created them, and when undoing it
  withdrew them.

Revision ID: 4dcaac1707da
Revises: 7d3f1a2b9c4e
Create Date: 2026-12-04 21:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "4dcaac1707da"
down_revision = "7d3f1a2b9c4e"
branch_labels = None
depends_on = None

#: Tables whose entries an import may create and withdraw.
LISTS = ("categories", "departments", "vendors")
#: Tables of imported records, each with its row and now its sheet.
RECORDS = ("contract_amendments", "contracts", "engagements", "invoices")


def upgrade():
    op.create_table(
        "import_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_import_profiles_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_profiles")),
        sa.UniqueConstraint("name", name=op.f("uq_import_profiles_name")),
    )
    sheets = op.create_table(
        "import_sheets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("sheet", sa.String(length=255), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("is_live", sa.Boolean(), nullable=True),
        sa.CheckConstraint(
            "is_live IS NULL OR is_live", name=op.f("ck_import_sheets_live_or_empty")
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["import_batches.id"],
            name=op.f("fk_import_sheets_batch_id_import_batches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_sheets")),
        sa.UniqueConstraint(
            "sha256",
            "kind",
            "sheet",
            "is_live",
            name=op.f("uq_import_sheets_sha256_kind_sheet_is_live"),
        ),
    )
    with op.batch_alter_table("import_sheets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_sheets_batch_id"), ["batch_id"], unique=False)

    # Every batch so far read one sheet (or one text file). The first standing batch of a
    # file, sheet and kind stays live; a later one (two imports that raced) does not.
    batches = sa.table(
        "import_batches",
        sa.column("id", sa.Integer),
        sa.column("sha256", sa.String),
        sa.column("kind", sa.String),
        sa.column("sheet_name", sa.String),
        sa.column("row_count", sa.Integer),
        sa.column("undone_at", sa.DateTime),
    )
    earlier = batches.alias("earlier")
    first_live = (
        sa.select(sa.func.min(earlier.c.id))
        .where(
            earlier.c.sha256 == batches.c.sha256,
            earlier.c.kind == batches.c.kind,
            sa.func.coalesce(earlier.c.sheet_name, "")
            == sa.func.coalesce(batches.c.sheet_name, ""),
            earlier.c.undone_at.is_(None),
        )
        .scalar_subquery()
    )
    op.execute(
        sheets.insert().from_select(
            ["batch_id", "sha256", "kind", "sheet", "rows", "is_live"],
            sa.select(
                batches.c.id,
                batches.c.sha256,
                batches.c.kind,
                sa.func.coalesce(batches.c.sheet_name, ""),
                batches.c.row_count,
                sa.case(
                    (sa.and_(batches.c.undone_at.is_(None), batches.c.id == first_live), sa.true()),
                    else_=sa.null(),
                ),
            ),
        )
    )

    for table in RECORDS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("source_sheet", sa.String(length=255), nullable=True))
    # The sheet of every record imported so far is its batch's one sheet.
    for table in RECORDS:
        op.execute(
            f"UPDATE {table} SET source_sheet = (SELECT sheet_name FROM import_batches "  # noqa: S608
            f"WHERE import_batches.id = {table}.import_batch_id) "
            "WHERE import_batch_id IS NOT NULL"
        )

    for table in LISTS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("import_batch_id", sa.Integer(), nullable=True))
            batch_op.add_column(
                sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True)
            )
            batch_op.create_index(
                batch_op.f(f"ix_{table}_import_batch_id"), ["import_batch_id"], unique=False
            )
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_import_batch_id_import_batches"),
                "import_batches",
                ["import_batch_id"],
                ["id"],
                ondelete="RESTRICT",
            )
    with op.batch_alter_table("vendor_aliases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("import_batch_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_vendor_aliases_import_batch_id"), ["import_batch_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_vendor_aliases_import_batch_id_import_batches"),
            "import_batches",
            ["import_batch_id"],
            ["id"],
            ondelete="RESTRICT",
        )


def downgrade():
    with op.batch_alter_table("vendor_aliases", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_vendor_aliases_import_batch_id_import_batches"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_vendor_aliases_import_batch_id"))
        batch_op.drop_column("import_batch_id")
    for table in LISTS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(
                batch_op.f(f"fk_{table}_import_batch_id_import_batches"), type_="foreignkey"
            )
            batch_op.drop_index(batch_op.f(f"ix_{table}_import_batch_id"))
            batch_op.drop_column("withdrawn_at")
            batch_op.drop_column("import_batch_id")
    for table in RECORDS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("source_sheet")
    with op.batch_alter_table("import_sheets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_sheets_batch_id"))
    op.drop_table("import_sheets")
    op.drop_table("import_profiles")
