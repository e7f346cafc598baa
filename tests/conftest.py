"""Fixtures: an app on a fresh database built by the migrations, a transaction per test.

The database is SQLite (a temporary file) unless ``DATABASE_URL`` names a PostgreSQL server;
then a throwaway database is created on that server for the session and dropped after it, so
the suite never touches the database ``DATABASE_URL`` itself points at.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from app import create_app
from app.config import with_driver
from app.extensions import db as _db

TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key-not-for-production",
    "WTF_CSRF_ENABLED": False,
}


class Databases:
    """Creates empty databases for tests on the configured server, and drops them at the end."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self._tmp = tmp_path_factory
        self._server = os.environ.get("DATABASE_URL", "").strip()
        self._created: list[str] = []

    @property
    def is_postgres(self) -> bool:
        return bool(self._server)

    def new(self) -> str:
        """The URL of a new, empty database."""
        if not self._server:
            return f"sqlite:///{self._tmp.mktemp('db') / 'insyn.sqlite3'}"
        name = f"insyn_test_{uuid.uuid4().hex[:12]}"
        with self._admin().connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        self._created.append(name)
        return (
            sa.make_url(with_driver(self._server))
            .set(database=name)
            .render_as_string(hide_password=False)
        )

    def _admin(self) -> sa.Engine:
        return sa.create_engine(with_driver(self._server), isolation_level="AUTOCOMMIT")

    def drop_all(self) -> None:
        if not self._created:
            return
        engine = self._admin()
        with engine.connect() as conn:
            for name in self._created:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        engine.dispose()


@pytest.fixture(scope="session")
def databases(tmp_path_factory) -> Iterator[Databases]:
    factory = Databases(tmp_path_factory)
    yield factory
    factory.drop_all()


def make_migrated_app(url: str, **config):
    """An app on ``url`` with the schema built by the migrations (never ``create_all``)."""
    from flask_migrate import upgrade

    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url, **config})
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(scope="session")
def migrated_app():
    """``make_migrated_app`` for tests that need an app of their own (fixtures in
    subdirectories cannot import this module by name)."""
    return make_migrated_app


@pytest.fixture(scope="session")
def app(databases):
    app = make_migrated_app(databases.new())
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture
def db(app):
    """The database session inside a transaction that is rolled back after the test.

    Commits made by the code under test (views, services, CLI) release savepoints inside
    that transaction, so they behave as commits but leave nothing behind.
    """
    with app.app_context():
        engine = _db.engine
        connection = engine.connect()
        transaction = connection.begin()
        _db.engines[None] = connection
        _db.session.remove()
        _db.session.configure(join_transaction_mode="create_savepoint")
        try:
            yield _db
        finally:
            _db.session.remove()
            transaction.rollback()
            connection.close()
            _db.engines[None] = engine


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


@pytest.fixture
def demo(db):
    """The demo data set, loaded into this test's transaction."""
    from app.services.demo import load_demo

    load_demo()
    db.session.commit()
    return db


# --- factories: flushed and committed records with sensible defaults -------------------------

_counter = iter(range(1, 10**9))


@pytest.fixture
def make_vendor(db):
    from app.services.vendors import create_vendor

    def make(**overrides):
        data = {"name": f"Leverantör {next(_counter)} AB", **overrides}
        vendor = create_vendor(data)
        db.session.commit()
        return vendor

    return make


@pytest.fixture
def make_contract(db, make_vendor):
    import datetime as dt
    from decimal import Decimal

    from app.services.contracts import create_contract

    def make(**overrides):
        data = {
            "title": f"Avtal {next(_counter)}",
            "starts_on": dt.date(2010, 1, 1),
            "ends_on": dt.date(2010, 12, 31),
            "ceiling_amount": Decimal("100000.00"),
            "hour_quota": Decimal("100"),
            "hourly_rate": Decimal("1000.00"),
            **overrides,
        }
        data.setdefault("vendor", make_vendor())
        contract = create_contract(data)
        db.session.commit()
        return contract

    return make


@pytest.fixture
def make_invoice(db, make_vendor):
    import datetime as dt
    from decimal import Decimal

    from app.services.invoices import create_invoice

    def make(**overrides):
        data = {
            "invoice_number": f"F{next(_counter)}",
            "invoiced_on": dt.date(2010, 3, 1),
            "net_amount": Decimal("1000.00"),
            "vat_rate": 25,
            **overrides,
        }
        data.setdefault("vendor", make_vendor())
        invoice = create_invoice(data)
        db.session.commit()
        return invoice

    return make


@pytest.fixture
def make_rate_card(db):
    import datetime as dt
    from decimal import Decimal

    from app.services.income import create_rate_card

    def make(**overrides):
        data = {"valid_from": dt.date(2010, 1, 1), "day_rate": Decimal("6000.00"), **overrides}
        card = create_rate_card(data)
        db.session.commit()
        return card

    return make
