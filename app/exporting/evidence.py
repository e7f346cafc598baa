"""An evidence pack: one zip with a report as XLSX, every invoice behind it as CSV, where each
of those rows came from (import batch, file, sheet, row number, the file's SHA-256), and a
README saying how each figure was computed and how to check it."""

from __future__ import annotations

import tempfile
import zipfile
from dataclasses import replace
from typing import BinaryIO

import sqlalchemy as sa
from flask_babel import gettext

from app.exporting.csv_files import EXCEL_SV
from app.exporting.csv_files import csv_chunks
from app.exporting.lists import engagements_table
from app.exporting.lists import invoices_table
from app.exporting.opendata import Publication
from app.exporting.table import Column
from app.exporting.table import Table
from app.exporting.xlsx import write_xlsx
from app.extensions import db
from app.models import ImportBatch
from app.models import Invoice
from app.services.income import EngagementFilters
from app.services.invoice_filters import InvoiceFilters
from app.services.invoice_filters import apply_filters


def provenance_table(filters: InvoiceFilters) -> Table:
    """Each invoice's origin: entered by hand, or imported from a file's sheet and row."""
    statement = apply_filters(
        sa.select(
            Invoice.id,
            Invoice.invoice_number,
            ImportBatch.id,
            ImportBatch.filename,
            sa.func.coalesce(Invoice.source_sheet, ImportBatch.sheet_name),
            Invoice.source_row,
            ImportBatch.sha256,
            ImportBatch.imported_at,
        )
        .select_from(Invoice)
        .outerjoin(ImportBatch, Invoice.import_batch_id == ImportBatch.id),
        filters,
    ).order_by(Invoice.id)
    columns = [
        Column("invoice_id", gettext("Invoice (id)"), "int"),
        Column("invoice_number", gettext("Invoice number"), "text"),
        Column("import_batch", gettext("Import (id)"), "int"),
        Column("file", gettext("File"), "text"),
        Column("sheet", gettext("Sheet"), "text"),
        Column("row", gettext("Row in the file"), "int"),
        Column("sha256", gettext("The file's SHA-256"), "text"),
        Column("imported_at", gettext("Imported"), "datetime"),
    ]

    def rows():
        for row in db.session.execute(statement.execution_options(yield_per=2000)):
            values = list(row)
            if values[2] is None:
                values[3] = gettext("entered by hand")
            yield values

    return Table(kind="provenance", title=gettext("Where each invoice came from"),
                 columns=columns, rows=rows())  # fmt: skip


def _readme(report: str, table: Table, filters: InvoiceFilters, income: bool = False) -> str:
    lines = [
        f"# {table.title}",
        "",
        gettext(
            "Exported from Insyn on %(time)s (UTC).",
            time=table.created_at.strftime("%Y-%m-%d %H:%M"),
        ),  # fmt: skip
        "",
        "## " + gettext("What is in this pack"),
        "",
        "- `report.xlsx`: " + gettext("the report as on the page, with an “Om data” sheet."),
        "- `invoices.csv`: "
        + gettext(
            "every valid invoice behind the report's figures (Swedish Excel CSV: semicolons, "
            "decimal commas, UTF-8 with BOM)."
        ),
        "- `provenance.csv`: "
        + gettext(
            "for each of those invoices, the import batch, file, sheet and row it came from, "
            "with the file's SHA-256, or that it was entered by hand."
        ),
        *(
            [
                "- `income.csv`: "
                + gettext(
                    "every valid engagement behind the income: its organiser, days, the day "
                    "rate in force and the fee."
                )
            ]
            if income
            else []
        ),
        "",
        "## " + gettext("Filters and choices"),
        "",
    ]
    lines += [f"- {label}: {value}" for label, value in table.about] or ["-"]
    lines += ["", "## " + gettext("How the figures are computed"), ""]
    lines += [f"- {note}" for note in table.notes]
    lines += [
        "- "
        + gettext(
            "Each figure is the sum of the invoices in invoices.csv that share its keys (for "
            "instance vendor and year, by the date named above): filter the CSV on them and "
            "add up the amount column to check it."
        ),
        "",
        "## " + gettext("Licence"),
        "",
        table.licence or gettext("not stated"),
        "",
    ]
    return "\n".join(lines)


def write_evidence(
    stream: BinaryIO,
    report: str,
    table: Table,
    filters: InvoiceFilters,
    income: EngagementFilters | None = None,
    *,
    publication: Publication,
) -> None:
    """Write the pack for ``table`` (the report ``report`` made with ``filters``) to ``stream``
    as a zip; with ``income`` (a balance), the fee-income rows behind its income too; the
    invoice and income files under ``publication``'s licence. Large parts go through
    temporary files, so memory stays flat."""
    filters = filters.narrowed(status="active")
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with tempfile.TemporaryFile() as workbook:
            write_xlsx(table, workbook)
            workbook.seek(0)
            with archive.open("report.xlsx", "w") as member:
                while chunk := workbook.read(1 << 20):
                    member.write(chunk)
        parts = [
            ("invoices.csv", invoices_table(filters, publication=publication)),
            ("provenance.csv", provenance_table(filters)),
        ]
        if income is not None:
            active = replace(income, status="active")
            parts.append(("income.csv", engagements_table(active, publication=publication)))
        for name, part in parts:
            with archive.open(name, "w", force_zip64=True) as member:
                for chunk in csv_chunks(part, EXCEL_SV):
                    member.write(chunk.encode("utf-8"))
        archive.writestr("README.md", _readme(report, table, filters, income is not None))
