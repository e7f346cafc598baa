"""The bulk writer of ``app.importing.load`` writes invoices with a hand-written column list
(driver-level ``executemany`` on SQLite, ``COPY`` on PostgreSQL), bypassing the ORM for speed.
These tests pin that list to the ``invoices`` table: a column added to ``Invoice`` that the
importer does not write, or leaves to a default it cannot have, fails here; and one import of
a row that fills every field finds each value in its own column, so the tuple's order cannot
drift from the names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from app.importing.load import InvoiceWriter
from app.models import Category
from app.models import Contract
from app.models import Department
from app.models import ImportBatch
from app.models import Invoice

#: Columns the importer leaves to the database: the key, the void (an import never writes a
#: voided invoice) and the invoice a credit note credits (linked by hand). Adding a column to
#: ``Invoice`` means adding it to the writer or, with a reason, here.
LEFT_TO_THE_DATABASE = {"id", "voided_at", "void_reason", "credits_invoice_id"}


def test_the_writer_names_every_column_of_the_invoice_table():
    table_columns = set(Invoice.__table__.columns.keys())
    written = list(InvoiceWriter._COLUMNS)
    assert len(written) == len(set(written)), "a column is written twice"
    assert set(written) <= table_columns, set(written) - table_columns
    assert set(written) | LEFT_TO_THE_DATABASE == table_columns, (
        "columns neither written by the importer nor left to the database: "
        f"{table_columns - set(written) - LEFT_TO_THE_DATABASE}"
    )
    assert not set(written) & LEFT_TO_THE_DATABASE


def test_what_the_writer_leaves_out_can_be_left_out():
    for name in LEFT_TO_THE_DATABASE:
        column = Invoice.__table__.columns[name]
        assert column.primary_key or column.nullable, name


def test_a_row_with_every_field_lands_in_the_right_columns(runner, db, make_contract, tmp_path):
    contract = make_contract(reference="KS 2010/17")
    vendor = contract.vendor
    ledger = tmp_path / "alla-falt.csv"
    ledger.write_text(
        "Leverantör;Fakturanummer;Fakturadatum;Betaldatum;Belopp;Moms;Valuta;Timmar;"
        "Konto;Förvaltning;Beskrivning;Avtal\n"
        f"{vendor.name};F-77;2010-03-04;2010-04-02;12 500,00;3 125,00;SEK;12,5;"
        "4620 Konsulttjänster;Kommunledning;Strategi och utbildning;KS 2010/17\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["import", str(ledger)])
    assert result.exit_code == 0, result.output

    invoice = db.session.scalars(sa.select(Invoice).where(Invoice.invoice_number == "F-77")).one()
    batch = db.session.scalars(sa.select(ImportBatch)).one()
    assert invoice.vendor_id == vendor.id
    assert invoice.contract_id == contract.id
    assert invoice.invoiced_on == dt.date(2010, 3, 4)
    assert invoice.paid_on == dt.date(2010, 4, 2)
    assert invoice.net_amount == Decimal("12500.00")
    assert invoice.vat_amount == Decimal("3125.00")
    assert invoice.currency == "SEK"
    assert invoice.hours == Decimal("12.50")
    assert db.session.get(Category, invoice.category_id).name.endswith("Konsulttjänster")
    assert db.session.get(Department, invoice.department_id).name == "Kommunledning"
    assert invoice.description == "Strategi och utbildning"
    assert invoice.import_batch_id == batch.id
    assert invoice.source_row == 2
    assert invoice.version == 1
    assert invoice.created_at is not None and invoice.updated_at == invoice.created_at
    assert invoice.voided_at is None and invoice.void_reason is None
    assert db.session.get(Contract, contract.id).vendor_id == vendor.id
