"""The schema exists only through the migrations: they build an empty database that agrees
with the models, and they step down and up again cleanly."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade
from flask_migrate import upgrade

from app.extensions import db


def _differences(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_migrations_build_an_empty_database_that_matches_the_models(databases, migrated_app):
    app = migrated_app(databases.new())
    try:
        assert _differences(app) == []
        with app.app_context():
            tables = set(sa.inspect(db.engine).get_table_names())
        assert {
            "vendors",
            "vendor_aliases",
            "contracts",
            "contract_amendments",
            "invoices",
            "rate_cards",
            "engagements",
            "categories",
            "departments",
            "import_batches",
        } <= tables
    finally:
        with app.app_context():
            db.engine.dispose()


def test_migrations_go_down_to_nothing_and_up_again(databases, migrated_app):
    app = migrated_app(databases.new())
    try:
        with app.app_context():
            downgrade(revision="base")
            assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
            upgrade()
        assert _differences(app) == []
    finally:
        with app.app_context():
            db.engine.dispose()


def test_migrations_carry_existing_records_through(databases, migrated_app):
    """Upgrading a database that already holds records (rebuilt tables included) keeps them,
    and the links between them."""
    app = migrated_app(databases.new())
    try:
        with app.app_context():
            downgrade(revision="base")
            upgrade(revision="0a3efa931a86")
            now = "2026-01-01 00:00:00"
            with db.engine.begin() as connection:
                connection.execute(
                    sa.text(
                        "INSERT INTO vendors (id, name, name_key, id_kind, country, "
                        "is_private_person, "
                        "created_at, updated_at) "
                        "VALUES (1, 'A AB', 'a ab', 'none', 'SE', false, :now, :now)"
                    ),
                    {"now": now},
                )
                connection.execute(
                    sa.text(
                        "INSERT INTO import_batches "
                        "(id, filename, sha256, kind, row_count, imported_at) "
                        "VALUES (1, 'f.csv', 'x', 'invoices', 1, :now)"
                    ),
                    {"now": now},
                )
                connection.execute(
                    sa.text(
                        "INSERT INTO invoices (vendor_id, invoice_number, invoiced_on, net_amount, "
                        "vat_amount, currency, created_at, updated_at, import_batch_id, "
                        "source_row) "
                        "VALUES (1, 'F1', '2010-01-01', 12345, 0, 'SEK', :now, :now, 1, 2)"
                    ),
                    {"now": now},
                )
            upgrade()
            with db.engine.connect() as connection:
                row = connection.execute(
                    sa.text(
                        "SELECT i.net_amount, i.version, b.filename FROM invoices i "
                        "JOIN import_batches b ON b.id = i.import_batch_id"
                    )
                ).one()
            assert tuple(row) == (12345, 1, "f.csv")
        assert _differences(app) == []
    finally:
        with app.app_context():
            db.engine.dispose()
