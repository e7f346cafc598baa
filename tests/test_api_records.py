"""The API's records and reports: pages by cursor, the pages' filters, the public's view of
private persons, strict parameters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.models import Invoice
from tests.api_helpers import bearer
from tests.api_helpers import make_token


def _all_pages(client, url: str, **headers) -> list[dict]:
    items, pages = [], 0
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        items += response.json["items"]
        url = response.json["next"]
        if url:
            assert f'<{url}>; rel="next"' in response.headers["Link"]
        pages += 1
    return items


@pytest.mark.parametrize(
    "path", ["/api/v1/invoices", "/api/v1/invoices?sort=net_amount&dir=asc",
             "/api/v1/invoices?sort=paid_on", "/api/v1/invoices?sort=vendor",
             "/api/v1/vendors", "/api/v1/contracts?sort=ends_on",
             "/api/v1/engagements?sort=paid_on"],
)  # fmt: skip
def test_cursor_pages_hold_every_record_once_in_the_lists_order(anonymous, demo, path):
    whole = anonymous.get(path + ("&" if "?" in path else "?") + "limit=1000").json["items"]
    sep = "&" if "?" in path else "?"
    paged = _all_pages(anonymous, f"{path}{sep}limit=1")
    assert [i["id"] for i in paged] == [i["id"] for i in whole]
    assert len({i["id"] for i in paged}) == len(paged) > 1


def test_pages_stay_put_when_records_are_added_before_them(anonymous, demo, make_invoice):
    ten = [i["id"] for i in anonymous.get("/api/v1/invoices?limit=10").json["items"]]
    first = anonymous.get("/api/v1/invoices?limit=5").json
    new = make_invoice(invoiced_on=dt.date(2026, 12, 1))  # the newest: sorts before page one
    second = anonymous.get(first["next"]).json
    assert [i["id"] for i in second["items"]] == ten[5:]
    assert anonymous.get("/api/v1/invoices?limit=1").json["items"][0]["id"] == new.id


def test_invoice_filters_are_the_pages_filters(anonymous, demo, demo_ids):
    vendor = demo_ids["vendor"]
    items = _all_pages(anonymous, f"/api/v1/invoices?vendor={vendor}&year=2010&status=active")
    total = sum(Decimal(i["net_amount"]) for i in items)
    page = anonymous.get(f"/invoices.json?vendor={vendor}&year=2010&status=active").json
    assert total == Decimal(page["totals"][0]["net_amount"])
    assert {i["vendor_id"] for i in items} == {vendor}
    assert all(i["invoiced_on"].startswith("2010") for i in items)
    # The totals report's row for the same vendor and year is the same sum.
    totals = anonymous.get(f"/api/v1/totals?by=vendor&vendor={vendor}&year=2010").json
    assert Decimal(totals["rows"][0]["amount"]) == total


def test_amounts_are_decimal_strings_beside_their_currency(anonymous, make_invoice, db):
    invoice = make_invoice(net_amount=Decimal("1234.50"), vat_rate=25)
    data = anonymous.get(f"/api/v1/invoices/{invoice.id}").json
    assert data["net_amount"] == "1234.50" and data["vat_amount"] == "308.63"
    assert data["gross_amount"] == "1543.13" and data["currency"] == "SEK"
    assert data["invoiced_on"] == "2010-03-01"
    assert data["version"] == 1


def test_a_contract_holds_its_amendments_and_the_terms_in_force(anonymous, make_contract, db):
    from app.services.contracts import add_amendment

    contract = make_contract(ceiling_amount=Decimal("100000.00"))
    add_amendment(
        contract,
        {"dated_on": dt.date(2010, 6, 1), "kind": "expansion", "added_amount": Decimal("50000")},
    )
    db.session.commit()
    data = anonymous.get(f"/api/v1/contracts/{contract.id}").json
    assert data["ceiling_amount"] == "100000.00"
    assert data["current_terms"]["ceiling_amount"] == "150000.00"
    assert data["current_terms"]["effective_on"] == "2010-06-01"
    assert [a["added_amount"] for a in data["amendments"]] == ["50000.00"]


def test_the_public_sees_a_private_person_as_the_pages_show_one(
    app, anonymous, make_vendor, make_invoice, make_user, db
):
    person = make_vendor(name="Svensson;Anna", org_number="19811218-9876")
    invoice = make_invoice(vendor=person)
    public = anonymous.get(f"/api/v1/invoices/{invoice.id}").json
    assert public["vendor"] == "Privatperson" and public["vendor_org_number"] is None
    vendor = anonymous.get(f"/api/v1/vendors/{person.id}").json
    assert vendor["name"] == "Privatperson" and vendor["org_number"] is None
    listed = anonymous.get("/api/v1/vendors?limit=1000").json["items"]
    assert "Svensson;Anna" not in str(listed) and "19811218" not in str(listed)
    assert anonymous.get("/api/v1/vendors?q=Svensson").json["items"] == []
    # Staff, with a token, see the name.
    _token, secret = make_token(db, make_user, "auditor", "read")
    staff = app.test_client().get(f"/api/v1/invoices/{invoice.id}", headers=bearer(secret)).json
    assert staff["vendor"] == "Svensson;Anna"
    assert staff["vendor_org_number"] == person.org_number and "9876" in person.org_number


@pytest.mark.parametrize(
    "query,field",
    [("year=abc", "year"), ("sort=colour", "sort"), ("limit=0", "limit"), ("status=gone", "status"),
     ("from=2010-13-01", "from"), ("cursor=forged", "cursor"), ("min=lots", "query")],
)  # fmt: skip
def test_a_parameter_that_cannot_be_read_is_a_problem_naming_it(anonymous, db, query, field):
    response = anonymous.get(f"/api/v1/invoices?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 400
    assert field in [e["field"] for e in response.json["errors"]]


def test_a_cursor_of_another_sort_is_refused(anonymous, demo):
    cursor = anonymous.get("/api/v1/invoices?limit=2").json["next"].split("cursor=")[1]
    response = anonymous.get(f"/api/v1/invoices?sort=net_amount&cursor={cursor}")
    assert response.status_code == 400


def test_reports_are_the_pages_reports(anonymous, demo):
    for name in ("totals", "pivot", "balance"):
        api = anonymous.get(f"/api/v1/{name}?year=2010").json
        page = anonymous.get(f"/reports/{name}.json?year=2010").json
        assert api == page, name


def test_flags_of_a_year_and_of_a_contract(anonymous, demo, demo_ids):
    year = anonymous.get("/api/v1/flags?year=2010").json
    assert year["year"] == 2010 and year["flags"]
    balance = anonymous.get("/api/v1/balance?year=2010").json
    assert year["flags"] == balance["flags"]
    contract = anonymous.get(f"/api/v1/flags?contract={demo_ids['contract']}").json
    assert contract["contract_id"] == demo_ids["contract"]
    assert all(f["contract_id"] == demo_ids["contract"] for f in contract["flags"])


def test_unknown_records_are_404_problems(anonymous, db):
    for path in ("invoices", "vendors", "contracts", "engagements", "import-batches"):
        response = anonymous.get(f"/api/v1/{path}/2147483000")
        assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_the_lists_read_a_page_in_a_few_queries(app, anonymous, demo):
    statements = []

    def count(*_args, **_kwargs):
        statements.append(1)

    from app.extensions import db

    engine = db.engines[None]
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        assert anonymous.get("/api/v1/invoices?limit=200").status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    # The validator, the page, its categories and departments: not one query per invoice.
    invoices = db.session.scalar(sa.select(sa.func.count()).select_from(Invoice))
    assert len(statements) < 8 < invoices
