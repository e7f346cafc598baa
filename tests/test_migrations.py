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
