"""Initial schema: vendors, contracts and amendments, invoices, rate cards, engagements,
categories, departments and import batches.

Money and hours are BigInteger hundredths (öre); see app/models/base.py.

Revision ID: 0a3efa931a86
Revises:
Create Date: 2026-11-25 06:44:03.418360

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0a3efa931a86"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_categories")),
        sa.UniqueConstraint("name", name=op.f("uq_categories_name")),
    )
    op.create_table(
        "departments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departments")),
        sa.UniqueConstraint("name", name=op.f("uq_departments_name")),
    )
    op.create_table(
        "import_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("sheet_name", sa.String(length=255), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("profile", sa.String(length=100), nullable=True),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batches")),
    )
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_batches_sha256"), ["sha256"], unique=False)

    op.create_table(
        "rate_cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("day_rate", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("basis", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("day_rate >= 0", name=op.f("ck_rate_cards_day_rate")),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to >= valid_from", name=op.f("ck_rate_cards_period")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_cards")),
        sa.UniqueConstraint("valid_from", name=op.f("uq_rate_cards_valid_from")),
    )
    op.create_table(
        "vendors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("name_key", sa.String(length=300), nullable=False),
        sa.Column("org_number", sa.String(length=40), nullable=True),
        sa.Column(
            "id_kind",
            sa.Enum(
                "orgnr",
                "personnummer",
                "foreign",
                "none",
                name="id_kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("vat_number", sa.String(length=40), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("is_private_person", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendors")),
        sa.UniqueConstraint("org_number", name=op.f("uq_vendors_org_number")),
    )
    with op.batch_alter_table("vendors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vendors_name_key"), ["name_key"], unique=False)

    op.create_table(
        "contracts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=True),
        sa.Column(
            "procurement_basis",
            sa.Enum(
                "direct_award",
                "framework_agreement",
                "open_tender",
                "other",
                name="procurement_basis",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("ceiling_amount", sa.BigInteger(), nullable=True),
        sa.Column("hour_quota", sa.BigInteger(), nullable=True),
        sa.Column("hourly_rate", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("import_batch_id", sa.Integer(), nullable=True),
        sa.Column("source_row", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "ceiling_amount IS NULL OR ceiling_amount >= 0", name=op.f("ck_contracts_ceiling")
        ),
        sa.CheckConstraint(
            "ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on",
            name=op.f("ck_contracts_period"),
        ),
        sa.CheckConstraint(
            "hour_quota IS NULL OR hour_quota >= 0", name=op.f("ck_contracts_hour_quota")
        ),
        sa.CheckConstraint(
            "hourly_rate IS NULL OR hourly_rate >= 0", name=op.f("ck_contracts_hourly_rate")
        ),
        sa.ForeignKeyConstraint(
            ["import_batch_id"],
            ["import_batches.id"],
            name=op.f("fk_contracts_import_batch_id_import_batches"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["vendors.id"], name=op.f("fk_contracts_vendor_id_vendors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts")),
        sa.UniqueConstraint("reference", name=op.f("uq_contracts_reference")),
    )
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contracts_import_batch_id"), ["import_batch_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_contracts_vendor_id"), ["vendor_id"], unique=False)

    op.create_table(
        "engagements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organiser_name", sa.String(length=300), nullable=False),
        sa.Column("organiser_org_number", sa.String(length=40), nullable=True),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("topic", sa.String(length=300), nullable=False),
        sa.Column("speaker", sa.String(length=200), nullable=True),
        sa.Column("started_days", sa.Integer(), nullable=False),
        sa.Column("rate_card_id", sa.Integer(), nullable=True),
        sa.Column("day_rate", sa.BigInteger(), nullable=False),
        sa.Column("rate_override_reason", sa.Text(), nullable=True),
        sa.Column("fee_amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("organiser_pays_travel", sa.Boolean(), nullable=False),
        sa.Column("travel_amount", sa.BigInteger(), nullable=True),
        sa.Column("outgoing_invoice_number", sa.String(length=100), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("import_batch_id", sa.Integer(), nullable=True),
        sa.Column("source_row", sa.Integer(), nullable=True),
        sa.CheckConstraint("fee_amount = started_days * day_rate", name=op.f("ck_engagements_fee")),
        sa.CheckConstraint("last_day >= first_day", name=op.f("ck_engagements_period")),
        sa.CheckConstraint(
            "rate_card_id IS NOT NULL OR rate_override_reason IS NOT NULL",
            name=op.f("ck_engagements_rate_source"),
        ),
        sa.CheckConstraint("started_days >= 1", name=op.f("ck_engagements_started_days")),
        sa.ForeignKeyConstraint(
            ["import_batch_id"],
            ["import_batches.id"],
            name=op.f("fk_engagements_import_batch_id_import_batches"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["rate_card_id"], ["rate_cards.id"], name=op.f("fk_engagements_rate_card_id_rate_cards")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagements")),
    )
    with op.batch_alter_table("engagements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_engagements_first_day"), ["first_day"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_engagements_import_batch_id"), ["import_batch_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_engagements_organiser_org_number"),
            ["organiser_org_number"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_engagements_rate_card_id"), ["rate_card_id"], unique=False
        )

    op.create_table(
        "vendor_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("name_key", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["vendor_id"],
            ["vendors.id"],
            name=op.f("fk_vendor_aliases_vendor_id_vendors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendor_aliases")),
        sa.UniqueConstraint("name_key", name=op.f("uq_vendor_aliases_name_key")),
    )
    with op.batch_alter_table("vendor_aliases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vendor_aliases_vendor_id"), ["vendor_id"], unique=False
        )

    op.create_table(
        "contract_amendments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("dated_on", sa.Date(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "extension",
                "expansion",
                "price_change",
                "other",
                name="amendment_kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("new_ends_on", sa.Date(), nullable=True),
        sa.Column("added_amount", sa.BigInteger(), nullable=True),
        sa.Column("added_hours", sa.BigInteger(), nullable=True),
        sa.Column("new_hourly_rate", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("import_batch_id", sa.Integer(), nullable=True),
        sa.Column("source_row", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_contract_amendments_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["import_batch_id"],
            ["import_batches.id"],
            name=op.f("fk_contract_amendments_import_batch_id_import_batches"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_amendments")),
    )
    with op.batch_alter_table("contract_amendments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contract_amendments_contract_id"), ["contract_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contract_amendments_import_batch_id"), ["import_batch_id"], unique=False
        )

    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        sa.Column("invoice_number", sa.String(length=100), nullable=False),
        sa.Column("invoiced_on", sa.Date(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("net_amount", sa.BigInteger(), nullable=False),
        sa.Column("vat_amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("hours", sa.BigInteger(), nullable=True),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("void_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("import_batch_id", sa.Integer(), nullable=True),
        sa.Column("source_row", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(voided_at IS NULL AND void_reason IS NULL) OR (voided_at IS NOT NULL AND void_reason IS NOT NULL)",
            name=op.f("ck_invoices_void_has_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["category_id"], ["categories.id"], name=op.f("fk_invoices_category_id_categories")
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_invoices_contract_id_contracts")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_invoices_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["import_batch_id"],
            ["import_batches.id"],
            name=op.f("fk_invoices_import_batch_id_import_batches"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["vendors.id"], name=op.f("fk_invoices_vendor_id_vendors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint(
            "vendor_id", "invoice_number", name=op.f("uq_invoices_vendor_id_invoice_number")
        ),
    )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invoices_category_id"), ["category_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_invoices_contract_id"), ["contract_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_invoices_department_id"), ["department_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_invoices_import_batch_id"), ["import_batch_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_invoices_invoiced_on"), ["invoiced_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_invoices_paid_on"), ["paid_on"], unique=False)
        batch_op.create_index(
            "ix_invoices_vendor_id_invoiced_on", ["vendor_id", "invoiced_on"], unique=False
        )


def downgrade():
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index("ix_invoices_vendor_id_invoiced_on")
        batch_op.drop_index(batch_op.f("ix_invoices_paid_on"))
        batch_op.drop_index(batch_op.f("ix_invoices_invoiced_on"))
        batch_op.drop_index(batch_op.f("ix_invoices_import_batch_id"))
        batch_op.drop_index(batch_op.f("ix_invoices_department_id"))
        batch_op.drop_index(batch_op.f("ix_invoices_contract_id"))
        batch_op.drop_index(batch_op.f("ix_invoices_category_id"))

    op.drop_table("invoices")
    with op.batch_alter_table("contract_amendments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_amendments_import_batch_id"))
        batch_op.drop_index(batch_op.f("ix_contract_amendments_contract_id"))

    op.drop_table("contract_amendments")
    with op.batch_alter_table("vendor_aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vendor_aliases_vendor_id"))

    op.drop_table("vendor_aliases")
    with op.batch_alter_table("engagements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engagements_rate_card_id"))
        batch_op.drop_index(batch_op.f("ix_engagements_organiser_org_number"))
        batch_op.drop_index(batch_op.f("ix_engagements_import_batch_id"))
        batch_op.drop_index(batch_op.f("ix_engagements_first_day"))

    op.drop_table("engagements")
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contracts_vendor_id"))
        batch_op.drop_index(batch_op.f("ix_contracts_import_batch_id"))

    op.drop_table("contracts")
    with op.batch_alter_table("vendors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vendors_name_key"))

    op.drop_table("vendors")
    op.drop_table("rate_cards")
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_batches_sha256"))

    op.drop_table("import_batches")
    op.drop_table("departments")
    op.drop_table("categories")
