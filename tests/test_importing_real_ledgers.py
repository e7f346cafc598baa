"""Every real ledger of ``tests/data/real`` beyond the first six (British, American, Czech,
Icelandic, Brazilian, German and Belgian; see SOURCES.md) imports through ``insyn import``
with no option at all: at most the deployment's default currency set once, for a file that
names no currency anywhere, and, for the Czech finance ministry's ledger, the confirmation
that its eleven payments dated before their invoice were made in advance (``--accept
prepaid``: without it the plausibility rules refuse them, as they refuse such a date typed by
hand). Each gives all its rows, the exact total SOURCES.md states (which ``test_data_sources``
recomputes without Insyn), the right currency, and the dates the file has (read here with
``csv``, ``datetime`` and a bare workbook reader); importing it again imports nothing, and
another sheet of an imported workbook still imports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.models import ImportBatch
from app.models import Invoice
from tests.conftest import REAL_DATA
from tests.test_data_sources import SOURCES
from tests.test_data_sources import _filled
from tests.test_data_sources import _rows_of
from tests.test_data_sources import _squeezed
from tests.test_importing_errors import import_file

_EXCEL_DAY_ZERO = dt.date(1899, 12, 30)


@dataclass(frozen=True)
class Ledger:
    """A real ledger and what the test knows of it.

    Attributes:
        default: the deployment's currency to set; ``None`` when the file names its own.
        dates: the columns dating a row, the first filled one wins (as a spreadsheet user
            reads the file: the invoice's date, else the payment's).
        formats: how the file writes dates as text (``strptime``).
        period: the year and month columns dating a row that has no date ("" for no month).
        sheets: how many sheets it is read from.
        accept: the doubts the file is known to be right about (``--accept``).
    """

    name: str
    default: str | None
    dates: tuple[str, ...]
    formats: tuple[str, ...] = ()
    period: tuple[str, str] | None = None
    sheets: int = 1
    accept: tuple[str, ...] = ()


LEDGERS = [
    Ledger("uk_lancashire_pcc_spend_over_500_2023-24.xlsx", "GBP", ("* Date",), sheets=12),
    Ledger("uk_lancashire_pcc_spend_over_500_2020-21.xlsx", "GBP", ("Date", "* Date"), sheets=12),
    Ledger("uk_lancashire_fire_spend_2022-23.xlsx", "GBP", ("Date",)),
    Ledger("uk_lancashire_fire_spend_2023-24.xlsx", "GBP", ("Date",)),
    Ledger("uk_hyndburn_spend_over_250_2023-04.csv", None, ("Payment Date",),
           ("%d %b %Y", "%d-%b-%y")),
    Ledger("uk_hyndburn_spend_over_250_2026-01.csv", "GBP", ("Payment Date",), ("%d/%m/%y",)),
    Ledger("uk_hyndburn_spend_over_250_2024-11.csv", "GBP", ("Payment Date",), ("%d/%m/%Y",)),
    Ledger("uk_hyndburn_spend_over_250_2017-03.csv", None, ("Payment date",), ("%d/%m/%Y",)),
    Ledger("uk_bis_spend_over_25k_2015-05.csv", "GBP", ("Date of Payment",), ("%d/%m/%Y",)),
    Ledger("uk_oxford_expenditure_over_500_2014-q1.csv", "GBP", ("paid_date",), ("%d/%m/%Y",)),
    Ledger("us_phoenix_vendor_payments_2018-07.csv", "USD", ("Check/Payment Date",),
           ("%m/%d/%Y",)),
    Ledger("us_scottsdale_vendor_payments_2017-18.csv", "USD", ("PaymentDate",),
           ("%m/%d/%Y %H:%M",)),
    Ledger("cz_mfcr_paid_invoices_2014.csv", "CZK", ("Datum vystaveni", "Datum uhrady"),
           ("%Y-%m-%d",), accept=("prepaid",)),
    Ledger("cz_mk_invoices_2015-01.xlsx", None, ("Datum přijetí", "Datum úhrady"),
           ("%d.%m.%Y",), sheets=4),
    Ledger("is_state_open_invoices_2018-03.xlsx", "ISK", ("Dags.greiðslu",)),
    Ledger("br_federal_payment_card_cpgf_2021-10.csv", "BRL", ("DATA TRANSAÇÃO",),
           ("%d/%m/%Y",), period=("ANO EXTRATO", "MÊS EXTRATO")),
    Ledger("de_hamburg_grants_report_2011.xlsx", "EUR", ("Zeitraum Von",)),
    Ledger("de_hamburg_grants_report_2013.xlsx", None, ("Zeitraum Von",)),
    Ledger("be_flanders_subsidy_register_damme_2025-07.csv", None, (), period=("Jaar", "")),
]  # fmt: skip


def _date(cell, formats: tuple[str, ...]) -> dt.date | None:
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return _EXCEL_DAY_ZERO + dt.timedelta(days=int(cell))
    text = " ".join(str(cell or "").split())
    for form in formats:
        try:
            return dt.datetime.strptime(text, form).date()
        except ValueError:
            continue
    return None


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def file_dates(ledger: Ledger) -> set[dt.date]:
    """The dates of the file's rows of data, read without Insyn: the header is the row naming
    the amount column (a row naming it again starts another table, read by its own header),
    a row of data holds an amount and something else."""
    amount = {_squeezed(n) for n in SOURCES[ledger.name]["amount column"].split(" / ")}
    dates: set[dt.date] = set()
    header: dict[str, int] | None = None
    for row in _rows_of(ledger.name):
        cells = [_squeezed(c) for c in row]
        if amount & set(cells):
            header = {cell: i for i, cell in enumerate(cells) if cell}
            position = next(i for i, c in enumerate(cells) if c in amount)
            continue
        if header is None or position >= len(row) or not _filled(row[position]):
            continue
        if not any(_filled(c) for i, c in enumerate(row) if i != position):
            continue  # a totals row
        day = None
        for column in ledger.dates:
            index = header.get(_squeezed(column))
            if index is not None and index < len(row) and _filled(row[index]):
                day = _date(row[index], ledger.formats)
                assert day is not None, (ledger.name, row[index])
                break
        if day is None and ledger.period:
            year, month = ledger.period
            month_cell = row[header[month]] if month else 12
            day = _last_day(int(float(row[header[year]])), int(float(month_cell)))
        assert day is not None, (ledger.name, row)
        dates.add(day)
    return dates


def _imported(db) -> tuple[dict[str, tuple[Decimal, int]], set[dt.date]]:
    totals = {
        currency: (Decimal(total), count)
        for currency, total, count in db.session.execute(
            sa.select(Invoice.currency, sa.func.sum(Invoice.net_amount), sa.func.count())
            .where(Invoice.voided_at.is_(None))
            .group_by(Invoice.currency)
        )
    }
    days = set(db.session.scalars(sa.select(Invoice.invoiced_on).distinct()))
    return totals, days


@pytest.mark.parametrize("ledger", LEDGERS, ids=[ledger.name for ledger in LEDGERS])
def test_a_real_ledger_imports_whole_exact_and_in_its_currency(
    app, runner, db, monkeypatch, ledger
):
    assert (REAL_DATA / ledger.name).is_file(), f"the real test file is missing: {ledger.name}"
    entry = SOURCES[ledger.name]
    if ledger.default:
        monkeypatch.setitem(app.config, "DEFAULT_CURRENCY", ledger.default)
    accepted = [option for doubt in ledger.accept for option in ("--accept", doubt)]
    result = import_file(runner, REAL_DATA / ledger.name, *accepted)
    assert result.exit_code == 0, result.output
    assert "Rejected:  0" in result.output
    source = "deployment's default" if ledger.default else "from the amount column's header"
    assert f"Currency:  {entry['currency']} (" in result.output and source in result.output
    totals, days = _imported(db)
    assert totals == {entry["currency"]: (Decimal(entry["total"]), int(entry["rows"]))}
    assert days == file_dates(ledger)
    batch = db.session.scalars(sa.select(ImportBatch)).one()
    assert len(batch.sheets) == ledger.sheets
    assert batch.counts["currency"]["code"] == entry["currency"]

    again = import_file(runner, REAL_DATA / ledger.name, *accepted)
    assert again.exit_code == 0, again.output
    assert "Already imported" in again.output and "nothing was imported" in again.output
    assert _imported(db)[0] == totals
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ImportBatch)) == 1


def test_payments_in_advance_are_refused_until_the_file_is_confirmed(app, runner, db, monkeypatch):
    """The ministry's ledger has eleven rows paid before their invoice date (advance payments
    of monthly invoices, and two dated 2011 against invoices of 2014): refused, each named,
    with the command that confirms them; that command imports the file whole."""
    monkeypatch.setitem(app.config, "DEFAULT_CURRENCY", "CZK")
    path = REAL_DATA / "cz_mfcr_paid_invoices_2014.csv"
    refused = import_file(runner, path)
    assert refused.exit_code == 1, refused.output
    assert refused.output.count("is before the invoice date") == 11
    assert "row 4302, column Datum uhrady: The payment date 2011-03-07 is before the invoice " \
        "date 2014-11-10." in refused.output  # fmt: skip
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invoice)) == 0
    suggestion = next(
        line for line in refused.output.splitlines() if line.startswith("If the file is right")
    )
    assert suggestion.endswith(f"insyn import {path} --accept prepaid")
    confirmed = import_file(runner, path, "--accept", "prepaid")
    assert confirmed.exit_code == 0, confirmed.output
    assert _imported(db)[0] == {"CZK": (Decimal("40425182549.07"), 7950)}


def test_another_sheet_of_an_imported_workbook_still_imports(app, runner, db, monkeypatch):
    monkeypatch.setitem(app.config, "DEFAULT_CURRENCY", "GBP")
    path = REAL_DATA / "uk_lancashire_pcc_spend_over_500_2023-24.xlsx"
    april = import_file(runner, path, "--sheet", "Apr")
    assert april.exit_code == 0, april.output
    assert _imported(db)[0] == {"GBP": (Decimal("12744134.16"), 757)}
    rest = import_file(runner, path)
    assert rest.exit_code == 0, rest.output
    assert "Sheet Apr was imported before" in rest.output
    assert "Sheets:    11 read in one batch" in rest.output
    assert _imported(db)[0] == {"GBP": (Decimal("104322773.62"), 9289)}
    per_sheet = dict(
        db.session.execute(
            sa.select(Invoice.source_sheet, sa.func.sum(Invoice.net_amount)).group_by(
                Invoice.source_sheet
            )
        ).all()
    )
    assert per_sheet["Mar '24"] == Decimal("16422427.49")
    assert per_sheet["Jan '24"] == Decimal("8437481.92")


def test_the_second_table_of_the_fire_authoritys_sheet_is_read_by_its_own_header(
    app, runner, db, monkeypatch
):
    monkeypatch.setitem(app.config, "DEFAULT_CURRENCY", "GBP")
    result = import_file(runner, REAL_DATA / "uk_lancashire_fire_spend_2022-23.xlsx")
    assert result.exit_code == 0, result.output
    assert "2 tables, headers on rows 1, 2745" in result.output
    below = db.session.execute(
        sa.select(sa.func.sum(Invoice.net_amount), sa.func.count()).where(Invoice.source_row > 2745)
    ).one()
    assert (below[0], below[1]) == (Decimal("1555150.16"), 165)
