"""Everything as a Frictionless Tabular Data Package: ``frictionless validate`` passes (types,
keys and foreign keys checked on every row), the files hold what the database holds, and
private persons are unnamed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import frictionless
import sqlalchemy as sa
from flask import has_app_context

from app.exporting.datapackage import descriptor
from app.exporting.opendata import publication_from
from app.models import Contract
from app.models import ContractAmendment
from app.models import Engagement
from app.models import Invoice
from app.models import Vendor
from app.models.base import utcnow
from app.services.invoices import void_invoice

FILES = ["invoices", "vendors", "contracts", "amendments", "engagements"]


def export(runner, path: Path) -> Path:
    result = runner.invoke(args=["export", "datapackage", "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path


def read(path: Path) -> tuple[dict, dict[str, list[dict[str, str]]], dict[str, bytes]]:
    """The descriptor, each file's rows, and each file's bytes."""
    with zipfile.ZipFile(path) as archive:
        descriptor = json.loads(archive.read("datapackage.json"))
        raw = {name: archive.read(f"{name}.csv") for name in FILES}
    rows = {
        name: list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
        for name, data in raw.items()
    }
    return descriptor, rows, raw


def validate(path: Path) -> frictionless.Report:
    """``frictionless.validate``, leaving the ``csv`` module's field size limit as it was:
    frictionless raises it for the whole process when its CSV parser loads, and the importer
    relies on the default to refuse oversized cells."""
    limit = csv.field_size_limit()
    try:
        return frictionless.validate(str(path))
    finally:
        csv.field_size_limit(limit)


def count(session, model, *where) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_the_demo_package_passes_frictionless_validate(demo, runner, tmp_path):
    path = export(runner, tmp_path / "insyn.zip")
    report = validate(path)
    assert report.valid, report.flatten(["title", "type", "message"])
    assert sorted(task.name for task in report.tasks) == sorted(FILES)
    # The demo: 27 invoices of 4 vendors, 2 contracts with 2 amendments, 14 engagements.
    assert {task.name: task.stats["rows"] for task in report.tasks} == {
        "invoices": 27,
        "vendors": 4,
        "contracts": 2,
        "amendments": 2,
        "engagements": 14,
    }
    # The unzipped directory validates too, with the command-line tool's engine.
    with zipfile.ZipFile(path) as archive:
        archive.extractall(tmp_path / "unzipped")
    assert validate(tmp_path / "unzipped" / "datapackage.json").valid


def test_the_validation_checks_the_keys_between_the_files(demo, runner, tmp_path):
    path = export(runner, tmp_path / "insyn.zip")
    with zipfile.ZipFile(path) as archive:
        archive.extractall(tmp_path / "broken")
    invoices = tmp_path / "broken" / "invoices.csv"
    lines = invoices.read_bytes().split(b"\r\n")
    first = lines[1].split(b",")
    first[1] = b"999999"  # a vendor that is not in vendors.csv
    lines[1] = b",".join(first)
    invoices.write_bytes(b"\r\n".join(lines))
    report = validate(tmp_path / "broken" / "datapackage.json")
    assert not report.valid
    assert [error_type for (error_type,) in report.flatten(["type"])] == ["foreign-key"]


def test_the_files_hold_what_the_database_holds(demo, runner, tmp_path):
    voided = demo.session.scalar(sa.select(Invoice).where(Invoice.invoice_number == "F1004"))
    void_invoice(voided, "Dubblett")
    demo.session.commit()
    descriptor, rows, _raw = read(export(runner, tmp_path / "insyn.zip"))
    valid = Invoice.voided_at.is_(None)
    assert len(rows["invoices"]) == count(demo.session, Invoice, valid) == 26
    assert str(voided.id) not in {row["id"] for row in rows["invoices"]}
    total = demo.session.scalar(
        sa.select(sa.func.sum(Invoice.net_amount)).where(valid, Invoice.currency == "SEK")
    )
    assert (
        sum(Decimal(r["net_amount"]) for r in rows["invoices"] if r["currency"] == "SEK") == total
    )
    assert len(rows["vendors"]) == count(demo.session, Vendor)
    assert len(rows["contracts"]) == count(demo.session, Contract)
    assert len(rows["amendments"]) == count(demo.session, ContractAmendment) == 2
    assert len(rows["engagements"]) == count(
        demo.session, Engagement, Engagement.voided_at.is_(None)
    )
    assert {row["kind"] for row in rows["amendments"]} == {"extension", "expansion"}

    resources = {r["name"]: r for r in descriptor["resources"]}
    assert list(resources) == FILES
    assert descriptor["licenses"] == [
        {
            "name": "CC0-1.0",
            "path": "https://creativecommons.org/publicdomain/zero/1.0/",
            "title": "CC0 1.0 Universal",
        }
    ]
    assert descriptor["title"].startswith("Exempelkommun")
    invoices = resources["invoices"]
    types = {f["name"]: f["type"] for f in invoices["schema"]["fields"]}
    assert (types["id"], types["net_amount"], types["invoiced_on"], types["invoice_number"]) == (
        "integer",
        "number",
        "date",
        "string",
    )
    assert invoices["schema"]["primaryKey"] == ["id"]
    assert {
        fk["fields"][0]: fk["reference"]["resource"] for fk in invoices["schema"]["foreignKeys"]
    } == {
        "vendor_id": "vendors",
        "contract_id": "contracts",
    }
    assert invoices["dialect"]["delimiter"] == "," and invoices["encoding"] == "utf-8"
    assert [f["name"] for f in invoices["schema"]["fields"]] == list(rows["invoices"][0])


def test_private_persons_are_unnamed_and_without_ids(
    db, runner, tmp_path, make_vendor, make_invoice
):
    person = make_vendor(name="Berit Bergström Konsult", org_number="800101-1231")
    make_invoice(vendor=person, net_amount=Decimal("-500.00"))
    path = export(runner, tmp_path / "insyn.zip")
    assert validate(path).valid
    _descriptor, rows, raw = read(path)
    (shown,) = [row for row in rows["vendors"] if row["id"] == str(person.id)]
    assert (shown["name"], shown["org_number"], shown["is_private_person"]) == (
        "Privatperson",
        "",
        "true",
    )
    assert not [name for name, data in raw.items() if b"Bergstr" in data or b"800101" in data]
    (invoice,) = [row for row in rows["invoices"] if row["vendor_id"] == str(person.id)]
    assert invoice["net_amount"] == "-500.00"  # a number, never made text


def test_formulas_in_text_are_inert(db, runner, tmp_path, make_vendor):
    make_vendor(name="@SUM(A1:A9) AB")
    path = export(runner, tmp_path / "insyn.zip")
    assert validate(path).valid
    _descriptor, rows, _raw = read(path)
    assert "'@SUM(A1:A9) AB" in {row["name"] for row in rows["vendors"]}


def test_a_withdrawn_contract_stays_only_while_a_valid_invoice_cites_it(
    db, runner, tmp_path, make_contract, make_invoice
):
    cited, forgotten = make_contract(), make_contract()
    make_invoice(vendor=cited.vendor, contract=cited)
    for contract in (cited, forgotten):
        contract.voided_at, contract.void_reason = utcnow(), "Importen ångrades"
    db.session.commit()
    path = export(runner, tmp_path / "insyn.zip")
    assert validate(path).valid
    _descriptor, rows, _raw = read(path)
    listed = {row["id"]: row for row in rows["contracts"]}
    assert str(forgotten.id) not in listed
    assert listed[str(cited.id)]["voided_at"].endswith("Z")


def test_the_descriptor_states_the_publication_it_is_given():
    """No application: the publisher and licence come from the publication passed in."""
    assert not has_app_context()
    publication = publication_from(
        {
            "PUBLISHER_NAME": "Östra Testkommun",
            "DATA_LICENCE": "https://opendatacommons.org/licenses/odbl/",
        }
    )
    created = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    package = descriptor(created, [], publication=publication)
    assert package["name"] == "insyn-ostra-testkommun"
    assert package["contributors"] == [{"title": "Östra Testkommun", "role": "publisher"}]
    assert package["licenses"] == [
        {
            "name": "ODbL-1.0",
            "path": "https://opendatacommons.org/licenses/odbl/",
            "title": "https://opendatacommons.org/licenses/odbl/",
        }
    ]
    assert package["created"] == "2026-01-02T03:04:05Z"
    unlicensed = publication_from({"PUBLISHER_NAME": "Östra Testkommun"})
    assert "licenses" not in descriptor(created, [], publication=unlicensed)
