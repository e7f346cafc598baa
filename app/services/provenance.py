"""Where a record came from: the import batch and the row of its file."""

from __future__ import annotations


def set_provenance(record, data: dict) -> None:
    """Point a new record at ``data["import_batch"]``, ``data["source_row"]`` (1-based, as a
    spreadsheet numbers rows) and ``data["source_sheet"]`` when an import creates it; records
    entered by hand have none."""
    record.import_batch = data.get("import_batch")
    record.source_row = data.get("source_row")
    record.source_sheet = data.get("source_sheet")


def in_use(*entries) -> None:
    """Bring back any of ``entries`` (vendors, categories, departments) that the undoing of
    an import withdrew: a record uses it again, so it belongs in the lists again."""
    for entry in entries:
        if entry is not None and getattr(entry, "withdrawn_at", None) is not None:
            entry.withdrawn_at = None
