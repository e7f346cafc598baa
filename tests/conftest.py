"""Fixtures: an app on a fresh database built by the migrations, a transaction per test.

The database is SQLite (a temporary file) unless ``DATABASE_URL`` names a PostgreSQL server;
then a throwaway database is created on that server for the session and dropped after it, so
the suite never touches the database ``DATABASE_URL`` itself points at.
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from hypothesis import HealthCheck
from hypothesis import settings
from werkzeug.serving import WSGIRequestHandler
from werkzeug.serving import make_server

from app import create_app
from app.config import with_driver
from app.extensions import db as _db
from app.settings import password_policy

#: The test data kept in the repository: real public files and the standards' schemas.
TEST_DATA = Path(__file__).resolve().parent / "data"

#: The real public files the importer is tested on (their origins, licences and exact totals
#: are in SOURCES.md there); INSYN_REAL_DATA points elsewhere if needed. Tests that need them
#: fail, never skip, when they are missing.
REAL_DATA = Path(os.environ.get("INSYN_REAL_DATA") or TEST_DATA / "real")

#: The OCDS 1.1.5 JSON schemas, unmodified (see SOURCE.md there).
OCDS_SCHEMAS = TEST_DATA / "ocds-1.1.5"

TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key-not-for-production",
    "WTF_CSRF_ENABLED": False,
    # A cheap scrypt, so that tests that open accounts stay fast; production keeps the default.
    "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
    # Import jobs run in the request: the test's connection cannot be shared with a thread.
    "IMPORT_JOBS_INLINE": True,
    # No rate limits but in the tests of them (tests/test_limits.py), so that the rest of the
    # suite is never throttled.
    "RATELIMIT_ENABLED": False,
    # Tests change records behind the audit trail's back; tests of the cache turn it on.
    "PUBLIC_CACHE_SECONDS": 0,
}

# Property-based tests: bounded and repeatable in the suite (the same examples every run, no
# example database left in the checkout); HYPOTHESIS_PROFILE=explore searches afresh, longer.
settings.register_profile(
    "insyn",
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "explore",
    max_examples=2000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "insyn"))

#: The password of every account the tests open.
PASSWORD = "korrekt häst batteri häftklammer"


class FreshContextClient(FlaskClient):
    """A test client whose every request runs in an app context of its own, as in production.

    Tests hold an app context open for their whole body (the ``db`` fixture); without this,
    requests would share it, and with it ``g``: the signed-in user and the language cached by
    one request would leak into the next.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


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
    app.test_client_class = FreshContextClient
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(scope="session")
def migrated_app():
    """``make_migrated_app`` for tests that need an app of their own (fixtures in
    subdirectories cannot import this module by name)."""
    return make_migrated_app


@pytest.fixture
def own_app(databases):
    """An app on a new database of its own, for tests that share it with other processes
    (its connections closed at the end)."""
    app = make_migrated_app(databases.new())
    yield app
    with app.app_context():
        _db.engine.dispose()


@contextmanager
def demo_installation(url: str, **config) -> Iterator:
    """A migrated app of its own on the database ``url``, the demo data committed; its
    connections closed at the end."""
    from app.services.demo import load_demo

    app = make_migrated_app(url, **config)
    with app.app_context():
        load_demo()
        _db.session.commit()
        _db.session.remove()
    try:
        yield app
    finally:
        with app.app_context():
            _db.engine.dispose()


@pytest.fixture(scope="session")
def demo_app():
    """``demo_installation`` for tests that need an app of their own holding the demo data."""
    return demo_installation


@contextmanager
def serve(app) -> Iterator[str]:
    """``app`` served from background threads on a free port of 127.0.0.1, as a real server
    serves it (a thread per request, each with its own connection); yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class _QuietHandler(WSGIRequestHandler):
    def log(self, type: str, message: str, *args) -> None:
        logging.getLogger("tests.server").debug(message, *args)


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


_emails = iter(range(1, 10**9))


@pytest.fixture
def make_user(db):
    """Open an account: ``make_user("auditor")`` → a committed ``User`` with ``PASSWORD``."""
    from app.services.accounts import create_user

    def make(role: str = "clerk", **overrides):
        number = next(_emails)
        data = {
            "email": f"{role}{number}@kommun.example",
            "name": f"{role.title()} {number}",
            "role": role,
            "password": PASSWORD,
            **overrides,
        }
        user = create_user(data, policy=password_policy())
        db.session.commit()
        return user

    return make


def sign_in(client, user, password: str = PASSWORD):
    """Sign ``client`` in as ``user`` through the sign-in page, as a person does."""
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def anonymous(app, db):
    """A browser that has not signed in."""
    return app.test_client()


def _signed_in(app, make_user, role: str):
    test_client = app.test_client()
    test_client.user = make_user(role)
    return sign_in(test_client, test_client.user)


@pytest.fixture
def client(app, db, make_user):
    """A browser signed in as a clerk (its account is ``client.user``)."""
    return _signed_in(app, make_user, "clerk")


@pytest.fixture
def admin_client(app, db, make_user):
    return _signed_in(app, make_user, "admin")


@pytest.fixture
def auditor_client(app, db, make_user):
    return _signed_in(app, make_user, "auditor")


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


@pytest.fixture
def demo_ids(demo):
    """The first id of each demo table (ids differ between databases: PostgreSQL's sequences
    do not roll back with the test's transaction)."""
    from app import models

    tables = {
        "invoice": models.Invoice,
        "vendor": models.Vendor,
        "contract": models.Contract,
        "amendment": models.ContractAmendment,
        "engagement": models.Engagement,
        "rate_card": models.RateCard,
        "category": models.Category,
        "department": models.Department,
        "import_batch": models.ImportBatch,
        "threshold": models.DirectAwardThreshold,
    }
    return {
        name: demo.session.scalar(sa.select(sa.func.min(model.id)))
        for name, model in tables.items()
    }


#: Which demo record an endpoint's ``id`` names.
_RECORD_OF = {
    "vendors": "vendor",
    "contracts": "contract",
    "contracts.edit_amendment": "amendment",
    "contracts.void_amendment": "amendment",
    "contracts.restore_amendment": "amendment",
    "invoices": "invoice",
    "income": "engagement",
    "income.rate_card": "rate_card",
    "income.edit_rate_card": "rate_card",
    "income.void_rate_card": "rate_card",
    "income.restore_rate_card": "rate_card",
    "lists": "category",
    "users": "user",
    "imports.confirm": "import_job",
    "imports.columns": "import_job",
    "imports.save_layout": "import_job",
    "imports.undo": "import_batch",
    "imports.batch": "import_batch",
    "thresholds": "threshold",
}


def rule_url(app, rule, ids: dict) -> str:
    """A URL of ``rule`` whose ``id`` names an existing demo record of the right kind (a list
    ``kind`` is the categories, a file format the first the route offers, a language Swedish)."""
    record = _RECORD_OF.get(rule.endpoint) or _RECORD_OF.get(rule.endpoint.split(".")[0])
    with app.test_request_context():
        from flask import url_for

        values = {}
        for argument in rule.arguments:
            converter = rule._converters.get(argument)
            if argument == "kind":
                values[argument] = "categories"
            elif argument == "code":
                values[argument] = "sv"
            elif type(converter).__name__ == "AnyConverter":
                values[argument] = sorted(converter.items)[0]
            else:
                values[argument] = ids.get(record, 1)
        return url_for(rule.endpoint, **values)


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


def version_of(record) -> int:
    """The record's version as its page would show it now: a form that edits, voids or
    restores a record posts the version it was opened from."""
    _db.session.refresh(record)
    return record.version
