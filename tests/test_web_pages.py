"""Every page: renders with the demo data, never shows a traceback, escapes what users typed."""

from __future__ import annotations

import re
from decimal import Decimal

import sqlalchemy as sa
from werkzeug.routing import IntegerConverter

from app.models import Vendor
from tests.conftest import rule_url

HOSTILE_ARGS = [
    "",
    "?page=abc",
    "?page=-3",
    "?page=99999",
    "?sort=drop%20table&dir=sideways",
    "?year=abc&vendor=x&category=-1&contract=1e9&department=%00",
    "?year=99999&vendor=2147483648",
    "?q=%27%22%3Cscript%3E&status=nope",
    "?q=" + "x" * 5000,
    "?q=a%00b&vendor_q=%00",  # PostgreSQL cannot hold a NUL in text
    "?page=99999999999999999999&per_page=99999999999999999999",
    "?min=99999999999999999999&max=-99999999999999999999&top=99999999999999999999",
    "?next=%0d%0aSet-Cookie:%20x=1&year=99999999999999999999&month=99999999999999999999",
]


def _get_rules(app):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "static":
            yield rule


def _urls(app, ids):
    for rule in _get_rules(app):
        values = {}
        for argument in rule.arguments:
            converter = rule._converters[argument]
            if isinstance(converter, IntegerConverter):  # record ids (int, id) alike
                values[argument] = ids
            elif argument == "kind":
                values[argument] = ["categories", "departments", "nonsense"]
            elif type(converter).__name__ == "AnyConverter":
                values[argument] = sorted(converter.items)  # every format a download offers
            elif argument == "code":
                values[argument] = ["sv", "en", "xx"]
            else:
                values[argument] = ["x"]
        combos = [{}]
        for name, options in values.items():
            combos = [{**c, name: o} for c in combos for o in options]
        with app.test_request_context():
            from flask import url_for

            for combo in combos:
                yield url_for(rule.endpoint, **combo)


def test_every_page_answers_without_a_server_error(app, client, demo_ids):
    seen = 0
    for url in _urls(app, ids=[min(demo_ids.values()), max(demo_ids.values()), 999999]):
        for args in HOSTILE_ARGS:
            response = client.get(url + args)
            assert response.status_code < 500, (url + args, response.status_code)
            assert b"Traceback" not in response.data
            seen += 1
    assert seen > 100


def test_a_nul_character_is_refused_before_any_query_or_save(client, db):
    response = client.get("/search?q=Penseo%00AB")
    assert response.status_code == 400
    assert "(NUL)" in response.get_data(as_text=True)
    response = client.post("/vendors/new", data={"name": "Penseo\x00AB", "country": "SE"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vendor)) == 0


def test_an_unknown_record_gives_a_friendly_404(client, db):
    for url in [
        "/invoices/424242",
        "/vendors/424242",
        "/contracts/424242",
        "/income/424242",
        "/no/such/page",
    ]:
        response = client.get(url)
        assert response.status_code == 404
        html = response.get_data(as_text=True)
        assert '<html lang="sv">' in html and 'href="/"' in html


def test_garbage_posted_to_every_form_gives_no_server_error(app, admin_client, demo_ids):
    client = admin_client
    garbage = {
        "name": "x" * 1000,
        "org_number": "12",
        "invoice_number": "\x00",
        "invoiced_on": "2010-13-45",
        "net_amount": "1e999",
        "vat_amount": "NaN",
        "vat_rate": "99",
        "currency": "1234",
        "contract_id": "abc",
        "category_id": "999999",
        "department_id": "-1",
        "hours": "∞",
        "vendor": "%",
        "vendor_id": "abc",
        "dated_on": "yesterday",
        "kind": "bogus",
        "first_day": "0000-00-00",
        "day_rate": "-",
        "valid_from": "",
        "reason": "",
        "procurement_basis": "bribery",
        "country": "Sverige",
    }
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        url = rule_url(app, rule, {**demo_ids, "user": client.user.id})
        response = client.post(url, data=garbage)
        assert response.status_code < 500, (url, response.status_code)


def test_a_hostile_vendor_name_is_shown_as_text_everywhere(
    client, auditor_client, db, make_vendor, make_contract, make_invoice
):
    name = "<script>alert(1)</script>"
    vendor = make_vendor(name=name)
    contract = make_contract(vendor=vendor, title="<b>Avtal</b>")
    invoice = make_invoice(
        vendor=vendor, contract=contract, description="<img src=x onerror=alert(2)>"
    )
    pages = [
        "/vendors/",
        f"/vendors/{vendor.id}",
        "/invoices/",
        f"/invoices/{invoice.id}",
        f"/invoices/{invoice.id}/edit",
        "/contracts/",
        f"/contracts/{contract.id}",
        f"/invoices/?vendor={vendor.id}",
        f"/contracts/?vendor={vendor.id}",
        "/invoices/new",
        "/reports/",
        "/reports/totals?by=vendor,contract",
        "/reports/balance?year=2010",
        f"/reports/totals?vendor={vendor.id}",
    ]
    # Auditors also see the history and the log, where the name is part of each event.
    readers = [(client, url) for url in pages] + [
        (auditor_client, url)
        for url in [
            f"/vendors/{vendor.id}",
            f"/invoices/{invoice.id}",
            "/audit/",
            "/audit/?type=vendors",
        ]
    ]
    for reader, url in readers:
        html = reader.get(url).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in html, url
        assert "<img src=x" not in html, url
        assert "<b>Avtal</b>" not in html, url
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get(f"/vendors/{vendor.id}").get_data(
        as_text=True
    )
    assert "&lt;script&gt;" in auditor_client.get("/audit/?type=vendors").get_data(as_text=True)
    assert client.get("/vendors/search.json?q=script").get_json()[0]["name"] == name


def test_pages_carry_security_headers(client, db):
    response = client.get("/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


def test_no_signed_in_page_or_download_is_stored_by_a_browser_or_proxy(
    app, client, anonymous, demo_ids
):
    """What a signed-in account sees may name private persons and hold history: never kept
    in a cache. The public's pages are not marked so (they may be cached)."""
    urls = ["/", f"/vendors/{demo_ids['vendor']}", "/invoices.xlsx", "/reports/totals.json"]
    for url in urls:
        assert client.get(url).headers.get("Cache-Control") == "private, no-store", url
        assert "no-store" not in anonymous.get(url).headers.get("Cache-Control", ""), url


def test_hsts_is_sent_only_when_cookies_are_configured_for_https(app, anonymous, db):
    assert "Strict-Transport-Security" not in anonymous.get("/").headers
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        header = anonymous.get("/").headers["Strict-Transport-Security"]
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False
    assert header == "max-age=31536000"


def test_no_page_has_inline_scripts_or_styles(app, client, demo_ids):
    for url in [
        "/",
        "/invoices/new",
        "/income/new",
        f"/contracts/{demo_ids['contract']}",
        f"/vendors/{demo_ids['vendor']}",
    ]:
        html = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert " style=" not in html and "<style" not in html, url


def test_the_demo_consultant_2010_total_is_on_the_vendors_page(client, demo):
    vendor = demo.session.scalar(sa.select(Vendor).where(Vendor.org_number == "556677-8899"))
    html = client.get(f"/vendors/{vendor.id}").get_data(as_text=True)
    row = re.search(r'<th scope="row">2010</th>\s*<td class="num"><a [^>]*>([^<]+)</a>', html)
    assert row, "no 2010 row on the vendor page"
    shown = row.group(1).replace("\u00a0", " ")
    amount = Decimal(shown.removesuffix(" kr").replace(" ", "").replace(",", "."))
    assert amount == Decimal("267350.00")


def test_lists_paginate_and_sort(app, client, make_vendor):
    for i in range(app.config["PAGE_SIZE"] + 5):
        make_vendor(name=f"Leverantör {i:03d}")
    first = client.get("/vendors/?sort=name&dir=asc").get_data(as_text=True)
    second = client.get("/vendors/?sort=name&dir=asc&page=2").get_data(as_text=True)
    assert "Leverantör 000" in first and "Leverantör 054" not in first
    assert "Leverantör 054" in second
    descending = client.get("/vendors/?sort=name&dir=desc").get_data(as_text=True)
    assert descending.index("Leverantör 054") < descending.index("Leverantör 053")


def test_the_health_check_answers_when_the_database_does(anonymous, db):
    response = anonymous.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_the_health_check_says_unavailable_when_the_database_does_not_answer(
    anonymous, db, monkeypatch
):
    from app.extensions import db as extension

    def refuse(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(extension.session, "execute", refuse)
    response = anonymous.get("/healthz")
    assert response.status_code == 503 and response.json == {"status": "unavailable"}
