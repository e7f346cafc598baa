"""A corpus of hostile values sent through every form and every import path: each is refused
with a message on the form (or in the import's report), or stored exactly (as the form's
documented clean-up leaves it: trimmed, runs of spaces made one) and shown escaped; never a
server error, never a traceback."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlsplit

import openpyxl
import pytest
import sqlalchemy as sa
from markupsafe import escape
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from app import models
from app.identifiers import normalise_org_id
from app.text import clean_text
from tests.conftest import PASSWORD

#: Hostile values, by what they try.
CORPUS = {
    "overlong": "Å" * 5000,
    "control characters": "Faktura\x07\x1b[31m\x08röd\x7f",
    "right-to-left override": "\u202eKB nesreP",
    "zero-width space": "Penseo\u200b AB",
    "SQL": "'; DROP TABLE invoices; --",
    "SQL condition": "1' OR '1'='1",
    "HTML": '<script>alert("x")</script><img src=x onerror=alert(1)>',
    "formula": '=HYPERLINK("http://evil.example","klicka")',
    "huge number": "99999999999999999999999",
    "huge negative": "-1e400",
    "year 0": "0000-01-01",
    "year 9999": "9999-12-31",
    "look-alike org number": "556O36-0793",
    "full-width org number": "５５６０３６－０７９３",
    "invisible in an org number": "556036-0793\u202e",
    "emoji": "🧾💰",
    "combining marks": "A\u0301\u0301\u0301\u0301",
    "line breaks": "rad ett\r\nrad två",
    "wildcards": "100%_\\",
}

#: Pieces of the HTML value that must never come back unescaped.
UNESCAPED = ("<script>alert(", "<img src=x onerror")


def _forms(vendor: models.Vendor) -> dict[str, tuple[type, dict]]:
    """Each form that creates a record: its address, the record it makes, and valid data."""
    pick = {"vendor": vendor.name, "vendor_id": str(vendor.id)}
    return {
        "/vendors/new": (models.Vendor, {"name": "Ny Leverantör AB", "country": "SE",
                                          "org_number": "", "vat_number": "", "notes": "",
                                          "aliases": ""}),
        "/invoices/new": (models.Invoice, {**pick, "invoice_number": "H-1",
                                            "invoiced_on": "2010-05-03", "net_amount": "1 000,00",
                                            "vat_rate": "25", "currency": "SEK",
                                            "description": "", "hours": "", "paid_on": ""}),
        "/contracts/new": (models.Contract, {**pick, "title": "Avtal", "reference": "",
                                              "purpose": "", "procurement_basis": "other",
                                              "starts_on": "2010-01-01", "ends_on": "",
                                              "ceiling_amount": "", "currency": "SEK",
                                              "notes": ""}),
        "/income/new": (models.Engagement, {"organiser_name": "Arrangören AB",
                                             "first_day": "2010-05-03", "topic": "Föredrag",
                                             "speaker": "", "organiser_org_number": "",
                                             "outgoing_invoice_number": "", "notes": ""}),
        "/income/rates/new": (models.RateCard, {"valid_from": "2000-01-01",
                                                 "valid_to": "2000-12-31", "day_rate": "7 000",
                                                 "currency": "SEK", "basis": ""}),
        "/lists/categories/new": (models.Category, {"name": "Kategori", "code": "",
                                                     "description": ""}),
        "/reports/thresholds/new": (models.DirectAwardThreshold,
                                    {"valid_from": "2031-01-01", "amount": "700 000",
                                     "currency": "SEK", "note": ""}),
        "/users/new": (models.User, {"email": "ny@kommun.example", "name": "Ny Person",
                                     "role": "clerk", "password": PASSWORD}),
    }  # fmt: skip


def _stored_as_typed(record, field: str, value: str) -> None:
    """A text that was saved is what was typed, as the documented clean-up leaves it."""
    stored = getattr(record, field, None)
    if not isinstance(stored, str):
        return  # an amount, a date, a choice: read into its type, checked elsewhere
    if field == "org_number" or field.endswith("_org_number"):
        assert stored == normalise_org_id(value).value, (field, stored)
        return
    typed = value.replace("\r\n", "\n")
    accepted = {value, value.strip(), typed, typed.strip(), clean_text(value)}
    accepted.add((clean_text(value) or "").upper())
    accepted |= {a.replace(" ", "") for a in list(accepted) if a}  # VAT numbers drop spaces
    assert stored in accepted, (field, stored, value)


def _shown_escaped(html: str) -> None:
    assert "Traceback" not in html
    assert not any(piece in html for piece in UNESCAPED)


@pytest.mark.parametrize("url", sorted(_forms(models.Vendor(name="x", id=1))))
def test_every_form_refuses_or_stores_every_hostile_value(admin_client, demo, make_vendor, url):
    vendor = make_vendor(name="Mottagare AB")
    model, valid = _forms(vendor)[url]
    tried = saved = 0
    for field in [f for f in valid if f not in ("vendor_id", "role", "procurement_basis")]:
        for name, value in CORPUS.items():
            data = {**valid, field: value}
            response = admin_client.post(url, data=data)
            html = response.get_data(as_text=True)
            assert response.status_code in (200, 302, 400), (url, field, name)
            _shown_escaped(html)
            tried += 1
            if response.status_code == 302:
                saved += 1
                location = urlsplit(response.headers["Location"]).path
                page = admin_client.get(location)
                assert page.status_code in (200, 302), (url, field, name, location)
                _shown_escaped(page.get_data(as_text=True))
                record = demo.session.scalar(sa.select(model).order_by(model.id.desc()).limit(1))
                _stored_as_typed(record, field, value)
                demo.session.delete(record)  # the next value may reuse the same unique name
                demo.session.commit()
            else:  # refused: the page says why, on the form
                assert 'class="errors"' in html or 'role="alert"' in html, (url, field, name)
    assert tried >= len(CORPUS) * 3 and saved >= 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_hostile_value_in_every_column_of_an_import(runner, demo, tmp_path, fmt):
    """Each value in each column of a ledger, imported from the command line: imported as
    written, or the file refused with the row and column said; never a traceback."""
    header = ["Leverantör", "Org.nr", "Fakturanummer", "Fakturadatum", "Belopp", "Beskrivning"]
    valid = ["Hostil Leverantör AB", "", "X-1", "2010-05-03", "1 000,00", "Konsulttjänst"]
    for column in range(len(header)):
        for number, (name, value) in enumerate(CORPUS.items()):
            row = list(valid)
            row[column] = value
            row[2] = f"X-{column}-{number}" if column != 2 else value
            path = tmp_path / f"hostil-{column}-{number}.{fmt}"
            written = _write(path, header, row, fmt)
            result = runner.invoke(args=["import", str(path)])
            assert result.exit_code in (0, 1, 2), (header[column], name, result.output)
            assert "Traceback" not in result.output and result.output.strip()
            if result.exit_code == 1:  # refused: where, said
                assert (
                    "row 2" in result.output.lower()
                    or "rad 2" in result.output.lower()
                    or (header[column] in result.output)
                ), (header[column], name, result.output)
            if result.exit_code == 0 and column in (0, 5):
                field = {0: (models.Vendor, "name"), 5: (models.Invoice, "description")}[column]
                model, attribute = field
                stored = demo.session.scalar(
                    sa.select(getattr(model, attribute)).order_by(model.id.desc()).limit(1)
                )
                value = written[column]
                assert stored in {value, value.strip(), clean_text(value)}, (name, stored)


def _write(path, header: list, row: list, fmt: str) -> list:
    """Write the ledger; returns the row as written (a workbook cannot hold control
    characters: openpyxl leaves them out)."""
    if fmt == "csv":
        with path.open("w", encoding="utf-8", newline="") as stream:
            csv.writer(stream, delimiter=";").writerows([header, row])
        return row
    row = [ILLEGAL_CHARACTERS_RE.sub("", value) for value in row]
    book = openpyxl.Workbook()
    book.active.append(header)
    book.active.append(row)
    book.save(path)
    return row


def test_a_hostile_file_uploaded_through_the_import_page(client, demo, tmp_path):
    rows = [["Leverantör", "Fakturanummer", "Fakturadatum", "Belopp"]]
    rows += [[value, f"W-{n}", "2010-05-03", "1 000,00"] for n, value in enumerate(CORPUS.values())]
    data = io.StringIO()
    csv.writer(data, delimiter=";").writerows(rows)
    response = client.post(
        "/imports/",
        data={"file": (io.BytesIO(data.getvalue().encode()), "hostil.csv"), "profile": "auto"},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert response.status_code in (200, 400)
    html = response.get_data(as_text=True)
    _shown_escaped(html)
    assert str(escape(CORPUS["HTML"])) in html or "hostil.csv" in html
