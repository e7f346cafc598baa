"""Forms are protected against cross-site requests: without the token nothing is written."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.models import Vendor
from tests.conftest import PASSWORD


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def test_a_form_posted_without_its_token_gets_400_and_writes_nothing(app, db, make_user, csrf_on):
    user = make_user("clerk")
    client = app.test_client()
    # Signing in is a form too.
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 400
    )
    login = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": _token(login)}
    )
    assert response.status_code == 302

    response = client.post("/vendors/new", data={"name": "Utan token AB", "country": "SE"})
    assert response.status_code == 400
    response = client.post(
        "/vendors/new", data={"name": "Fel token AB", "country": "SE", "csrf_token": "x" * 40}
    )
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vendor)) == 0

    token = _token(client.get("/vendors/new").get_data(as_text=True))
    response = client.post(
        "/vendors/new", data={"name": "Med token AB", "country": "SE", "csrf_token": token}
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Vendor.name)) == "Med token AB"


def test_every_form_on_every_page_carries_a_token(app, db, admin_client, demo_ids, csrf_on):
    pages = [
        "/vendors/new",
        "/invoices/new",
        "/contracts/new",
        "/income/new",
        "/income/rates/new",
        "/lists/categories/new",
        "/users/new",
        f"/contracts/{demo_ids['contract']}",
        f"/invoices/{demo_ids['invoice']}/void",
        "/account/password",
    ]
    for url in pages:
        html = admin_client.get(url).get_data(as_text=True)
        forms = re.findall(r"<form[^>]*method=\"post\".*?</form>", html, flags=re.S)
        assert forms, url
        for form in forms:
            assert 'name="csrf_token"' in form, url
