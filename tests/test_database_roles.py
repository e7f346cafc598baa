"""The application's own PostgreSQL role (``insyn grant ROLE``) reads and writes records and
appends to the audit trail, and can do nothing more: it cannot switch the audit trail's
triggers off, nor change or remove an audit event. On SQLite, which has no roles, the command
says so."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from app.config import with_driver


@pytest.fixture
def installation(databases, demo_app):
    with demo_app(databases.new()) as app:
        yield app


def test_the_application_role_cannot_touch_the_audit_trail(installation, databases, migrated_app):
    from app.extensions import db

    role = f"insyn_app_{uuid.uuid4().hex[:8]}"
    result = installation.test_cli_runner().invoke(args=["grant", role])
    if not databases.is_postgres:
        assert result.exit_code == 1 and "Database roles are PostgreSQL's" in result.output
        return
    with installation.app_context():
        owner_url = db.engine.url
        with db.engine.begin() as connection:
            connection.execute(sa.text(f'CREATE ROLE "{role}" LOGIN'))
    try:
        result = installation.test_cli_runner().invoke(args=["grant", role])
        assert result.exit_code == 0, result.output
        app_url = owner_url.set(username=role, password=None)
        engine = sa.create_engine(with_driver(app_url.render_as_string(hide_password=False)))
        try:
            _the_role_reads_and_writes_records_and_nothing_more(engine)
        finally:
            engine.dispose()
        # The server runs as the role: insyn check no longer warns of the owner.
        as_role = migrated_app(app_url.render_as_string(hide_password=False))
        checked = as_role.test_cli_runner().invoke(args=["check"])
        assert "connects as the owner" not in checked.output, checked.output
        with as_role.app_context():
            db.engine.dispose()
    finally:
        with installation.app_context(), db.engine.begin() as connection:
            connection.execute(sa.text(f'DROP OWNED BY "{role}"'))
            connection.execute(sa.text(f'DROP ROLE "{role}"'))


def _refused(engine: sa.Engine, statement: str) -> None:
    refused = pytest.raises(sa.exc.ProgrammingError, match="(?i)permission denied|must be owner")
    with refused, engine.begin() as connection:
        connection.execute(sa.text(statement))


def _the_role_reads_and_writes_records_and_nothing_more(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM invoices")).scalar() > 0
        connection.execute(sa.text("UPDATE invoices SET description = description"))
        connection.execute(
            sa.text(
                "INSERT INTO audit_events (occurred_at, actor, origin, action, record_type, "
                "record_id, record_label, changes) VALUES (now(), 'x', 'web', 'update', "
                "'invoices', 1, 'x', '{}')"
            )
        )
        connection.execute(sa.text("DELETE FROM login_attempts"))
    for statement in (
        "ALTER TABLE audit_events DISABLE TRIGGER ALL",
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change",
        "UPDATE audit_events SET actor = 'someone else'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
        "DROP TABLE audit_events",
        "UPDATE alembic_version SET version_num = 'x'",
        "CREATE TABLE elsewhere (id int)",
    ):
        _refused(engine, statement)


def test_the_application_role_imports_a_large_first_ledger_and_undoes_it(
    databases, migrated_app, tmp_path
):
    """Imports run as the application's role (the README's setup). It may not drop or build
    the invoices' indexes, so its large first load into the empty table keeps them up (the
    owner's load sets them aside and builds them after); and an import sums its rows for the
    summaries in a temporary table, which ``insyn grant`` lets the role make even where the
    database's rights were taken from everyone (``REVOKE ALL … FROM PUBLIC``)."""
    from app.extensions import db
    from app.importing.load import BULK_THRESHOLD
    from app.importing.load import InvoiceWriter
    from app.importing.plan import Options
    from app.importing.run import import_and_commit
    from app.models import ImportBatch
    from app.services import imports
    from app.services import summaries
    from tests.processes import ledger_csv

    url = databases.new()
    owner = migrated_app(url)
    with owner.app_context():
        # The owner may set the indexes aside: that is the fast first load.
        assert InvoiceWriter.may_set_indexes_aside()
        db.session.remove()
    if not databases.is_postgres:
        return  # one file, no roles: whoever opens it owns it (the test above)
    role = f"insyn_app_{uuid.uuid4().hex[:8]}"
    with owner.app_context():
        with db.engine.begin() as connection:
            connection.execute(sa.text(f'CREATE ROLE "{role}" LOGIN'))
            database = db.engine.url.database
            connection.execute(sa.text(f'REVOKE ALL ON DATABASE "{database}" FROM PUBLIC'))
        owner_url = db.engine.url
    try:
        result = owner.test_cli_runner().invoke(args=["grant", role])
        assert result.exit_code == 0, result.output
        as_role = migrated_app(
            owner_url.set(username=role, password=None).render_as_string(hide_password=False)
        )
        with owner.app_context(), db.engine.begin() as connection:
            # Rights as given before imports needed a temporary table: insyn check says so.
            connection.execute(sa.text(f'REVOKE TEMPORARY ON DATABASE "{database}" FROM "{role}"'))
        checked = as_role.test_cli_runner().invoke(args=["check"])
        assert "may not make temporary tables" in checked.output, checked.output
        with as_role.app_context():
            db.engine.dispose()
        result = owner.test_cli_runner().invoke(args=["grant", role])
        assert result.exit_code == 0, result.output
        checked = as_role.test_cli_runner().invoke(args=["check"])
        assert "temporary tables" not in checked.output, checked.output
        total = ledger_csv(tmp_path / "first.csv", BULK_THRESHOLD)
        with as_role.app_context():
            assert not InvoiceWriter.may_set_indexes_aside()
            report = import_and_commit(tmp_path / "first.csv", None, Options())
            assert report.status == "ok", report.error
            assert report.imported == BULK_THRESHOLD
            assert summaries.differences() == []
            sums = db.session.execute(sa.text("SELECT count(*), sum(net_amount) FROM invoices"))
            assert tuple(sums.one()) == (BULK_THRESHOLD, total)
            imports.undo_batch(db.session.get(ImportBatch, report.batch_id), "Fel fil")
            db.session.commit()
            assert summaries.differences() == []
            valid = "SELECT count(*) FROM invoices WHERE voided_at IS NULL"
            assert db.session.execute(sa.text(valid)).scalar() == 0
            db.session.remove()
            db.engine.dispose()
        with owner.app_context():
            indexes = sa.inspect(db.engine).get_indexes("invoices")
            assert {i["name"] for i in indexes} >= {i.name for i in _invoice_indexes()}
    finally:
        with owner.app_context():
            with db.engine.begin() as connection:
                connection.execute(sa.text(f'DROP OWNED BY "{role}"'))
                connection.execute(sa.text(f'DROP ROLE "{role}"'))
            db.engine.dispose()


def _invoice_indexes():
    from app.models import Invoice

    return Invoice.__table__.indexes
