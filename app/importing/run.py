"""The whole import, the same for the CLI and the browser: plan (first pass) → records and
load (second pass) → a report of everything that happened, in one transaction.

Nothing is written when any row is invalid, unless the user chose to skip invalid rows; a
preview (``dry_run``) writes nothing at all. The caller commits (or, for a preview, rolls
back): this module only flushes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from app.audit import current_actor
from app.extensions import db
from app.importing.cells import decimal_from_ore
from app.importing.errors import ImportFileError
from app.importing.errors import Issue
from app.importing.load import BULK_THRESHOLD
from app.importing.load import InvoiceWriter
from app.importing.load import Resolver
from app.importing.plan import MissingColumnsError
from app.importing.plan import Options
from app.importing.plan import Plan
from app.importing.plan import make_plan
from app.importing.records import Findings
from app.importing.records import generic_records
from app.importing.records import invoice_records
from app.importing.register import RegisterOutcome
from app.importing.register import load_contracts
from app.importing.register import load_engagements
from app.models import AuditEvent
from app.models import ImportBatch
from app.models.base import utcnow

#: How many parsed rows the preview shows.
SAMPLE_ROWS = 10

Progress = Callable[[int, int], None]


@dataclass
class Report:
    """What an import found and did, as plain data (it is kept as JSON for the browser).

    Amounts are decimal strings per currency; rows are numbered as the spreadsheet shows them.
    """

    filename: str
    status: str = (
        "ok"  #: "ok", "rejected" (invalid rows, nothing written), "duplicate", "unreadable"
    )
    written: bool = False
    kind: str | None = None
    sheet: str | None = None
    hidden_sheets: list[str] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    profile: str | None = None
    profile_title: str | None = None
    header_row: int | None = None
    mapping: dict[str, str] = field(default_factory=dict)  #: field → the column read
    period: str | None = None
    rows_read: int = 0
    imported: int = 0
    amendments: int = 0
    already_imported: int = 0
    rejected: int = 0
    left_out_blank: list[int] = field(default_factory=list)
    left_out_totals: list[int] = field(default_factory=list)
    stated_total: dict | None = None  #: {"row": n, "amount": "…", "agrees": bool}
    new_vendors: list[str] = field(default_factory=list)
    new_vendor_count: int = 0
    new_categories: int = 0
    new_departments: int = 0
    flagged_ids: dict[str, int] = field(default_factory=dict)
    flagged_examples: dict[str, str] = field(default_factory=dict)
    unknown_contracts: list[str] = field(default_factory=list)
    totals: dict[str, str] = field(default_factory=dict)
    issues: list[dict] = field(default_factory=list)
    issue_count: int = 0
    sample: list[dict] = field(default_factory=list)
    batch_id: int | None = None
    duplicate_of: dict | None = None
    error: dict | None = None  #: {"message": msgid, "params": {...}} for an unreadable file
    #: The header's texts, for choosing other columns; and the needed fields no column was
    #: found for (a file refused for lacking them).
    headers: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    columns_chosen: bool = False  #: the user chose (some of) the columns

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def left_out(self) -> int:
        return len(self.left_out_blank) + len(self.left_out_totals)


def sha256_of(path: Path) -> tuple[str, int]:
    """The file's SHA-256 (hex) and size in bytes."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def run_import(
    path: str | Path, filename: str | None, options: Options, progress: Progress | None = None
) -> Report:
    """Import (or, with ``options.dry_run``, preview) one file.

    Returns a :class:`Report`; never raises for the file's content: an unreadable file gives
    ``status="unreadable"`` with the reason in ``error``. The caller commits when
    ``report.written`` is true and rolls back otherwise.
    """
    path = Path(path)
    report = Report(filename=filename or path.name)
    try:
        plan = make_plan(path, filename, options)
    except ImportFileError as error:
        report.status = "rejected" if isinstance(error, MissingColumnsError) else "unreadable"
        report.error = {"message": error.message, "params": _plain(error.params)}
        if isinstance(error, MissingColumnsError):
            layout = error.layout
            report.kind, report.header_row = layout["kind"], layout["header_row"]
            report.headers, report.missing = layout["headers"], layout["missing"]
            report.mapping = layout["mapping"]
        return report
    _describe(plan, report)
    sha, size = sha256_of(path)
    if plan.issues:
        _issues(report, plan.issues, len(plan.issues))
        report.status = "rejected"
        return report
    earlier = db.session.scalar(
        sa.select(ImportBatch)
        .where(
            ImportBatch.sha256 == sha,
            ImportBatch.undone_at.is_(None),
            ImportBatch.kind == plan.kind,
        )
        .order_by(ImportBatch.id)
    )
    if earlier is not None:
        report.status = "duplicate"
        report.already_imported = plan.data_rows
        report.duplicate_of = {
            "batch_id": earlier.id,
            "filename": earlier.filename,
            "imported_at": earlier.imported_at.isoformat(),
        }
        return report

    write = not options.dry_run
    findings = Findings()
    resolved = Resolver(plan, write=write).resolve()
    batch = None
    if write:
        actor = current_actor()
        batch = ImportBatch(
            filename=report.filename[:255],
            sha256=sha,
            size_bytes=size,
            sheet_name=plan.source.sheet,
            kind=plan.kind,
            profile=plan.mapping_label,
            user_id=actor.user_id,
            actor=actor.label[:300],
        )
        db.session.add(batch)
        db.session.flush()
    if plan.kind == "invoices":
        outcome = _load_invoices(plan, resolved, batch, write, findings, report, progress, options)
    elif plan.kind == "contracts":
        outcome = load_contracts(
            plan, generic_records(plan, findings), resolved, batch, write, findings
        )
    else:
        outcome = load_engagements(plan, generic_records(plan, findings), batch, write, findings)
    report.imported, report.already_imported = outcome.imported, outcome.already
    report.amendments = getattr(outcome, "amendments", 0)
    report.totals = {c: str(decimal_from_ore(v)) for c, v in sorted(outcome.totals.items())}
    report.rejected = len(findings.rejected_rows)
    _issues(report, findings.issues, findings.issue_count)
    report.new_vendors = resolved.new_vendors[:50]
    report.new_vendor_count = len(resolved.new_vendors)
    report.new_categories, report.new_departments = (
        len(resolved.new_categories),
        len(resolved.new_departments),
    )
    report.flagged_ids = dict(resolved.flagged_ids)
    report.flagged_examples = {k: v for k, v in resolved.flagged_examples.items() if v}
    report.unknown_contracts = sorted(resolved.unknown_contracts)[:20]
    if plan.stated_total and plan.kind == "invoices":
        _check_stated_total(plan, report)
    if findings.issue_count and (not options.skip_invalid or not report.imported):
        # Invalid rows and no leave to skip them; or nothing valid left to import.
        report.status = "rejected"
        return report
    if write:
        batch.row_count = outcome.imported
        batch.counts = {
            "read": report.rows_read,
            "imported": report.imported,
            "amendments": report.amendments,
            "already_imported": report.already_imported,
            "rejected": report.rejected,
            "left_out": report.left_out,
            "new_vendors": report.new_vendor_count,
            # How each field was read: part of the provenance of every row.
            "columns": report.mapping,
            "columns_chosen": report.columns_chosen,
        }
        batch.totals = report.totals
        db.session.flush()
        _audit_batch(batch, report)
        report.batch_id = batch.id
        report.written = True
    return report


def _load_invoices(
    plan: Plan,
    resolved,
    batch,
    write: bool,
    findings: Findings,
    report: Report,
    progress: Progress | None,
    options: Options,
):
    writer = InvoiceWriter(plan, resolved, batch.id if batch else None, write)
    bulk = write and plan.data_rows >= BULK_THRESHOLD
    if bulk:
        writer.drop_indexes()
    done = 0
    stop_writing = False
    try:
        for chunk in invoice_records(plan, findings):
            if len(report.sample) < SAMPLE_ROWS:
                report.sample.extend(_sample(chunk[: SAMPLE_ROWS - len(report.sample)]))
            if findings.issue_count and not options.skip_invalid:
                # Nothing will be written: keep reading to report every problem.
                stop_writing = True
            if stop_writing:
                writer.write = False
            writer.add(chunk)
            done += len(chunk)
            if progress:
                progress(done + len(findings.rejected_rows), plan.data_rows)
    finally:
        if bulk:
            writer.restore_indexes()
    if progress:
        progress(plan.data_rows, plan.data_rows)
    outcome = RegisterOutcome()
    outcome.imported, outcome.already = writer.imported, writer.already
    outcome.totals.update(writer.totals)
    return outcome


def _sample(chunk) -> list[dict]:
    from app.importing import records as r

    rows = []
    for record in chunk:
        rows.append(
            {
                "row": record[r.I_ROW],
                "vendor": str(record[r.I_VENDOR][0]).strip(),
                "org_number": str(record[r.I_VENDOR][1] or "").strip(),
                "invoice_number": record[r.I_NUMBER],
                "invoiced_on": record[r.I_INVOICED].isoformat() if record[r.I_INVOICED] else None,
                "paid_on": record[r.I_PAID].isoformat() if record[r.I_PAID] else None,
                "net_amount": str(decimal_from_ore(record[r.I_NET])),
                "currency": record[r.I_CURRENCY],
                "category": str(record[r.I_CATEGORY] or "").strip() or None,
                "department": str(record[r.I_DEPARTMENT] or "").strip() or None,
                "description": record[r.I_DESCRIPTION],
            }
        )
    return rows


def _describe(plan: Plan, report: Report) -> None:
    source = plan.source
    report.kind = plan.kind
    report.sheet = source.sheet
    report.hidden_sheets = source.hidden_sheets
    report.encoding, report.delimiter = source.encoding, source.delimiter
    report.profile = plan.mapping_label
    report.profile_title = plan.profile.title if plan.profile else None
    report.header_row = plan.header_row
    report.mapping = {name: plan.headers[index] for name, index in plan.columns.items()}
    report.headers = [h for h in plan.headers if h]
    report.columns_chosen = bool(plan.options.columns)
    report.period = plan.period.isoformat() if plan.period else None
    report.rows_read = plan.data_rows
    report.left_out_blank = plan.left_out.blank
    report.left_out_totals = plan.left_out.totals


def _issues(report: Report, issues: list[Issue], count: int) -> None:
    report.issue_count = count
    report.issues = [
        {
            "message": i.message,
            "params": _plain(i.params),
            "row": i.row,
            "column": i.column,
            "sheet": i.sheet,
        }
        for i in issues
    ]


def _check_stated_total(plan: Plan, report: Report) -> None:
    """Compare a totals row's amount with the sum of the rows (when all are in one currency)."""
    row, cell = plan.stated_total
    try:
        stated = plan.amounts["net_amount"].read(cell)
    except (ValueError, KeyError):
        return
    computed = None
    if len(report.totals) == 1 and not report.already_imported and not report.rejected:
        computed = int(Decimal(next(iter(report.totals.values()))).scaleb(2))
    report.stated_total = {
        "row": row,
        "amount": str(decimal_from_ore(stated)),
        "agrees": computed == stated,
    }


def _audit_batch(batch: ImportBatch, report: Report) -> None:
    """One audit event for the batch: who imported what, and what it became. (The invoices it
    wrote went in at the driver level, row by row they point at this batch.)"""
    actor = current_actor()
    db.session.execute(
        sa.insert(AuditEvent),
        [
            {
                "occurred_at": utcnow(),
                "actor_id": actor.user_id,
                "actor": actor.label[:300],
                "origin": actor.origin,
                "record_type": "import_batches",
                "record_id": batch.id,
                "record_label": batch.filename[:400],
                "action": "insert",
                "record_version": None,
                "changes": {
                    "kind": [None, batch.kind],
                    "sha256": [None, batch.sha256],
                    "profile": [None, batch.profile],
                    "sheet_name": [None, batch.sheet_name],
                    "rows": [None, batch.row_count],
                    "totals": [None, batch.totals],
                },
            }
        ],
    )


def _plain(params: dict) -> dict:
    return {
        k: (v if isinstance(v, int | float | str | type(None)) else str(v))
        for k, v in params.items()
    }
