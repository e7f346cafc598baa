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


# --- staff ----------------------------------------------------------------------------------


def _public_get_urls(app, ids: dict):
    """Every GET address of the application, with ``ids`` naming records, in every format a
    download offers."""
    from flask import url_for

    from tests.conftest import rule_url

    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        formats = [
            (name, sorted(converter.items))
            for name, converter in rule._converters.items()
            if type(converter).__name__ == "AnyConverter"
        ]
        url = rule_url(app, rule, ids)
        if not formats:
            yield url
            continue
        name, choices = formats[0]
        with app.test_request_context():
            base = {**rule_url_values(app, rule, ids)}
            for choice in choices:
                yield url_for(rule.endpoint, **{**base, name: choice})


def rule_url_values(app, rule, ids: dict) -> dict:
    """The values :func:`tests.conftest.rule_url` fills a rule's arguments with."""
    from urllib.parse import urlsplit

    from tests.conftest import rule_url

    url = urlsplit(rule_url(app, rule, ids)).path
    adapter = app.url_map.bind("localhost")
    return adapter.match(url, method="GET")[1]


def test_no_anonymous_page_export_or_json_names_a_member_of_staff(
    app, anonymous, client, admin_client, db, demo_ids, tmp_path
):
    """After a clerk's import and an administrator's undo of another, the public walks every
    GET address of the application (each format of each download) and never meets a staff
    member's name or e-mail address; the import pages say who by role."""
    import sqlalchemy as sa

    from app.models import ImportBatch
    from tests.test_history import _import

    kept = _import(client, db)
    small = tmp_path / "liten.csv"
    small.write_text(
        "Leverantör;Fakturanummer;Fakturadatum;Belopp\nPenseo AB;P-1;2011-02-01;1 000,00\n",
        encoding="utf-8",
    )
    undone = _import(admin_client, db, small)
    assert (
        admin_client.post(
            f"/imports/batches/{undone.id}/undo", data={"reason": "Fel fil"}
        ).status_code
        == 302
    )
    staff = [client.user, admin_client.user]
    secrets = [s for user in staff for s in (user.name, user.email, user.email.split("@")[0])]
    assert db.session.scalar(sa.select(ImportBatch.actor).where(ImportBatch.id == kept.id)) == str(
        client.user
    )
    walked = 0
    for batch in (kept, undone):
        for url in _public_get_urls(app, {**demo_ids, "import_batch": batch.id}):
            response = anonymous.get(url)
            body = response.get_data()
            walked += 1
            if response.status_code >= 400:
                continue
            if url.endswith(".zip"):
                import zipfile

                with zipfile.ZipFile(io.BytesIO(body)) as archive:
                    body = b"".join(archive.read(name) for name in archive.namelist())
            text = body.decode("utf-8", errors="replace")
            if url.endswith(".xlsx"):
                text = _xlsx_text(body)
            for secret in secrets:
                assert secret not in text, (url, secret)
    assert walked > 60
    index = anonymous.get("/imports/").get_data(as_text=True)
    assert "en handläggare" in index
    page = anonymous.get(f"/imports/batches/{undone.id}").get_data(as_text=True)
    assert "en administratör" in page
    # Staff see who.
    for reader, user in ((client, client.user), (admin_client, admin_client.user)):
        assert user.email in reader.get("/imports/").get_data(as_text=True)
    assert admin_client.user.email in client.get(f"/imports/batches/{undone.id}").get_data(
        as_text=True
    )


def _xlsx_text(data: bytes) -> str:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(
        str(cell)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )


# --- the whole site, crawled as the public ------------------------------------------------------

#: Private persons the finance system gives in other shapes: a sole trader's VAT number (the
#: personnummer inside ``SE…01``), a personnummer given as a foreign id, and two organisers of
#: paid lectures (one written SURNAME;FIRSTNAME, one known by a personnummer).
VAT_PERSON = "811218-9876"
FOREIGN_PERSON = "640823-3234"
ORGANISER_PERSON = "121212-1212"
SECRET_NAMES = ("Lindqvist", "Bergvall", "Wennerholm", "Sigrid", "Tornblad")


def _secrets() -> list[str]:
    numbers = [VAT_PERSON, FOREIGN_PERSON, ORGANISER_PERSON]
    return [
        *SECRET_NAMES,
        *numbers,
        *(n.replace("-", "") for n in numbers),
        *("SE" + n.replace("-", "") + "01" for n in numbers),
    ]


@pytest.fixture
def people(demo, make_vendor, make_invoice, make_contract):
    """Two private vendors and two private organisers, with invoices, a contract and fees in
    2010 (the demo's year with day rates)."""
    from app.services.income import create_engagement

    vat = make_vendor(name="Lindqvist Konsult", vat_number=_vat(VAT_PERSON))
    foreign = make_vendor(name="Bergvall Design", org_number=_vat(FOREIGN_PERSON))
    contract = make_contract(vendor=vat, title="Rådgivning", reference="KS 2010/777")
    for vendor, under in ((vat, contract), (foreign, None)):
        make_invoice(
            vendor=vendor,
            invoiced_on=dt.date(2010, 6, 1),
            net_amount=Decimal("900000.00"),
            description="Arvode",
            contract=under,
        )
    engagements = [
        create_engagement(
            {"organiser_name": "WENNERHOLM;SIGRID", "first_day": dt.date(2010, 9, 1),
             "topic": "Sociala medier"}
        ),
        create_engagement(
            {"organiser_name": "Tornblad Föreläsningar", "organiser_org_number": ORGANISER_PERSON,
             "first_day": dt.date(2010, 9, 8), "topic": "Sociala medier"}
        ),
    ]  # fmt: skip
    demo.session.commit()
    return {"vendors": [vat, foreign], "contract": contract, "engagements": engagements}


def _vat(number: str) -> str:
    """A sole trader's Swedish VAT number: SE, the personnummer's ten digits, 01."""
    return "SE" + number.replace("-", "") + "01"


def _texts(data: bytes) -> str:
    """Everything a response holds as text: a zip's (and a workbook's) members unpacked."""
    import zipfile

    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(_texts(archive.read(name)) for name in archive.namelist())
    return data.decode("utf-8", errors="replace")


#: Every list and report that downloads, with the formats and dialects each offers.
DOWNLOADS = [
    ("/invoices", "", (".xlsx", ".csv", ".json")),
    ("/vendors", "", (".xlsx", ".csv", ".json")),
    ("/contracts", "", (".xlsx", ".csv", ".json")),
    ("/income", "", (".xlsx", ".csv", ".json")),
    ("/reports/totals", "by=vendor,year", (".xlsx", ".csv", ".json")),
    ("/reports/pivot", "", (".xlsx", ".csv", ".json")),
    ("/reports/balance", "year=2010", (".xlsx", ".csv", ".json")),
]


def _public_crawl(app, ids: dict, people) -> list[str]:
    """Every page (each GET route, as ``rule_url`` names it with the demo's ids), the private
    records' own pages, searches for every name and number, and every download."""
    from tests.conftest import rule_url

    urls = [
        rule_url(app, rule, ids)
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and rule.endpoint != "static"
        and not any(type(rule._converters[a]).__name__ == "AnyConverter" for a in rule.arguments)
    ]
    for vendor in people["vendors"]:
        urls += [
            f"/vendors/{vendor.id}",
            f"/invoices/?vendor={vendor.id}",
            f"/contracts/?vendor={vendor.id}",
            f"/reports/?vendor={vendor.id}",
            f"/invoices.csv?vendor={vendor.id}",
        ]
    urls += [f"/contracts/{people['contract'].id}"]
    urls += [f"/income/{e.id}" for e in people["engagements"]]
    for q in _secrets():
        for page in ("/search", "/vendors/", "/vendors/search.json", "/income/"):
            urls.append(f"{page}?q={q}")
        urls += [f"/invoices/?vendor_q={q}", f"/contracts/?vendor_q={q}"]
    for path, query, suffixes in DOWNLOADS:
        for suffix in suffixes:
            for dialect in ("", "&dialect=rfc4180"):
                urls.append(f"{path}{suffix}?{query}{dialect}")
    urls += ["/reports/balance?year=2010", "/reports/totals?by=vendor&year=2010"]
    urls += [f"/reports/evidence.zip?report={r}&year=2010" for r in ("totals", "pivot", "balance")]
    urls += [
        "/open-data/leverantorsreskontra-2010.csv",
        "/open-data/ocds.json",
        "/open-data/datapackage.zip",
    ]
    return urls


def test_no_anonymous_response_names_a_private_vendor_or_organiser(
    app, anonymous, demo_ids, people
):
    for vendor in people["vendors"]:
        assert vendor.is_private_person, vendor.name  # the VAT number and the id told
    secrets = [s.casefold() for s in _secrets()]
    links = [f'/vendors/{v.id}"' for v in people["vendors"]]
    links += [f'/income/{e.id}"' for e in people["engagements"]]
    seen = 0
    for url in _public_crawl(app, demo_ids, people):
        response = anonymous.get(url, follow_redirects=True)
        assert response.status_code < 500, (url, response.status_code)
        text = _texts(response.data).casefold()
        # A search shows the reader's own text back; what must not come back is the person.
        asked = url.partition("q=")[2].casefold()
        if asked:
            text = text.replace(asked, "")
            assert not [link for link in links if link in text], url
        found = [s for s in secrets if s in text]
        assert not found, (url, found)
        seen += 1
    assert seen > 150
    income = anonymous.get("/income.json?year=2010").json
    organisers = {row["organiser"] for row in income["rows"]}
    assert "Privatperson" in organisers  # named so, their fees kept
    balance = anonymous.get("/reports/balance.json?year=2010").json
    assert "Privatperson" in {row["organiser"] for row in balance["income_by_organiser"]}


def test_signed_in_staff_see_the_organisers_they_work_with(client, people):
    income = client.get("/income.json?year=2010").json
    assert {"WENNERHOLM;SIGRID", "Tornblad Föreläsningar"} <= {
        r["organiser"] for r in income["rows"]
    }
    assert ORGANISER_PERSON in client.get(f"/income/{people['engagements'][1].id}").text
