"""The public's heaviest pages are computed once and served again for a few seconds, to
readers who are not signed in, in their language; never to a signed-in account, never with a
flashed message."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from types import SimpleNamespace

import pytest

from app.settings import password_policy
from tests.conftest import sign_in

TOTALS = "/reports/totals.json?by=year,vendor"


@pytest.fixture(scope="module")
def app(databases, demo_app):
    """An app of its own keeping copies for ten seconds, with the demo data committed."""
    with demo_app(databases.new(), PUBLIC_CACHE_SECONDS=10) as app:
        yield app


@pytest.fixture
def cached(app, monkeypatch):
    """Counts how often totals are computed; a clock the test moves; no copies to begin."""
    from app.web import response_cache
    from app.web.reports import views

    calls = []
    real = views.compute_totals
    monkeypatch.setattr(views, "compute_totals", lambda query: calls.append(1) or real(query))
    clock = [1000.0]
    monkeypatch.setattr(response_cache.time, "monotonic", lambda: clock[0])
    app.extensions["insyn_public_cache"].entries.clear()
    return calls, clock


_numbers = itertools.count(1)


@pytest.fixture
def make_user(app):
    """Open an account (committed) on this test's app; returns what sign_in needs."""
    from app.extensions import db
    from app.services.accounts import create_user
    from tests.conftest import PASSWORD

    def make(role: str) -> SimpleNamespace:
        email = f"{role}{next(_numbers)}@kommun.example"
        with app.app_context():
            create_user(
                {"email": email, "name": role.title(), "role": role, "password": PASSWORD},
                policy=password_policy(),
            )
            db.session.commit()
            db.session.remove()
        return SimpleNamespace(email=email)

    return make


def test_the_public_gets_a_copy_until_it_expires(app, cached):
    calls, clock = cached
    reader = app.test_client()
    first = reader.get(TOTALS)
    assert reader.get(TOTALS).data == first.data and calls == [1]
    assert "Content-Security-Policy" in reader.get(TOTALS).headers  # made afresh each time
    clock[0] += 11
    assert reader.get(TOTALS).data == first.data and calls == [1, 1]


def test_a_change_shows_to_the_public_when_the_copy_expires_and_to_staff_at_once(
    app, cached, make_user
):
    from app.extensions import db
    from app.models import Vendor
    from app.services.invoices import create_invoice

    calls, clock = cached
    reader = app.test_client()
    clerk = sign_in(app.test_client(), make_user("clerk"))
    before = _sum(reader.get(TOTALS).json)
    with app.app_context():
        create_invoice({"vendor": db.session.scalars(db.select(Vendor)).first(),
                        "invoice_number": "CACHE-1", "invoiced_on": dt.date(2010, 6, 1),
                        "net_amount": Decimal("123.45"), "vat_rate": 25})  # fmt: skip
        db.session.commit()
        db.session.remove()
    assert _sum(clerk.get(TOTALS).json) == before + Decimal("123.45")
    assert _sum(reader.get(TOTALS).json) == before
    clock[0] += 10.5
    assert _sum(reader.get(TOTALS).json) == before + Decimal("123.45")


def _sum(report: dict) -> Decimal:
    return sum((Decimal(row["amount"]) for row in report["rows"]), Decimal(0))


def test_each_language_gets_its_own_copy(app, cached):
    calls, _clock = cached
    reader = app.test_client()
    swedish = reader.get("/reports/totals?by=year,vendor").text
    reader.get("/language/en")
    english = reader.get("/reports/totals?by=year,vendor").text
    assert swedish != english and len(calls) == 2


def test_a_signed_in_account_never_gets_a_copy(app, cached, make_user):
    calls, _clock = cached
    app.test_client().get(TOTALS)
    clerk = sign_in(app.test_client(), make_user("clerk"))
    clerk.get(TOTALS)
    clerk.get(TOTALS)
    assert len(calls) == 3


def test_a_page_with_a_flashed_message_is_neither_served_nor_kept(app, cached, make_user):
    reader = app.test_client()
    reader.get("/")  # kept
    clerk = sign_in(app.test_client(), make_user("clerk"))
    clerk.post("/logout")  # flashes "Signed out." for the front page
    assert "Du är utloggad." in clerk.get("/").text
    assert "Du är utloggad." not in reader.get("/").text
    assert "Du är utloggad." not in app.test_client().get("/").text


def test_a_crowd_asking_at_once_has_the_page_computed_once(app, cached, monkeypatch):
    """Twenty readers arriving together, before any copy exists: one computes, the others
    wait for its answer."""
    import threading
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    from app.web.reports import views
    from tests.conftest import serve

    calls, _clock = cached
    counting = views.compute_totals

    def slow(query):
        threading.Event().wait(0.3)  # long enough for the crowd to arrive meanwhile
        return counting(query)

    monkeypatch.setattr(views, "compute_totals", slow)
    with serve(app) as url:
        start = threading.Barrier(20)

        def read(_):
            start.wait()
            with urllib.request.urlopen(url + TOTALS, timeout=60) as response:  # noqa: S310
                return response.read()

        with ThreadPoolExecutor(20) as pool:
            bodies = list(pool.map(read, range(20)))
    assert len(set(bodies)) == 1 and calls == [1]
