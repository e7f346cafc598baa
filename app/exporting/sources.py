"""Where an export's rows came from: the import batches behind a set of invoices, counted in
SQL, and the filters every export states."""

from __future__ import annotations

import sqlalchemy as sa

from app.exporting.about import describe_filters
from app.exporting.table import Source
from app.extensions import db
from app.models import ImportBatch
from app.models import Invoice
from app.services.invoice_filters import InvoiceFilters
from app.services.invoice_filters import apply_filters


def invoice_sources(filters: InvoiceFilters) -> list[Source]:
    """The import batches that gave the invoices ``filters`` selects, with how many each gave
    (invoices entered by hand have no batch and are not listed)."""
    counted = (
        apply_filters(sa.select(Invoice.import_batch_id, sa.func.count()), filters)
        .where(Invoice.import_batch_id.is_not(None))
        .group_by(Invoice.import_batch_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(ImportBatch, counted.c[1])
        .join(counted, counted.c.import_batch_id == ImportBatch.id)
        .order_by(ImportBatch.imported_at)
    )
    return [
        Source(batch.id, batch.filename, batch.sha256, batch.imported_at, count)
        for batch, count in rows
    ]


def filters_about(filters: InvoiceFilters) -> list[tuple[str, str]]:
    """The filters as (label, value) pairs for an export's "Om data"."""
    return [(text.label, text.value) for text in describe_filters(filters)]
