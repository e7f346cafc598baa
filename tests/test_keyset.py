"""Lists paged by keyset: every order a list offers, both ways, walked page by page forwards
and back, holds each record once in the list's order; the pages, their JSON and the API
agree; old page-numbered links still open; a cursor not made for the list is refused."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from app.services.keyset import Key
from app.services.keyset import beyond

PAGE = 4


@pytest.fixture
def invoices(app, db, make_invoice, make_vendor):
    """17 invoices with many ties (three dates, two amounts, unpaid ones) from two vendors;
    pages of ``PAGE`` rows."""
    vendors = [make_vendor(name="Alfa AB"), make_vendor(name="Beta AB")]
    made = []
    for i in range(17):
        made.append(
            make_invoice(
                vendor=vendors[i % 2],
                invoiced_on=dt.date(2010, 3, 1 + i % 3),
                paid_on=None if i % 4 == 0 else dt.date(2010, 4, 1 + i % 2),
                net_amount=Decimal("1000.00") if i % 2 else Decimal("2500.00"),
                invoice_number=f"F{i // 2:02d}",  # the same number at both vendors
            )
        )
    app.config["PAGE_SIZE"] = PAGE
    yield made
    app.config["PAGE_SIZE"] = 50


def _html_ids(response, kind: str = "invoices") -> list[int]:
    assert response.status_code == 200, response.status_code
    html = response.get_data(as_text=True)
    if "<tbody>" not in html:
        return []  # no table: nothing on this page
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    ids = re.findall(rf'href="/{kind}/(\d+)"', body)
    return list(dict.fromkeys(int(i) for i in ids))


def _link(response, rel: str) -> str | None:
    found = re.search(rf'<a rel="{rel}" href="([^"]+)"', response.get_data(as_text=True))
    return found.group(1).replace("&amp;", "&") if found else None


def _walk_html(client, url: str, kind: str = "invoices") -> tuple[list[list[int]], str]:
    pages = []
    response = client.get(url)
    pages.append(_html_ids(response, kind))
    while next_url := _link(response, "next"):
        response = client.get(next_url)
        pages.append(_html_ids(response, kind))
    return pages, response


def _expected(invoices, sort: str, descending: bool) -> list[int]:
    """The invoice list's order computed here: the column (empty values last), then the id,
    the same way."""
    value = {
        "invoiced_on": lambda i: i.invoiced_on,
        "paid_on": lambda i: i.paid_on,
        "net_amount": lambda i: i.net_amount,
        "number": lambda i: i.invoice_number,
        "vendor": lambda i: i.vendor.name_key,
    }[sort]
    present = [i for i in invoices if value(i) is not None]
    empty = [i for i in invoices if value(i) is None]
    ordered = sorted(present, key=lambda i: (value(i), i.id), reverse=descending)
    return [i.id for i in ordered] + sorted((i.id for i in empty), reverse=descending)


SORTS = ["invoiced_on", "paid_on", "net_amount", "number", "vendor"]


@pytest.mark.parametrize("descending", [True, False])
@pytest.mark.parametrize("sort", SORTS)
def test_every_order_of_the_invoice_list_pages_forwards_and_back(
    anonymous, invoices, sort, descending
):
    direction = "desc" if descending else "asc"
    url = f"/invoices/?sort={sort}&dir={direction}"
    pages, last = _walk_html(anonymous, url)
    expected = _expected(invoices, sort, descending)
    assert [i for page in pages for i in page] == expected
    assert [len(p) for p in pages] == [PAGE] * 4 + [1]
    # Back again through the same pages, and the first page's link.
    response = last
    for page in reversed(pages[:-1]):
        response = anonymous.get(_link(response, "prev"))
        assert _html_ids(response) == page
    assert _link(response, "prev") is None
    assert "Första sidan" in last.get_data(as_text=True)
    # The JSON and the API list the same invoices in the same order.
    json_ids, next_url = [], f"/invoices.json?sort={sort}&dir={direction}&per_page={PAGE}"
    while next_url:
        data = anonymous.get(next_url).get_json()
        json_ids += [row["id"] for row in data["rows"]]
        next_url = data["next"]
    api = anonymous.get(f"/api/v1/invoices?sort={sort}&dir={direction}&limit=1000").json
    assert json_ids == expected == [item["id"] for item in api["items"]]


@pytest.mark.parametrize("sort", ["invoiced_on", "paid_on"])
def test_the_api_pages_back_through_the_same_pages(anonymous, invoices, sort):
    pages, url = [], f"/api/v1/invoices?sort={sort}&limit={PAGE}"
    while url:
        body = anonymous.get(url).json
        assert (body["previous"] is None) == (not pages)
        pages.append([item["id"] for item in body["items"]])
        url = body["next"]
    url = body["previous"]
    for expected in reversed(pages[:-1]):
        response = anonymous.get(url)
        assert [item["id"] for item in response.json["items"]] == expected
        assert 'rel="next"' in response.headers["Link"]
        url = response.json["previous"]
    assert url is None


def test_a_page_after_a_cursor_is_cut_by_key_not_by_position(anonymous, invoices, make_invoice):
    first = anonymous.get("/invoices/")
    second_url = _link(first, "next")
    before = _html_ids(anonymous.get(second_url))
    # A newer invoice arrives on the first page; the second page stays what it was.
    make_invoice(vendor=invoices[0].vendor, invoiced_on=dt.date(2010, 12, 31))
    assert _html_ids(anonymous.get(second_url)) == before


def test_an_old_page_number_still_opens_its_page(anonymous, invoices):
    pages, _ = _walk_html(anonymous, "/invoices/?sort=net_amount&dir=asc")
    response = anonymous.get("/invoices/?sort=net_amount&dir=asc&page=3")
    assert _html_ids(response) == pages[2]
    assert _html_ids(anonymous.get(_link(response, "next"))) == pages[3]
    assert _html_ids(anonymous.get(_link(response, "prev"))) == pages[1]
    assert _html_ids(anonymous.get("/invoices/?page=99")) == []


def test_a_cursor_of_the_api_opens_the_same_page_on_the_list(anonymous, invoices):
    api = anonymous.get(f"/api/v1/invoices?limit={PAGE}").json
    cursor = api["next"].split("cursor=")[1]
    following = anonymous.get(f"/api/v1/invoices?limit={PAGE}&cursor={cursor}").json
    page = anonymous.get(f"/invoices/?after={cursor}")
    assert _html_ids(page) == [item["id"] for item in following["items"]]


@pytest.mark.parametrize(
    "url",
    [
        "/invoices/?after=not-a-cursor",
        "/invoices/?before=eyJ4IjoxfQ",
        "/vendors/?after=abc",
        "/contracts/?before=abc",
        "/income/?after=abc",
        "/invoices.json?after=abc",
    ],
)
def test_a_cursor_not_made_for_the_list_is_refused_and_said(anonymous, invoices, url):
    response = anonymous.get(url)
    assert response.status_code == 400
    text = response.get_json()["detail"] if ".json" in url else response.get_data(as_text=True)
    assert "inte en av listans sidor" in text


def test_a_cursor_of_another_sort_is_refused(anonymous, invoices):
    cursor = _link(anonymous.get("/invoices/?sort=paid_on"), "next").split("after=")[1]
    assert anonymous.get(f"/invoices/?sort=net_amount&after={cursor}").status_code == 400


@pytest.mark.parametrize("who", ["anonymous", "client"])
@pytest.mark.parametrize("sort", ["name", "org_number", "created"])
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_the_vendor_list_pages_through_every_vendor_once(
    request, app, make_vendor, sort, direction, who
):
    client = request.getfixturevalue(who)
    for i in range(9):
        make_vendor(name=f"Samma Namn {i % 2}", org_number=None)
    for name in ("ANDERSSON;ANNA", "BERG;BO"):  # private persons: last, to the public
        assert make_vendor(name=name).is_private_person
    app.config["PAGE_SIZE"] = 2
    try:
        pages, _ = _walk_html(client, f"/vendors/?sort={sort}&dir={direction}", "vendors")
    finally:
        app.config["PAGE_SIZE"] = 50
    ids = [i for page in pages for i in page]
    api = client.get(f"/api/v1/vendors?sort={sort}&dir={direction}&limit=1000").json
    assert ids == [item["id"] for item in api["items"]] and len(ids) == len(set(ids)) >= 11


def test_a_row_value_comparison_seeks_when_every_key_runs_one_way(db):
    from app.models import Invoice

    keys = [Key(Invoice.invoiced_on, True), Key(Invoice.id, True)]
    sql = str(beyond(keys, [dt.date(2010, 1, 1), 5]).compile())
    assert re.search(r"\(invoices\.invoiced_on, invoices\.id\) < \(", sql), sql
    nullable = [Key(Invoice.paid_on, False, nullable=True), Key(Invoice.id)]
    assert "IS NULL" in str(beyond(nullable, [dt.date(2010, 1, 1), 5]).compile())
