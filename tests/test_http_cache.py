"""ETag, Last-Modified and 304 on what programs read; Cache-Control by audience; CORS."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.api_helpers import bearer
from tests.api_helpers import make_token

PROGRAM_ADDRESSES = [
    "/api/v1/invoices",
    "/api/v1/totals?by=year,vendor",
    "/api/v1/balance?year=2010",
    "/reports/totals.json?by=year,vendor",
    "/invoices.json",
    "/reports/pivot.json",
    "/feed.atom",
]


@pytest.mark.parametrize("url", PROGRAM_ADDRESSES)
def test_a_second_get_with_the_etag_gets_304_with_no_body(anonymous, demo, url):
    first = anonymous.get(url)
    assert first.status_code == 200 and first.headers["ETag"]
    assert first.headers["Last-Modified"]
    again = anonymous.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    since = anonymous.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304 and since.data == b""


def test_a_change_gives_a_new_etag_and_the_new_body(anonymous, demo, make_invoice):
    first = anonymous.get("/api/v1/invoices?limit=1")
    make_invoice(invoiced_on=dt.date(2026, 12, 2))
    after = anonymous.get(
        "/api/v1/invoices?limit=1", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert after.status_code == 200
    assert after.headers["ETag"] != first.headers["ETag"]
    assert after.json["items"][0]["invoiced_on"] == "2026-12-02"


def test_a_304_costs_one_small_query(app, anonymous, demo):
    import sqlalchemy as sa

    from app.extensions import db

    etag = anonymous.get("/api/v1/balance?year=2010").headers["ETag"]
    statements = []
    engine = db.engines[None]

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        response = anonymous.get("/api/v1/balance?year=2010", headers={"If-None-Match": etag})
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 304
    # (The test's savepoint around the request aside.)
    queries = [s for s in statements if "SAVEPOINT" not in s]
    assert len(queries) == 1 and "audit_events" in queries[0]


def test_public_answers_may_be_cached_briefly_staff_answers_never(
    app, anonymous, client, db, make_user
):
    public = anonymous.get("/api/v1/categories")
    assert public.headers["Cache-Control"] == "public, max-age=60, must-revalidate"
    assert "Authorization" in public.headers["Vary"] and "Cookie" in public.headers["Vary"]
    assert client.get("/api/v1/categories").headers["Cache-Control"] == "private, no-store"
    _token, secret = make_token(db, make_user, "auditor", "read")
    with_token = app.test_client().get("/api/v1/categories", headers=bearer(secret))
    assert with_token.headers["Cache-Control"] == "private, no-store"
    # The audience is part of the tag: a public copy never validates a staff one.
    assert with_token.headers["ETag"] != public.headers["ETag"]


def test_any_site_may_read_the_public_data(anonymous, db):
    response = anonymous.get("/api/v1/categories", headers={"Origin": "https://tidningen.se"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    preflight = anonymous.options(
        "/api/v1/invoices",
        headers={
            "Origin": "https://tidningen.se",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert "POST" not in preflight.headers["Access-Control-Allow-Methods"]
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]


def test_pages_are_not_made_cacheable(anonymous, db):
    page = anonymous.get("/invoices/")
    assert "ETag" not in page.headers and "Access-Control-Allow-Origin" not in page.headers
