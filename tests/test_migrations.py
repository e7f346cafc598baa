"""The schema exists only through the migrations: they build an empty database that agrees
with the models, and they step down and up again cleanly."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade
from flask_migrate import upgrade

from app.extensions import db
from app.models.search import include_object


def _differences(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_object}
        )
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


def test_the_process_that_upgraded_goes_on_with_foreign_keys_enforced(databases, migrated_app):
    """SQLite's migrations run with foreign keys off (its batch moves need it); the
    connection they ran on must not go back to the application as it is. An invoice of a
    vendor that does not exist is refused on the application's next connections."""
    app = migrated_app(databases.new())
    try:
        with app.app_context():
            for _ in range(3):  # each connection the pool holds, the migrations' included
                with db.engine.connect() as connection, pytest.raises(sa.exc.IntegrityError):
                    connection.execute(
                        sa.text(
                            "INSERT INTO invoices (vendor_id, invoice_number, invoiced_on, "
                            "net_amount, vat_amount, currency, created_at, updated_at, version) "
                            "VALUES (424242, 'F-1', '2024-01-31', 100, 0, 'SEK', "
                            "'2024-01-31 00:00:00', '2024-01-31 00:00:00', 1)"
                        )
                    )
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


def test_the_upgrade_marks_private_persons_and_never_reuses_a_deleted_id(databases, migrated_app):
    """A vendor whose VAT number holds a personnummer and a SURNAME;FIRSTNAME organiser become
    private; on SQLite a vendor deleted before the upgrade (the audit trail remembers it)
    does not lend its id to the next one."""
    app = migrated_app(databases.new())
    now = "2026-01-01 00:00:00"
    try:
        with app.app_context():
            downgrade(revision="base")
            upgrade(revision="492c06ee5d0d")
            with db.engine.begin() as connection:
                for id_, name, vat in (
                    (1, "Bolaget AB", "SE556036079301"),
                    (2, "Lindqvist Konsult", "SE811218987601"),
                    (3, "Borttagen AB", None),
                ):
                    connection.execute(
                        sa.text(
                            "INSERT INTO vendors (id, name, name_key, id_kind, country, "
                            "vat_number, is_private_person, created_at, updated_at, version) "
                            "VALUES (:id, :name, :key, 'none', 'SE', :vat, false, "
                            ":now, :now, 1)"
                        ),
                        {"id": id_, "name": name, "key": name.lower(), "vat": vat, "now": now},
                    )
                connection.execute(sa.text("DELETE FROM vendors WHERE id = 3"))
                connection.execute(
                    sa.text(
                        "INSERT INTO audit_events (occurred_at, actor, origin, action, "
                        "record_type, record_id, record_label, changes) VALUES "
                        "(:now, 'x', 'web', 'delete', 'vendors', 3, 'Borttagen AB', '{}')"
                    ),
                    {"now": now},
                )
                connection.execute(
                    sa.text(
                        "INSERT INTO rate_cards (id, valid_from, day_rate, currency, created_at, "
                        "updated_at, version) VALUES (1, '2010-01-01', 600000, 'SEK', :now, "
                        ":now, 1)"
                    ),
                    {"now": now},
                )
                connection.execute(
                    sa.text(
                        "INSERT INTO engagements (id, organiser_name, first_day, last_day, "
                        "topic, started_days, rate_card_id, day_rate, fee_amount, currency, "
                        "organiser_pays_travel, created_at, updated_at, version) VALUES "
                        "(1, 'WENNERHOLM;SIGRID', '2010-09-01', '2010-09-01', 'Tal', 1, 1, "
                        "600000, 600000, 'SEK', false, :now, :now, 1)"
                    ),
                    {"now": now},
                )
            upgrade()
            with db.engine.begin() as connection:
                private = dict(
                    connection.execute(sa.text("SELECT id, is_private_person FROM vendors")).all()
                )
                organiser = connection.execute(
                    sa.text("SELECT organiser_is_private FROM engagements")
                ).scalar()
                sqlite = connection.dialect.name == "sqlite"
                if sqlite:  # PostgreSQL's sequences never reuse an id; ids were given here
                    connection.execute(
                        sa.text(
                            "INSERT INTO vendors (name, name_key, id_kind, country, "
                            "is_private_person, created_at, updated_at, version) "
                            "VALUES ('Ny AB', 'ny ab', 'none', 'SE', false, :now, :now, 1)"
                        ),
                        {"now": now},
                    )
                    newest = connection.execute(sa.text("SELECT max(id) FROM vendors")).scalar()
                    assert newest == 4
        assert {k: bool(v) for k, v in private.items()} == {1: False, 2: True}
        assert organiser
        assert _differences(app) == []
    finally:
        with app.app_context():
            db.engine.dispose()


def test_the_review_share_starts_as_the_environment_set_it_and_steps_down_cleanly(
    databases, migrated_app, monkeypatch
):
    """Before it was kept in the database the share came from INSYN_AMENDMENT_REVIEW_PERCENT:
    an installation upgrading with it set keeps its share (and its stored flags' key); one
    without it, or with a value that is no share, starts at 10 %."""
    app = migrated_app(databases.new())

    def stored() -> list[tuple]:
        with db.engine.connect() as connection:
            return connection.execute(
                sa.text("SELECT id, amendment_review_percent, version FROM flag_settings")
            ).all()

    try:
        with app.app_context():
            assert [tuple(row) for row in stored()] == [(1, 1000, 1)]  # hundredths: 10 %
            for value, hundredths in (("12.5", 1250), ("tio", 1000), ("-3", 1000), ("0", 0)):
                downgrade(revision="3d6b8e2f7a15")
                assert "flag_settings" not in sa.inspect(db.engine).get_table_names()
                monkeypatch.setenv("INSYN_AMENDMENT_REVIEW_PERCENT", value)
                upgrade()
                assert [tuple(row) for row in stored()] == [(1, hundredths, 1)], value
        assert _differences(app) == []
    finally:
        with app.app_context():
            db.engine.dispose()
