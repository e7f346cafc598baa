"""Forms are protected against cross-site requests: without the token nothing is written."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.models import Vendor


def test_a_form_posted_without_its_token_gets_400_and_writes_nothing(app, db):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        response = client.post("/vendors/new", data={"name": "Utan token AB", "country": "SE"})
        assert response.status_code == 400
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Vendor)) == 0

        form = client.get("/vendors/new").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
        response = client.post(
            "/vendors/new", data={"name": "Med token AB", "country": "SE", "csrf_token": token}
        )
        assert response.status_code == 302
        assert db.session.scalar(sa.select(Vendor.name)) == "Med token AB"
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
