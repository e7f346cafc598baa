"""Importing the real public files of ``tests/data/real`` (see its SOURCES.md) through
``insyn import``, each with its shipped profile detected: the totals and row counts published
there, to the öre, and never twice.

Örebro's 68,021 rows are imported once for the whole module, into a database of the module's
own, and committed there; every test still runs in a transaction rolled back after it (the
``db`` fixture), so what a test imports is gone before the next one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import zipfile
from collections import Counter
from collections import defaultdict
from decimal import ROUND_HALF_UP
from decimal import Decimal
from pathlib import Path

import pytest
import python_calamine
import sqlalchemy as sa
from stdnum.se import orgnr

from app.extensions import db as _db
from app.importing import records
from app.models import Contract
from app.models import ContractAmendment
from app.models import ImportBatch
from app.models import Invoice
from app.models import Vendor
from app.services.contracts import current_terms
from tests.conftest import REAL_DATA

REAL = REAL_DATA
OREBRO = REAL / "orebro_leverantorsfakturor_2016-03.xlsx"
LEEDS_2020 = REAL / "leeds_spend_2020-06.csv"
LEEDS_2010 = REAL / "leeds_spend_2010-12.csv"
CRAVEN = REAL / "craven_payments_over_500_2017-03.csv"
CANADA = REAL / "canada_contracts_amendments_extract.csv"
PROCUREMENT = REAL / "upphandlingsmyndigheten_kontrakterat_varde_2021.xlsx"


@pytest.fixture(scope="module")
def orebro_app(databases, migrated_app):
    """An app on a database of this module's own, with Örebro imported (and committed) once."""
    app = migrated_app(databases.new())
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["import", str(OREBRO)])
    yield app, result
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture(scope="module")
def app(orebro_app):
    """The app every fixture of this module (``db``, ``runner``…) works on."""
    return orebro_app[0]


@pytest.fixture(scope="module")
def orebro(orebro_app):
    """The result of the module's one ``insyn import`` of Örebro."""
    return orebro_app[1]


# --- helpers ---------------------------------------------------------------------------------


def import_file(runner, path: Path, *options: str):
    result = runner.invoke(args=["import", str(path), *options])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def latest_batch(db, filename: str) -> ImportBatch | None:
    return db.session.scalar(
        sa.select(ImportBatch)
        .where(ImportBatch.filename == filename)
        .order_by(ImportBatch.id.desc())
        .limit(1)
    )


def invoice_totals(db, batch_ids) -> dict[str, tuple[Decimal, int]]:
    """Sum of net amounts and number of invoices, per currency, of the batches given."""
    rows = db.session.execute(
        sa.select(Invoice.currency, sa.func.sum(Invoice.net_amount), sa.func.count(Invoice.id))
        .where(Invoice.import_batch_id.in_(list(batch_ids)))
        .group_by(Invoice.currency)
    )
    return {currency: (Decimal(total), count) for currency, total, count in rows}


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def cents(text: str) -> Decimal:
    """A CSV amount as the register means it: R's float artefacts rounded to the cent."""
    return Decimal(text.replace(",", "")).quantize(Decimal("0.01"), ROUND_HALF_UP)


# --- Örebro: one import for the module -------------------------------------------------------


def test_orebro_imports_every_row_with_the_published_total(orebro, db):
    assert orebro.exit_code == 0, orebro.output
    assert "Profile:   orebro;" in orebro.output
    assert "every row dated 2016-03-31" in orebro.output
    batch = latest_batch(db, OREBRO.name)
    assert batch is not None and batch.profile == "orebro" and batch.sheet_name == "Blad2"
    assert invoice_totals(db, [batch.id]) == {"SEK": (Decimal("450187283.39"), 68021)}
    days = db.session.execute(
        sa.select(sa.func.min(Invoice.invoiced_on), sa.func.max(Invoice.invoiced_on)).where(
            Invoice.import_batch_id == batch.id
        )
    ).one()
    # No date column: the period comes from the file name, the month's last day.
    assert tuple(days) == (dt.date(2016, 3, 31), dt.date(2016, 3, 31))
    assert batch.row_count == 68021
    assert batch.totals == {"SEK": "450187283.39"}


def test_orebro_keeps_postings_the_ledger_lists_twice(orebro, db):
    """The same vendor, invoice, account, committee and amount on two rows are two postings:
    the first import keeps both (the natural key counts, it does not collapse)."""
    assert orebro.exit_code == 0, orebro.output
    workbook = python_calamine.CalamineWorkbook.from_path(str(OREBRO))
    try:
        rows = workbook.get_sheet_by_name("Blad2").to_python()[1:]
    finally:
        workbook.close()

    def ore(value) -> int:
        return int((Decimal(repr(value)) * 100).quantize(Decimal(1), ROUND_HALF_UP))

    in_file = Counter(
        (r[1].strip(), str(int(r[3])), r[4].strip(), r[0].strip(), ore(r[5])) for r in rows
    )
    repeated_in_file = sorted(n for n in in_file.values() if n > 1)
    # The ledger really does this: 1 104 postings repeated (871 twice, 131 three times, …),
    # counted with openpyxl too.
    assert (len(repeated_in_file), sum(repeated_in_file)) == (1104, 2715)

    batch = latest_batch(db, OREBRO.name)
    per_key = (
        sa.select(sa.func.count().label("n"))
        .where(Invoice.import_batch_id == batch.id)
        .group_by(
            Invoice.vendor_id,
            Invoice.invoice_number,
            Invoice.category_id,
            Invoice.department_id,
            Invoice.net_amount,
        )
        .having(sa.func.count() > 1)
        .subquery()
    )
    repeated_in_db = sorted(db.session.scalars(sa.select(per_key.c.n)))
    assert repeated_in_db == repeated_in_file

    # One by hand: SOS TOP SAFE AB's invoice 28266168 lists 6,269.25 twice on one account.
    twice = db.session.scalars(
        sa.select(Invoice.net_amount).where(
            Invoice.import_batch_id == batch.id, Invoice.invoice_number == "28266168"
        )
    ).all()
    assert twice.count(Decimal("6269.25")) == 2
    assert in_file[
        (
            "SOS TOP SAFE AB",
            "28266168",
            "40231 Inköp, verksamhetsinventarier",
            "BGY Gymnasienämnd",
            626925,
        )
    ] == twice.count(Decimal("6269.25"))


def test_orebro_top_five_vendors_of_march_2016_match_the_file(orebro, app, db):
    """The totals report's five largest vendors for March 2016, against the file summed here.

    A vendor is a legal person: rows are grouped by organisation number where the cell holds
    one valid number (so KPA PENSIONSSERVICE AB and PENSIONSVALET PV, one company, are one
    vendor), else by the stripped name; each amount is rounded to öre (the workbook holds
    binary floats)."""
    assert orebro.exit_code == 0, orebro.output
    workbook = python_calamine.CalamineWorkbook.from_path(str(OREBRO))
    try:
        rows = workbook.get_sheet_by_name("Blad2").to_python()
    finally:
        workbook.close()
    header = [str(cell).strip() for cell in rows[0]]
    name_at, org_at = header.index("LEVERANTÖR"), header.index("ORGANISATIO")
    amount_at = header.index("UTFALL")
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows[1:]:
        org = str(row[org_at]).strip()
        key = orgnr.compact(org) if orgnr.is_valid(org) else str(row[name_at]).strip()
        sums[key] += Decimal(repr(row[amount_at])).quantize(Decimal("0.01"), ROUND_HALF_UP)
    expected = sorted(sums.items(), key=lambda item: -item[1])[:5]

    client = app.test_client()
    data = client.get("/reports/totals.json?by=vendor&year=2016&month=3").get_json()
    assert data["by"] == ["vendor"] and not data["ignored"]
    top = data["rows"][:5]
    keys = []
    for row in top:
        vendor = db.session.get(Vendor, row["vendor_id"])
        assert vendor.name == row["vendor"]
        keys.append(orgnr.compact(vendor.org_number) if vendor.org_number else vendor.name)
    assert keys == [key for key, _ in expected]
    assert [Decimal(row["amount"]) for row in top] == [amount for _, amount in expected]
    assert data["totals"]["SEK"] == {"amount": "450187283.39", "count": 68021}


def test_reimporting_orebro_imports_nothing(orebro, runner, db):
    assert orebro.exit_code == 0, orebro.output
    before = invoice_totals(db, db.session.scalars(sa.select(ImportBatch.id)))
    batches = count(db, ImportBatch)
    again = import_file(runner, OREBRO)
    assert again.exit_code == 0, again.output
    assert "Already imported" in again.output and "nothing was imported" in again.output
    assert count(db, ImportBatch) == batches
    assert invoice_totals(db, db.session.scalars(sa.select(ImportBatch.id))) == before
    assert before == {"SEK": (Decimal("450187283.39"), 68021)}


def test_a_copy_of_orebro_that_is_not_byte_identical_imports_nothing_new(
    orebro, runner, db, tmp_path
):
    """Another file (its bytes differ, so the checksum does not recognise it) holding the same
    rows: the natural key does, posting by posting, the ledger's repeated postings included."""
    assert orebro.exit_code == 0, orebro.output
    copy = tmp_path / "orebro-leverantorsfakturor-2016-03-kopia.xlsx"
    shutil.copyfile(OREBRO, copy)
    with zipfile.ZipFile(copy, "a") as archive:
        archive.comment = b"saved again"
    result = import_file(runner, copy)
    assert result.exit_code == 0, result.output
    assert "Imported:  0\n" in result.output
    assert "Skipped as already imported: 68021" in result.output
    totals = invoice_totals(db, db.session.scalars(sa.select(ImportBatch.id)))
    assert totals == {"SEK": (Decimal("450187283.39"), 68021)}


# --- the UK spend files ----------------------------------------------------------------------

UK_FILES = [
    pytest.param(LEEDS_2020, "leeds-2020", Decimal("104445727.45"), 16176, id="leeds-2020"),
    pytest.param(LEEDS_2010, "leeds-2010", Decimal("77179009.24"), 10303, id="leeds-2010"),
    pytest.param(CRAVEN, "craven", Decimal("726583.94"), 171, id="craven"),
]


@pytest.mark.parametrize(("path", "profile", "total", "rows"), UK_FILES)
def test_uk_spend_file_imports_with_the_published_total(runner, db, path, profile, total, rows):
    result = import_file(runner, path)
    assert result.exit_code == 0, result.output
    assert f"Profile:   {profile};" in result.output
    batch = latest_batch(db, path.name)
    assert batch.profile == profile
    assert invoice_totals(db, [batch.id]) == {"GBP": (total, rows)}
    assert f"Imported:  {rows}\n" in result.output
    assert "Rejected:  0" in result.output


def test_leeds_spellings_of_one_supplier_are_offered_for_merging(runner, db):
    """Leeds writes some suppliers both "… Limited" and "… Ltd", without company numbers:
    the importer keeps them apart (it cannot know), and the duplicates list groups them."""
    from app.services.vendors import possible_duplicates

    assert import_file(runner, LEEDS_2020).exit_code == 0
    groups = {g.key: sorted(v.name for v in g.vendors) for g in possible_duplicates()}
    assert groups["graitec"] == ["Graitec Limited", "Graitec Ltd"]
    assert groups["bells domestics"] == ["Bells Domestics Limited", "Bells Domestics Ltd"]


def test_craven_leaves_its_totals_row_out_and_says_it_agrees(runner, db):
    result = import_file(runner, CRAVEN)
    assert result.exit_code == 0, result.output
    assert "Left out, totals rows: 173\n" in result.output
    assert "own total on row 173, 726,583.94, agrees with the sum of its rows" in result.output
    batch = latest_batch(db, CRAVEN.name)
    assert (
        db.session.scalar(
            sa.select(sa.func.max(Invoice.source_row)).where(Invoice.import_batch_id == batch.id)
        )
        == 172
    )
    assert batch.counts["left_out"] == 1


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(LEEDS_2020, id="leeds-2020"),
        pytest.param(LEEDS_2010, id="leeds-2010"),
        pytest.param(CRAVEN, id="craven"),
        pytest.param(CANADA, id="canada"),
    ],
)
def test_reimporting_a_file_imports_nothing(runner, db, path):
    first = import_file(runner, path)
    assert first.exit_code == 0, first.output
    batches = db.session.scalars(sa.select(ImportBatch.id)).all()
    invoices = invoice_totals(db, batches)
    contracts, amendments = count(db, Contract), count(db, ContractAmendment)

    again = import_file(runner, path)
    assert again.exit_code == 0, again.output
    assert "Already imported" in again.output and "nothing was imported" in again.output
    assert db.session.scalars(sa.select(ImportBatch.id)).all() == batches
    assert invoice_totals(db, batches) == invoices
    assert (count(db, Contract), count(db, ContractAmendment)) == (contracts, amendments)


def _craven_rows() -> tuple[str, list[str], str]:
    """Craven's header line, data lines and totals line, as the file writes them."""
    raw = CRAVEN.read_bytes().decode("cp1252")
    lines = raw.split("\r\n")
    while lines and not lines[-1]:
        lines.pop()
    return lines[0], lines[1:-1], lines[-1]


def test_a_renamed_reordered_copy_with_rows_added_imports_only_the_new_rows(runner, db, tmp_path):
    first = import_file(runner, CRAVEN)
    assert first.exit_code == 0, first.output
    header, data, totals = _craven_rows()
    assert len(data) == 171 and totals.startswith(",,,,,,,,,")
    added = [
        "Craven District Council,99990001,99901,Nytt Konsultbolag Ltd,30/03/2017,"
        '4101,Consultants,CC100,Planning,"1,234.50"',
        "Craven District Council,99990002,99902,Another New Supplier Ltd,31/03/2017,"
        "4101,Consultants,CC100,Planning,765.50",
    ]
    copy = tmp_path / "craven-march-again.csv"
    shuffled = list(reversed(data))
    copy.write_bytes(
        "\r\n".join([header, *shuffled, *added, ',,,,,,,,,"728,583.94"', ""]).encode("cp1252")
    )
    result = import_file(runner, copy)
    assert result.exit_code == 0, result.output
    assert "Imported:  2\n" in result.output
    assert "Skipped as already imported: 171" in result.output
    batch = latest_batch(db, copy.name)
    assert invoice_totals(db, [batch.id]) == {"GBP": (Decimal("2000.00"), 2)}
    everything = invoice_totals(db, db.session.scalars(sa.select(ImportBatch.id)))
    assert everything["GBP"] == (Decimal("728583.94"), 173)


def test_rows_appended_to_craven_after_a_reorder_import_alone_even_when_some_repeat(
    runner, db, tmp_path, monkeypatch
):
    """Two copies of a row already imported, in a new file: one is the imported row, the
    other a new posting (the natural key counts rows), the two copies in different chunks."""
    monkeypatch.setattr(records, "CHUNK", 50)
    first = import_file(runner, CRAVEN)
    assert first.exit_code == 0, first.output
    header, data, _totals = _craven_rows()
    copy = tmp_path / "craven-with-a-repeat.csv"
    copy.write_bytes("\r\n".join([header, data[5], *data[::-1], ""]).encode("cp1252"))
    result = import_file(runner, copy)
    assert result.exit_code == 0, result.output
    assert "Imported:  1\n" in result.output
    assert "Skipped as already imported: 171" in result.output


# --- the Canadian contract register ----------------------------------------------------------


def _register_groups() -> dict[str, list[tuple[int, dict]]]:
    """The register's rows by amendment group, with their row numbers, in reporting order."""
    text = CANADA.read_text(encoding="utf-8")
    groups: dict[str, list[tuple[int, dict]]] = defaultdict(list)
    for number, row in enumerate(csv.DictReader(io.StringIO(text, newline="")), start=2):
        groups[row["d_amendment_group_id"]].append((number, row))
    for members in groups.values():
        members.sort(key=lambda m: (m[1]["reporting_period"], m[0]))
    return groups


def test_canadian_register_imports_one_contract_per_amendment_group(runner, db):
    result = import_file(runner, CANADA)
    assert result.exit_code == 0, result.output
    assert "Profile:   canada-contracts; contracts;" in result.output
    batch = latest_batch(db, CANADA.name)
    contracts = {
        c.reference: c
        for c in db.session.scalars(sa.select(Contract).where(Contract.import_batch_id == batch.id))
    }
    groups = _register_groups()
    assert len(groups) == 29 and sum(len(m) for m in groups.values()) == 35
    assert set(contracts) == set(groups)
    for group, members in groups.items():
        contract = contracts[group]
        original_row = [m for m in members if m[1]["d_is_amendment"] == "FALSE"]
        assert len(original_row) == 1, group
        number, original = original_row[0]
        assert contract.source_row == number, group
        assert contract.currency == "CAD"
        stated_original = original["original_value"]
        expected_ceiling = cents(
            stated_original if stated_original != "NA" else original["contract_value"]
        )
        assert contract.ceiling_amount == expected_ceiling, group
        latest = members[-1][1]
        assert current_terms(contract).ceiling_amount == cents(latest["contract_value"]), group
        # Every later report of the group is one of the contract's amendments.
        amendment_rows = {a.source_row for a in contract.amendments}
        for later, row in members:
            if row["d_is_amendment"] == "TRUE":
                assert later in amendment_rows, (group, later)
        assert all(a.import_batch_id == batch.id for a in contract.amendments)


def test_canadian_groups_checked_by_hand(runner, db):
    result = import_file(runner, CANADA)
    assert result.exit_code == 0, result.output

    def contract(reference):
        return db.session.scalar(sa.select(Contract).where(Contract.reference == reference))

    # Three reports: the original one (row 27) already 197,756,999.99 over the original
    # value, then two amendments (rows 17 and 18, reported later, listed earlier).
    infc = contract("infc-C-2018-2019-Q1-00035")
    assert infc.source_row == 27
    assert infc.ceiling_amount == Decimal("4534252124.69")
    assert current_terms(infc).ceiling_amount == Decimal("5031364910.17")
    steps = sorted(
        (a.source_row, a.added_amount) for a in infc.amendments if a.added_amount is not None
    )
    assert steps == [
        (17, Decimal("293607035.48")),
        (18, Decimal("5748750.01")),
        (27, Decimal("197756999.99")),
    ]
    assert infc.ends_on == dt.date(2050, 3, 31)

    # A reduction: original value 110,338.20, cut by 33,816.93, then raised to 90,385.77.
    dnd = contract("dnd-mdn-2019-2020-Q1-02234")
    assert dnd.source_row == 31
    assert dnd.ceiling_amount == Decimal("110338.20")
    added = [a.added_amount for a in sorted(dnd.amendments, key=lambda a: a.source_row)]
    assert Decimal("-33816.93") in added
    assert sum(a for a in added if a is not None) == Decimal("90385.77") - Decimal("110338.20")
    assert current_terms(dnd).ceiling_amount == Decimal("90385.77")
    # Rows 31–33 state 76,521.27, 76,521.27 and 90,385.77 in turn: each the change from the
    # value before it.
    assert [a.source_row for a in sorted(dnd.amendments, key=lambda a: a.source_row)] == [
        31, 32, 33
    ]  # fmt: skip
    assert added == [Decimal("-33816.93"), None, Decimal("13864.50")]

    # One report, no amendment and no original value stated ("NA"): the value is the ceiling.
    esdc = contract("esdc-edsc-C-2015-2016-Q1-00261")
    assert esdc.ceiling_amount == Decimal("287437.50") and esdc.amendments == []
    # R's float artefact 73757.23999999999 is 73,757.24.
    assert contract("dnd-mdn-C-2019-2020-Q4-03338").ceiling_amount == Decimal("73757.24")


# --- a workbook that is not a ledger ---------------------------------------------------------


def test_procurement_statistics_are_refused_naming_the_missing_columns(runner, db):
    """A table of procurements, not a ledger: it names no supplier, so it is refused (exit 1)
    in one message listing every column with its values and the choice to make."""
    result = import_file(runner, PROCUREMENT)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.output.splitlines()
    assert (
        "Insyn cannot tell which columns hold what invoices need: leverantör / supplier"
        in (lines[0])
    )
    assert "   B  Namn för köpare" in result.output  # every column, with its letter…
    assert "  AG  Kontrakterat värde, Summa         1460 | 33000000" in result.output  # …values
    assert lines[-1].startswith("Import with: ") or "No column holds vendor_name" in result.output
    assert count(db, ImportBatch) == 1  # Örebro's, from the module's setup
