"""Lists read a fixed number of queries whatever their length: a page of 100 contracts (each
with its vendor, amendments, invoices and flags), vendors (with their other spellings),
engagements or invoices costs as many SQL statements as a page of 10, on the pages, their
JSON and the API alike."""

from __future__ import annotations

import datetime as dt
import itertools
from contextlib import contextmanager
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.services import contracts as contract_service
from app.services import income as income_service
from app.services import vendors as vendor_service


@contextmanager
def counted():
    """The SQL statements run inside the block, as a list that fills while it runs."""
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", count)


def _add_contracts(db, make_contract, make_invoice, n: int) -> None:
    for _ in range(n):
        contract = make_contract(ceiling_amount=Decimal("1500.00"))
        contract_service.add_amendment(
            contract,
            {
                "dated_on": dt.date(2010, 6, 1),
                "kind": "extension",
                "new_ends_on": dt.date(2011, 6, 30),
            },
        )
        for day in (3, 4):  # the second goes over the ceiling: a flag
            make_invoice(
                vendor=contract.vendor, contract=contract, invoiced_on=dt.date(2010, 3, day)
            )
    db.session.commit()


_numbers = itertools.count()


def _add_vendors(db, n: int) -> None:
    for i in itertools.islice(_numbers, n):
        vendor_service.create_vendor(
            {"name": f"Räknad Leverantör {i} AB", "aliases": [f"Räknad Lev {i}", f"RL {i}"]}
        )
    db.session.commit()


def _add_engagements(db, n: int) -> None:
    for i in range(n):
        income_service.create_engagement(
            {
                "organiser_name": f"Arrangör {i}",
                "topic": "Sociala medier",
                "first_day": dt.date(2010, 5, 1) + dt.timedelta(days=i % 200),
            }
        )
    db.session.commit()


def _add_invoices(make_invoice, make_vendor, n: int) -> None:
    vendor = make_vendor()
    for i in range(n):
        make_invoice(vendor=vendor, invoiced_on=dt.date(2010, 1, 1) + dt.timedelta(days=i))


def _statements(client, url: str) -> int:
    with counted() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


def _shown(client, url: str) -> int:
    response = client.get(url)
    if url.startswith("/api/"):
        return len(response.json["items"])
    if ".json" in url:
        return len(response.json["rows"])
    html = response.get_data(as_text=True)
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return body.count("<tr")


LISTS = {
    "contracts": ["/contracts/", "/contracts/?sort=vendor", "/contracts.json?per_page={n}",
                  "/api/v1/contracts?limit={n}"],
    "vendors": ["/vendors/", "/vendors.json?per_page={n}", "/api/v1/vendors?limit={n}"],
    "income": ["/income/", "/income.json?per_page={n}", "/api/v1/engagements?limit={n}"],
    "invoices": ["/invoices/", "/invoices/?sort=vendor&dir=asc", "/invoices.json?per_page={n}",
                 "/api/v1/invoices?limit={n}"],
}  # fmt: skip


@pytest.mark.parametrize("kind", list(LISTS))
@pytest.mark.parametrize("who", ["anonymous", "client"])
def test_a_list_page_costs_the_same_queries_at_10_and_at_100_rows(
    request, app, db, make_contract, make_invoice, make_vendor, make_rate_card, kind, who
):
    browser = request.getfixturevalue(who)
    make_rate_card()

    def add(n: int) -> None:
        if kind == "contracts":
            _add_contracts(db, make_contract, make_invoice, n)
        elif kind == "vendors":
            _add_vendors(db, n)
        elif kind == "income":
            _add_engagements(db, n)
        else:
            _add_invoices(make_invoice, make_vendor, n)

    counts = {}
    add(10)
    for n in (10, 100):
        if n == 100:
            add(90)
        app.config["PAGE_SIZE"] = n
        try:
            for template in LISTS[kind]:
                url = template.format(n=n)
                counts[n, template] = _statements(browser, url)
                assert _shown(browser, url) == n, url
        finally:
            app.config["PAGE_SIZE"] = 50
    for (n, url), number in counts.items():
        if n == 10:
            assert counts[100, url] == number, (url, number, counts[100, url])
