"""Simultaneous writers: on SQLite they take turns (write-ahead log, a busy timeout, and
transactions that take the write lock when they begin) instead of failing with "database is
locked"; on PostgreSQL too, nothing is lost. Driven through a real server, a thread per
request, as gunicorn's threads drive it."""

from __future__ import annotations

import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar

import pytest
import sqlalchemy as sa

from app.settings import password_policy
from tests.conftest import PASSWORD
from tests.conftest import serve


@pytest.fixture
def fresh(databases, migrated_app):
    """An app on a database of its own (no test transaction holds it), with three clerks."""
    from app.extensions import db
    from app.services.accounts import create_user
    from app.services.vendors import create_vendor

    app = migrated_app(databases.new(), PROPAGATE_EXCEPTIONS=False)
    with app.app_context():
        app.clerks = [
            create_user({"email": f"clerk{n}@kommun.example", "name": f"Clerk {n}",
                         "role": "clerk", "password": PASSWORD},
                        policy=password_policy()).email
            for n in range(3)
        ]  # fmt: skip
        app.vendor_id = create_vendor({"name": "Konsultbolaget AB"}).id
        db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


def _browser():
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect()
    )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _post(opener, url: str, data: dict) -> int:
    body = urllib.parse.urlencode(data).encode()
    try:
        with opener.open(url, body, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_simultaneous_sign_ins_and_invoice_saves_all_succeed(fresh):
    """Three clerks sign in at once, then save fifteen invoices each at the same moment:
    every sign-in and every save answers as it should, and all 45 invoices are there."""
    from app.extensions import db
    from app.models import Invoice

    per_clerk = 15
    with serve(fresh) as url:
        browsers = [_browser() for _ in fresh.clerks]
        start = threading.Barrier(len(browsers))

        def sign_in(pair):
            opener, email = pair
            start.wait()
            return _post(opener, f"{url}/login", {"email": email, "password": PASSWORD})

        def save_invoices(number_opener):
            number, opener = number_opener
            start.wait()
            return [
                _post(opener, f"{url}/invoices/new", {
                    "vendor": "Konsultbolaget AB", "vendor_id": fresh.vendor_id,
                    "invoice_number": f"K{number}-{n}", "invoiced_on": "2012-03-01",
                    "net_amount": "1 000,00", "vat_rate": "25", "currency": "SEK",
                })
                for n in range(per_clerk)
            ]  # fmt: skip

        with ThreadPoolExecutor(len(browsers)) as pool:
            signed_in = list(pool.map(sign_in, zip(browsers, fresh.clerks, strict=True)))
            saved = list(pool.map(save_invoices, enumerate(browsers)))
    assert signed_in == [302] * len(browsers)
    assert [status for statuses in saved for status in statuses] == [302] * 45
    with fresh.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Invoice)) == 45


def test_sixty_four_simultaneous_wrong_passwords_try_at_most_five(fresh, monkeypatch):
    """Counting the failures and recording an attempt are one step: 64 guesses sent at once
    get at most five passwords checked before the account locks."""
    from app.services import accounts

    checked = []
    real = accounts.verify_password

    def counting(password_hash: str, password: str) -> bool:
        checked.append(password)
        threading.Event().wait(0.02)  # a real scrypt takes this long and more
        return real(password_hash, password)

    monkeypatch.setattr(accounts, "verify_password", counting)
    email = fresh.clerks[0]
    with serve(fresh) as url:
        start = threading.Barrier(64)

        def guess(number: int) -> int:
            opener = _browser()
            start.wait()
            return _post(opener, f"{url}/login", {"email": email, "password": f"fel {number}"})

        with ThreadPoolExecutor(64) as pool:
            statuses = list(pool.map(guess, range(64)))
    assert statuses == [200] * 64  # each refused on the page, none a server error
    assert 1 <= len(checked) <= 5, len(checked)
