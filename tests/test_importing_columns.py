"""Choosing the columns by hand: a ledger whose headers Insyn does not recognise is refused
naming what it lacks and what it has, and imports once the user says which column holds
each field (``--column FIELD=HEADER``, or the form on the import page)."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from app.models import Invoice
from tests.test_importing_errors import import_file
from tests.test_importing_errors import nothing_written

#: A ledger whose supplier Insyn cannot tell: two columns of company names, neither named as
#: the supplier ("Avsändare", sender; "Adressat", addressee). The date ("Bokf.dag", posting
#: day) is told by its name, the amount ("Kronor") by its content, and its currency by its
#: header.
ODD_LEDGER = (
    "Avsändare;Adressat;Bokf.dag;Kronor;Text\n"
    "Penseo AB;Kultur AB;2010-03-01;1 000,00;Strategi\n"
    "Mediabyrån AB;Teknik AB;2010-03-04;2 500,50;Tryck\n"
)


def _sum(db) -> Decimal:
    return db.session.scalar(sa.select(sa.func.sum(Invoice.net_amount))) or Decimal(0)


def test_an_unknown_layout_is_refused_with_its_headers_and_how_to_choose(runner, db, tmp_path):
    path = tmp_path / "reskontra.csv"
    path.write_text(ODD_LEDGER, encoding="utf-8")
    result = import_file(runner, path, "--kind", "invoices")
    assert result.exit_code == 1, result.output
    assert "Avsändare, Adressat, Bokf.dag, Kronor, Text" in result.output  # what the file has
    # Every column with two of its values, and what was read from it.
    assert "Penseo AB | Mediabyrån AB" in result.output
    assert "Kultur AB | Teknik AB" in result.output
    assert "1 000,00 | 2 500,50  → net_amount (by content)" in result.output
    assert "vendor_name (leverantör / supplier) could be in any of: Avsändare, Adressat" in (
        result.output
    )
    assert "--kind invoices --column vendor_name='Avsändare'" in result.output
    assert nothing_written(db)


def test_the_chosen_columns_import_the_file(runner, db, tmp_path):
    path = tmp_path / "reskontra.csv"
    path.write_text(ODD_LEDGER, encoding="utf-8")
    result = import_file(
        runner, path, "--kind", "invoices",
        "--column", "vendor_name=Avsändare", "--column", "invoiced_on=bokf dag",
        "--column", "net_amount=Kronor", "--column", "description=Text",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Imported:  2" in result.output
    assert "net_amount ← Kronor" in result.output and "invoiced_on ← Bokf.dag" in result.output
    assert _sum(db) == Decimal("3500.50")
    descriptions = set(db.session.scalars(sa.select(Invoice.description)))
    assert descriptions == {"Strategi", "Tryck"}


def test_a_chosen_column_wins_over_the_one_the_synonyms_found(runner, db, tmp_path):
    """ "Belopp" is the synonyms' amount; the user says the net amount is in "Netto"."""
    path = tmp_path / "reskontra.csv"
    path.write_text(
        "Leverantör;Fakturadatum;Belopp;Netto\nPenseo AB;2010-03-01;1 250,00;1 000,00\n",
        encoding="utf-8",
    )
    result = import_file(runner, path, "--column", "net_amount=Netto")
    assert result.exit_code == 0, result.output
    assert _sum(db) == Decimal("1000.00")


def test_a_wrong_choice_is_named_and_nothing_is_written(runner, db, tmp_path):
    path = tmp_path / "reskontra.csv"
    path.write_text(ODD_LEDGER, encoding="utf-8")
    no_such_header = import_file(runner, path, "--kind", "invoices", "--column", "net_amount=Summa")
    assert no_such_header.exit_code == 2
    assert "reskontra.csv has no column Summa in its header (row 1)" in no_such_header.output
    no_such_field = import_file(runner, path, "--kind", "invoices", "--column", "planet=Kronor")
    assert no_such_field.exit_code == 2
    assert "planet is not a field" in no_such_field.output and "net_amount" in no_such_field.output
    malformed = import_file(runner, path, "--column", "Kronor")
    assert malformed.exit_code == 2 and "FIELD=HEADER" in malformed.output
    assert nothing_written(db)
