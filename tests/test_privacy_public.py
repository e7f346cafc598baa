"""A private person paid by the organisation: the public sees "Privatperson" with no id on
every page and in every download, cannot find the person by name or number, and still sees
the amounts in every total; signed-in staff see the name they work with."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import openpyxl
import pytest

from tests.test_export_privacy import PERSON

NAME = "Anna Andersson Föreläsningar"


@pytest.fixture
def person(db, make_vendor, make_invoice):
    """A sole trader known by her personnummer, with two invoices in 2012, beside a company."""
    vendor = make_vendor(name=NAME, org_number=PERSON, aliases=["ANDERSSON;ANNA"],
                         notes="Anna ringer på fredagar.")  # fmt: skip
    assert vendor.is_private_person  # the personnummer made her one
    for day, amount in ((dt.date(2012, 3, 1), "12000.00"), (dt.date(2012, 4, 2), "8000.00")):
        make_invoice(vendor=vendor, invoiced_on=day, net_amount=Decimal(amount),
                     description="Föreläsning om kommunikation")  # fmt: skip
    company = make_vendor(name="Bolaget AB")
    make_invoice(vendor=company, invoiced_on=dt.date(2012, 5, 1), net_amount=Decimal("5000.00"))
    return vendor


def _public_urls(vendor_id: int) -> list[str]:
    return [
        "/",
        "/vendors/",
        f"/vendors/{vendor_id}",
        "/invoices/?year=2012",
        f"/invoices/?vendor={vendor_id}",
        "/reports/?year=2012",
        "/reports/totals?by=vendor&year=2012",
        "/reports/balance?year=2012",
        "/reports/totals.json?by=year,vendor",
        "/reports/pivot.json",
        "/invoices.json?year=2012",
        "/invoices.csv?year=2012",
        "/vendors.csv",
        "/vendors.json",
        f"/reports/totals.csv?by=vendor&vendor={vendor_id}",
    ]


def _hidden(text: str) -> bool:
    digits = PERSON.replace("-", "")
    return (
        "Anna" not in text
        and "ANDERSSON" not in text
        and PERSON not in text
        and digits not in text
        and "fredagar" not in text
    )


def test_the_public_sees_privatperson_and_no_id_anywhere(anonymous, person):
    for url in _public_urls(person.id):
        response = anonymous.get(url)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        assert _hidden(text), url
    vendor_page = anonymous.get(f"/vendors/{person.id}").get_data(as_text=True)
    assert "<h1>Privatperson</h1>" in vendor_page
    assert "20\u00a0000,00\u00a0kr" in vendor_page  # the amounts stay
    totals = json.loads(anonymous.get("/reports/totals.json?by=vendor&year=2012").data)
    rows = {row["vendor"]: Decimal(row["amount"]) for row in totals["rows"]}
    assert rows == {"Privatperson": Decimal("20000.00"), "Bolaget AB": Decimal("5000.00")}


def test_a_public_workbook_shows_privatperson(anonymous, person):
    data = anonymous.get("/invoices.xlsx?year=2012").data
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "Privatperson" in cells and _hidden(" ".join(cells))


def test_the_public_cannot_find_a_private_person_by_name_or_number(anonymous, person):
    """The search is the reader's own text, shown back; what must not come back is her."""
    link = f'href="/vendors/{person.id}"'
    for q in ("Anna Andersson", PERSON, PERSON.replace("-", "")):
        assert 'id="search-nothing"' in anonymous.get("/search", query_string={"q": q}).text
        assert link not in anonymous.get("/vendors/", query_string={"q": q}).text
        assert anonymous.get("/vendors/search.json", query_string={"q": q}).json == []
        listed = anonymous.get("/invoices/", query_string={"vendor_q": q}).text
        assert "Föreläsning om kommunikation" not in listed and link not in listed


def test_signed_in_staff_see_the_name(client, person):
    """``client`` is signed in as a clerk."""
    page = client.get(f"/vendors/{person.id}").get_data(as_text=True)
    assert f"<h1>{NAME}</h1>" in page and PERSON in page and "fredagar" in page
    totals = json.loads(client.get("/reports/totals.json?by=vendor&year=2012").data)
    assert NAME in {row["vendor"] for row in totals["rows"]}
    assert NAME in client.get(f"/search?q={NAME}").get_data(as_text=True)


def test_a_surname_firstname_vendor_entered_by_hand_is_a_private_person(db, make_vendor):
    assert make_vendor(name="ANDERSSON;BERIT").is_private_person
    assert not make_vendor(name="Andersson Bygg AB").is_private_person


def test_the_command_line_shows_names_unless_asked_to_write_what_the_public_sees(runner, person):
    private = runner.invoke(args=["export", "invoices", "--format", "csv", "-o", "-"])
    assert private.exit_code == 0 and NAME in private.output
    public = runner.invoke(args=["export", "invoices", "--format", "csv", "--public", "-o", "-"])
    assert public.exit_code == 0 and "Privatperson" in public.output
    assert _hidden(public.output)
