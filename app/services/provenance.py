"""Where a record came from: the import batch and the row of its file."""

from __future__ import annotations


def set_provenance(record, data: dict) -> None:
    """Point a new record at ``data["import_batch"]`` and ``data["source_row"]`` (1-based, as a
    spreadsheet numbers rows) when an import creates it; records entered by hand have none."""
    record.import_batch = data.get("import_batch")
    record.source_row = data.get("source_row")
