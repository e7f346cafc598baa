"""Contracts as an OCDS 1.1 release package: valid against the standard's 1.1.5 schema
(checked offline, with the schemas kept in ``tests/data/ocds-1.1.5``), one release per
contract with its amendments and its invoices as transactions, amounts exact, private persons
unnamed."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
import referencing
import sqlalchemy as sa
from flask import has_app_context
from referencing.jsonschema import DRAFT4

from app.exporting.ocds import package_head
from app.exporting.ocds import to_json
from app.exporting.opendata import Publication
from app.exporting.opendata import Publisher
from app.exporting.opendata import licence_from
from app.models import Contract
from app.models import ContractAmendment
from app.models import Invoice
from app.models.base import utcnow
from app.services.contracts import current_terms
from app.services.invoices import void_invoice
from tests.conftest import OCDS_SCHEMAS
from tests.conftest import REAL_DATA

#: The standard's schemas, unmodified (see SOURCE.md there).
SCHEMAS = OCDS_SCHEMAS
RELEASE_SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
CANADA = REAL_DATA / "canada_contracts_amendments_extract.csv"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    """The release-package schema, its reference to the release schema resolved to the local
    copy: no network."""
    package = json.loads((SCHEMAS / "release-package-schema.json").read_text(encoding="utf-8"))
    release = json.loads((SCHEMAS / "release-schema.json").read_text(encoding="utf-8"))
    registry = referencing.Registry().with_resource(
        RELEASE_SCHEMA_URL, referencing.Resource.from_contents(release, DRAFT4)
    )
    assert package["properties"]["releases"]["items"]["$ref"] == RELEASE_SCHEMA_URL
    return jsonschema.Draft4Validator(
        package, registry=registry, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


def export(runner, path: Path, *options: str) -> str:
    result = runner.invoke(args=["export", "ocds", *options, "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path.read_text(encoding="utf-8")


def assert_valid(validator, text: str) -> dict:
    """The package, checked against the schema (as a consumer parses it) and for date-times
    with a zone everywhere; returned with amounts as ``Decimal``."""
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(json.loads(text))
    ]
    assert errors == []
    for found in re.findall(
        r'"(?:date|startDate|endDate|dateSigned|publishedDate)":"([^"]+)"', text
    ):
        assert dt.datetime.fromisoformat(found.replace("Z", "+00:00")).tzinfo is not None, found
    return json.loads(text, parse_float=Decimal)


def transactions_by_contract(package: dict) -> dict[str, dict[str, Decimal]]:
    """Per contract id: the sum of its transactions per currency."""
    sums: dict[str, dict[str, Decimal]] = {}
    for release in package["releases"]:
        for contract in release["contracts"]:
            per_currency: dict[str, Decimal] = defaultdict(Decimal)
            for transaction in contract.get("implementation", {}).get("transactions", []):
                per_currency[transaction["value"]["currency"]] += transaction["value"]["amount"]
            sums[release["ocid"]] = dict(per_currency)
    return sums


def sql_invoice_sums(session, prefix: str) -> dict[str, dict[str, Decimal]]:
    rows = session.execute(
        sa.select(Contract.id, Invoice.currency, sa.func.sum(Invoice.net_amount))
        .outerjoin(
            Invoice, sa.and_(Invoice.contract_id == Contract.id, Invoice.voided_at.is_(None))
        )
        .where(Contract.voided_at.is_(None))
        .group_by(Contract.id, Invoice.currency)
    )
    sums: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for contract_id, currency, total in rows:
        sums[f"{prefix}-{contract_id}"]
        if currency is not None:
            sums[f"{prefix}-{contract_id}"][currency] = Decimal(total)
    return dict(sums)


# --- the demo -----------------------------------------------------------------------------------


def test_the_demo_is_a_valid_release_package(demo, runner, tmp_path, validator):
    text = export(runner, tmp_path / "ocds.json")
    package = assert_valid(validator, text)
    assert package["version"] == "1.1"
    assert package["publisher"] == {
        "name": "Exempelkommun",
        "scheme": "SE-ON",
        "uid": "212999-0004",
    }
    assert package["license"] == "https://creativecommons.org/publicdomain/zero/1.0/"
    assert package["uri"].startswith("urn:uuid:")
    contracts = demo.session.scalar(sa.select(sa.func.count()).select_from(Contract))
    assert len(package["releases"]) == contracts == 2
    for release in package["releases"]:
        assert release["ocid"].startswith("ocds-insyn-")
        assert release["initiationType"] == "tender"
        assert release["buyer"] == {"id": "SE-ON-212999-0004", "name": "Exempelkommun"}
        (award,) = release["awards"]
        (contract,) = release["contracts"]
        assert contract["awardID"] == award["id"]
        parties = {party["id"]: party for party in release["parties"]}
        assert parties["SE-ON-212999-0004"]["identifier"] == {
            "scheme": "SE-ON",
            "id": "212999-0004",
            "legalName": "Exempelkommun",
        }
        assert award["suppliers"][0]["id"] in parties


def test_amendments_carry_their_dates_and_rationale_beside_the_original_terms(
    demo, runner, tmp_path, validator
):
    package = assert_valid(validator, export(runner, tmp_path / "ocds.json"))
    release = next(r for r in package["releases"] if r["contracts"][0]["id"] == "KS 2009/412")
    (award,) = release["awards"]
    (contract,) = release["contracts"]
    assert "contractAmendment" in release["tag"]
    assert [(a["date"][:10], a["rationale"]) for a in contract["amendments"]] == [
        ("2010-05-20", "Förlängning och utökning för utbildning av förvaltningarna."),
        ("2010-11-15", "Utökning för Facebook-applikationer och uppföljning våren 2011."),
    ]
    assert "2010-12-31" in contract["amendments"][0]["description"]
    # Original terms in the award, amended ones in the contract.
    assert award["value"] == {"amount": Decimal("170000.00"), "currency": "SEK"}
    assert contract["value"] == {"amount": Decimal("338000.00"), "currency": "SEK"}
    assert award["contractPeriod"]["endDate"].startswith("2010-06-30")
    assert contract["period"]["endDate"].startswith("2011-04-30")
    (hours,) = contract["items"]
    assert hours["quantity"] == Decimal("380.00")
    assert hours["unit"]["name"] == "hour"
    assert hours["unit"]["value"] == {"amount": Decimal("850.00"), "currency": "SEK"}
    assert award["items"][0]["quantity"] == Decimal("200.00")


def test_invoices_are_transactions_summing_to_what_the_database_sums(
    demo, runner, tmp_path, validator
):
    voided = demo.session.scalar(sa.select(Invoice).where(Invoice.invoice_number == "F1002"))
    void_invoice(voided, "Fel belopp")
    demo.session.commit()
    text = export(runner, tmp_path / "ocds.json")
    package = assert_valid(validator, text)
    assert transactions_by_contract(package) == sql_invoice_sums(demo.session, "ocds-insyn")
    ids = {
        t["id"]
        for release in package["releases"]
        for t in release["contracts"][0]["implementation"]["transactions"]
    }
    expected = demo.session.scalars(
        sa.select(Invoice.id).where(Invoice.contract_id.is_not(None), Invoice.voided_at.is_(None))
    ).all()
    assert ids == {str(i) for i in expected} and str(voided.id) not in ids
    # Amounts are the decimal literals, never a float's rounding.
    assert '"amount":338000.00,' in text and '"amount":-1700.00,' in text


def test_the_ocid_prefix_is_the_publishers(demo, app, runner, tmp_path, validator, monkeypatch):
    monkeypatch.setitem(app.config, "OCDS_OCID_PREFIX", "ocds-zz9z9z")
    monkeypatch.setitem(app.config, "OCDS_PACKAGE_URI", "https://example.org/ocds/package.json")
    package = assert_valid(validator, export(runner, tmp_path / "ocds.json"))
    assert package["uri"] == "https://example.org/ocds/package.json"
    assert all(r["ocid"].startswith("ocds-zz9z9z-") for r in package["releases"])
    assert all(r["id"].startswith(r["ocid"] + "-") for r in package["releases"])


def test_a_private_person_is_a_party_without_name_or_id(
    db, runner, tmp_path, validator, make_vendor, make_contract, make_invoice
):
    person = make_vendor(name="ANDERSSON;ANNA")
    contract = make_contract(vendor=person, title="Föreläsning om arkiv")
    make_invoice(vendor=person, contract=contract, net_amount=Decimal("4000.00"))
    text = export(runner, tmp_path / "ocds.json")
    package = assert_valid(validator, text)
    (release,) = [r for r in package["releases"] if r["ocid"].endswith(f"-{contract.id}")]
    (supplier,) = [p for p in release["parties"] if "supplier" in p["roles"]]
    assert supplier["name"] == "Privatperson" and "identifier" not in supplier
    assert "payee" in supplier["roles"]
    assert "ANDERSSON" not in text and "ANNA" not in text


def test_withdrawn_contracts_are_left_out_and_nothing_to_publish_is_refused(
    db, runner, tmp_path, make_contract
):
    contract = make_contract()
    contract.voided_at, contract.void_reason = utcnow(), "Importen ångrades"
    db.session.commit()
    path = tmp_path / "ocds.json"
    result = runner.invoke(args=["export", "ocds", "-o", str(path)])
    assert result.exit_code == 2, result.output
    assert "No contract to publish" in result.output
    assert not path.exists() and not path.with_name("ocds.json.partial").exists()


def test_decimals_are_written_exactly_and_floats_refused():
    assert to_json({"amount": Decimal("0.10"), "n": [1, None, True, "å"]}) == (
        '{"amount":0.10,"n":[1,null,true,"å"]}'
    )
    assert to_json(Decimal("-123456789012345.67")) == "-123456789012345.67"
    with pytest.raises(TypeError):
        to_json({"amount": 0.1})
    with pytest.raises(ValueError):
        to_json(Decimal("NaN"))


# --- the Canadian contract register -------------------------------------------------------------


def test_the_canadian_register_is_a_valid_release_package(db, runner, tmp_path, validator):
    imported = runner.invoke(args=["import", str(CANADA), "--kind", "contracts"])
    assert imported.exit_code == 0, imported.output
    package = assert_valid(validator, export(runner, tmp_path / "ocds.json"))
    contracts = {
        c.reference: c
        for c in db.session.scalars(sa.select(Contract).where(Contract.currency == "CAD"))
    }
    releases = {r["contracts"][0]["id"]: r for r in package["releases"]}
    assert len(contracts) == 29 and set(releases) == set(contracts)
    amendments = 0
    for reference, contract in contracts.items():
        (published,) = releases[reference]["contracts"]
        assert published["value"] == {
            "amount": current_terms(contract).ceiling_amount,
            "currency": "CAD",
        }
        assert len(published.get("amendments", [])) == len(contract.amendments)
        for found, amendment in zip(
            published.get("amendments", []), contract.amendments, strict=True
        ):
            assert found["date"][:10] == amendment.dated_on.isoformat()
            assert found["rationale"] == amendment.reason and found["rationale"]
        amendments += len(contract.amendments)
    assert amendments == db.session.scalar(
        sa.select(sa.func.count()).select_from(ContractAmendment)
    )
    # One amendment for each of the register's 24 rows of instrument type A (SOURCES.md).
    assert amendments == 24


def test_the_package_uri_is_the_same_for_the_same_selection_and_names_it(
    demo, app, anonymous, runner, tmp_path
):
    first = anonymous.get("/open-data/ocds.json").get_json()["uri"]
    second = anonymous.get("/open-data/ocds.json").get_json()["uri"]
    assert first == second and first.startswith("urn:uuid:")
    package = json.loads(export(runner, tmp_path / "c.json"))
    assert package["uri"] == first
    narrowed = json.loads(export(runner, tmp_path / "d.json", "--year", "2010"))
    assert narrowed["uri"] != first
    assert (
        json.loads(export(runner, tmp_path / "e.json", "--year", "2010"))["uri"] == narrowed["uri"]
    )


def test_the_package_head_is_made_from_the_publication_alone():
    """No application and no configuration: the publication given is all the head states."""
    assert not has_app_context()
    publication = Publication(
        publisher=Publisher("Testkommun", "212000-0142", ""),
        licence=licence_from(
            "CC0 1.0 Universal (https://creativecommons.org/publicdomain/zero/1.0/)"
        ),
        ocid_prefix="ocds-zz9z9z",
        package_uri="https://example.org/ocds/package.json",
    )
    published = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert package_head(published, {"year": 2010}, publication=publication) == {
        "uri": "https://example.org/ocds/package.json?year=2010",
        "version": "1.1",
        "publishedDate": "2026-01-02T03:04:05Z",
        "publisher": {"name": "Testkommun", "scheme": "SE-ON", "uid": "212000-0142"},
        "license": "https://creativecommons.org/publicdomain/zero/1.0/",
    }
    # Without an address the package is named by its publisher and selection, whoever asks.
    unpublished = replace(publication, package_uri="")
    named = package_head(published, publication=unpublished)["uri"]
    assert named.startswith("urn:uuid:")
    assert package_head(published, publication=unpublished)["uri"] == named
    other = replace(unpublished, publisher=Publisher("Annan kommun", "212000-0159", ""))
    assert package_head(published, publication=other)["uri"] != named
    unnumbered = replace(unpublished, publisher=Publisher("Utan nummer", "", ""))
    assert package_head(published, publication=unnumbered)["publisher"] == {"name": "Utan nummer"}
