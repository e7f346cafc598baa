"""Rate limits for anonymous bulk readers: an app of its own with the limiter on (the rest of
the suite runs with it off)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.extensions import db as _db
from app.settings import password_policy
from tests.api_helpers import bearer
from tests.conftest import sign_in


@pytest.fixture(scope="module")
def limited_app(databases, migrated_app):
    app = migrated_app(databases.new(), RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="100 per minute")
    yield app
    with app.app_context():
        _db.engine.dispose()


def test_the_101st_anonymous_request_in_a_minute_gets_429_with_retry_after(limited_app):
    client = limited_app.test_client()
    client.environ_base["REMOTE_ADDR"] = "192.0.2.10"
    statuses = [client.get("/api/v1/categories").status_code for _ in range(100)]
    assert statuses == [200] * 100
    refused = client.get("/api/v1/invoices")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.mimetype == "application/problem+json"
    # The limit is per address, and for the pages' JSON and downloads too.
    assert client.get("/reports/totals.json").status_code == 429
    assert client.get("/vendors.csv").status_code == 429
    other = limited_app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.11"
    assert other.get("/api/v1/categories").status_code == 200
    # Pages for people are not limited.
    assert client.get("/vendors/").status_code == 200


def test_signed_in_staff_and_token_holders_are_not_limited(limited_app):
    from app.services.accounts import create_user
    from app.services.tokens import create_token
    from tests.conftest import PASSWORD

    with limited_app.app_context():
        user = create_user(
            {
                "email": "personal@kommun.example",
                "name": "P",
                "role": "clerk",
                "password": PASSWORD,
            },
            policy=password_policy(),
        )
        _token, secret = create_token(user, {"name": "t"}, user)
        _db.session.commit()
        email = user.email
    staff = limited_app.test_client()
    staff.environ_base["REMOTE_ADDR"] = "192.0.2.20"
    sign_in(staff, SimpleNamespace(email=email))
    assert all(staff.get("/api/v1/categories").status_code == 200 for _ in range(105))
    program = limited_app.test_client()
    program.environ_base["REMOTE_ADDR"] = "192.0.2.21"
    assert all(
        program.get("/api/v1/categories", headers=bearer(secret)).status_code == 200
        for _ in range(105)
    )
