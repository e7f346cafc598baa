"""The table writers cell by cell: what each column kind becomes in CSV (both dialects), JSON
and XLSX, for the awkward values too (amounts in E notation, a datetime in a date column, text
that looks like a formula, control characters, ``None``), and the invoice list streamed from
the database with the same typed values as the ORM gives."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import openpyxl
import pytest

from app.exporting.csv_files import EXCEL_SV
from app.exporting.csv_files import RFC4180
from app.exporting.csv_files import csv_chunks
from app.exporting.json_files import json_chunks
from app.exporting.json_files import row_object
from app.exporting.table import Column
from app.exporting.table import Table
from app.exporting.xlsx import write_xlsx

D = Decimal
AWARE = dt.datetime(2024, 3, 1, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
COLUMNS = [
    Column("text", "Text"),
    Column("money", "Money", "money"),
    Column("decimal", "Decimal", "decimal"),
    Column("share", "Share", "share"),
    Column("int", "Int", "int"),
    Column("date", "Date", "date"),
    Column("datetime", "Datetime", "datetime"),
]
ROWS = [
    ["Plain", D("1234.50"), D("7.25"), D("0.125"), 42, dt.date(2024, 1, 2), AWARE],
    ["=SUM(A1)", D("-0.05"), D("1E+2"), D("1E-7"), None, dt.datetime(2024, 1, 2, 9), None],
    ["-5 kr", D("0E-8"), 3, 2.5, 7, None, AWARE.astimezone(dt.UTC)],
    [None, None, None, None, None, None, None],
    [12, D("1E+3"), D("-12.00"), D("0.5"), 0, dt.date(2010, 12, 31), AWARE],
]


def _table(rows=ROWS, totals=()) -> Table:
    return Table(kind="test", title="Test", columns=COLUMNS, rows=iter(rows), totals=totals)


def test_csv_cells_in_the_swedish_excel_dialect():
    text = "".join(csv_chunks(_table(), EXCEL_SV))
    assert text.startswith("\ufeff")
    assert text[1:].split("\r\n") == [
        "Text;Money;Decimal;Share;Int;Date;Datetime",
        "Plain;1234,50;7,25;0,125;42;2024-01-02;2024-03-01T22:30:00Z",
        "'=SUM(A1);-0,05;100;0,0000001;;2024-01-02;",
        "'-5 kr;0,00000000;3;2,5;7;;2024-03-01T22:30:00Z",
        ";;;;;;",
        "12;1000;-12,00;0,5;0;2010-12-31;2024-03-01T22:30:00Z",
        "",
    ]


def test_csv_cells_do_not_depend_on_how_the_rows_are_batched():
    whole = "".join(csv_chunks(_table(), EXCEL_SV))
    for batch in (1, 2, 3):
        assert "".join(csv_chunks(_table(), EXCEL_SV, batch=batch)) == whole
    clean = [row for row in ROWS if row[0] in ("Plain", None)]
    one_batch = "".join(csv_chunks(_table(clean), EXCEL_SV)).split("\r\n")[1:]
    assert one_batch == ["Plain;1234,50;7,25;0,125;42;2024-01-02;2024-03-01T22:30:00Z",
                         ";;;;;;", ""]  # fmt: skip


def test_csv_rows_shorter_than_the_columns_or_without_a_length():
    rows = [["a", D("1.00")], ["b"], iter(["c", D("2.50"), D("1"), None, 3, None, None])]
    for batch in (1, 500):
        lines = "".join(csv_chunks(_table(rows), EXCEL_SV, batch=batch)).split("\r\n")
        assert lines[1:] == ["a;1,00", "b", "c;2,50;1;;3;;", ""]
        rows = [["a", D("1.00")], ["b"], iter(["c", D("2.50"), D("1"), None, 3, None, None])]


def test_csv_cells_in_the_rfc4180_dialect():
    text = "".join(csv_chunks(_table(), RFC4180))
    assert text.split("\r\n")[1:4] == [
        "Plain,1234.50,7.25,0.125,42,2024-01-02,2024-03-01T22:30:00Z",
        "'=SUM(A1),-0.05,100,0.0000001,,2024-01-02,",
        "'-5 kr,0.00000000,3,2.5,7,,2024-03-01T22:30:00Z",
    ]


def test_csv_streams_in_chunks_of_rows():
    rows = [["x", D("1.00"), None, None, n, None, None] for n in range(1200)]
    chunks = list(csv_chunks(_table(rows), RFC4180, batch=500))
    assert len(chunks) == 3
    assert "".join(chunks).count("\r\n") == 1201


def _json_rows(table: Table) -> list[str]:
    """The row lines of a streamed document (one row a line, a comma after all but the last)."""
    lines = "".join(json_chunks(table)).split("\n")
    return [line.removesuffix(",") for line in lines[1:-2]]


def test_json_rows_are_the_row_objects():
    keys = [column.key for column in COLUMNS]
    expected = [json.dumps(row_object(keys, row), ensure_ascii=False) for row in ROWS]
    assert _json_rows(_table()) == expected
    document = json.loads("".join(json_chunks(_table())))
    assert document["rows"][1] == {
        "text": "=SUM(A1)",
        "money": "-0.05",
        "decimal": "100",
        "share": "0.0000001",
        "int": None,
        "date": "2024-01-02T09:00:00Z",
        "datetime": None,
    }
    assert document["rows"][0]["datetime"] == "2024-03-01T22:30:00Z"
    assert document["rows"][2]["money"] == "0.00000000"


def test_json_refuses_a_cell_it_cannot_write():
    rows = [["x", object(), None, None, None, None, None]]
    with pytest.raises(TypeError, match="not JSON serializable"):
        "".join(json_chunks(_table(rows)))


def test_xlsx_cells_keep_their_types_formats_and_text(app):
    rows = [
        *ROWS,
        ["bell\x07 rings", D("5.00"), None, None, None, None, None],
        [None, "n/a", "=1+1", None, "@x", None, None],
    ]
    totals = [["Total", D("1239.45"), None, None, 5, None, None]]
    stream = io.BytesIO()
    with app.app_context():
        assert write_xlsx(_table(rows, totals), stream) == len(rows)
    sheet = openpyxl.load_workbook(io.BytesIO(stream.getvalue())).worksheets[0]
    cells = list(sheet.iter_rows(min_row=2))
    values = [[cell.value for cell in row] for row in cells]
    assert values[0] == ["Plain", 1234.5, 7.25, 0.125, 42, dt.datetime(2024, 1, 2),
                         dt.datetime(2024, 3, 1, 22, 30)]  # fmt: skip
    assert values[1][:4] == ["=SUM(A1)", -0.05, 100, 1e-7]
    assert values[3] == [None] * 7
    assert values[5][0] == "bell rings"
    assert values[6][1:3] == ["n/a", "=1+1"]
    assert values[6][4] == "@x"
    assert values[-1][:2] == ["Total", 1239.45]
    plain, formula = cells[0], cells[1]
    assert [cell.number_format for cell in plain[1:7]] == [
        "#,##0.00", "0.00", "0.0%", "General", "yyyy-mm-dd", "yyyy-mm-dd hh:mm"
    ]  # fmt: skip
    assert formula[0].data_type == "s" and formula[0].quotePrefix
    assert cells[2][0].value == "-5 kr" and cells[2][0].quotePrefix
    assert cells[6][2].data_type == "s" and cells[6][2].quotePrefix
    assert not plain[0].quotePrefix and not plain[0].font.bold
    assert cells[-1][0].font.bold and cells[-1][1].font.bold
    assert cells[-1][1].number_format == "#,##0.00"


def test_the_invoice_list_streams_the_values_the_orm_gives(db, make_invoice, make_vendor):
    from app.exporting.lists import invoice_rows_select
    from app.exporting.lists import invoice_values
    from app.exporting.lists import invoices_table
    from app.exporting.opendata import publication_from
    from app.privacy import Audience
    from app.services.invoice_filters import InvoiceFilters
    from app.services.invoices import void_invoice

    make_invoice(net_amount=D("-1234.50"), invoiced_on=dt.date(2012, 5, 2))
    make_invoice(vendor=make_vendor(name="Andersson Anna", org_number="19850101-1236"))
    void_invoice(make_invoice(net_amount=D("10.05")), "Dubblett")
    db.session.commit()
    filters = InvoiceFilters(status="all", audience=Audience.STAFF)
    table = invoices_table(filters, publication=publication_from({"DATA_LICENCE": "Egen licens"}))
    assert table.licence == "Egen licens"
    streamed = list(table.rows)
    through_orm = [invoice_values(row) for row in db.session.execute(invoice_rows_select(filters))]
    assert streamed == through_orm
    assert len(streamed) == 3
    assert {type(row[6]) for row in streamed} == {Decimal}
    voided = [row for row in streamed if row[15] is not None]
    assert len(voided) == 1 and voided[0][15].tzinfo is not None
    assert any(row[3] is None for row in streamed)  # the private person's id left out
