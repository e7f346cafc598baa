"""The whole import, the same for the CLI and the browser: plan (first pass) → records and
load (second pass) → a report of everything that happened, in one transaction.

Nothing is written when any row is invalid, unless the user chose to skip invalid rows; a
preview (``dry_run``) writes nothing at all. :func:`run_import` only flushes; the edges (the
command, the job runner) call :func:`import_and_commit`, which commits once after the whole
file, or rolls back.

Two imports of one file at the same moment cannot both write it: on PostgreSQL imports take
a transaction-level advisory lock before checking what was imported, so the second waits for
the first and then finds it; on SQLite the database's one write lock does the same, and the
second import is run again. Under both, the database holds each file's sheet for one standing
batch only (a unique key on ``import_sheets``).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import time
from collections.abc import Callable
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import sqlalchemy as sa

from app.audit import current_actor
from app.extensions import db
from app.importing.cells import decimal_from_ore
from app.importing.errors import ImportFileError
from app.importing.first_pass import make_plan
from app.importing.load import BULK_THRESHOLD
from app.importing.load import InvoiceWriter
from app.importing.plan import Options
from app.importing.plan import Plan
from app.importing.records import Findings
from app.importing.records import generic_records
from app.importing.records import invoice_records
from app.importing.refusal import MissingColumnsError
from app.importing.register import RegisterOutcome
from app.importing.register import load_contracts
from app.importing.register import load_engagements
from app.importing.report import Report
from app.importing.report import add_issues
from app.importing.report import check_stated_total
from app.importing.report import describe
from app.importing.report import plain
from app.importing.report import sample_rows
from app.importing.resolve import Resolver
from app.models import AuditEvent
from app.models import ImportBatch
from app.models import ImportSheet
from app.models.base import utcnow
from app.models.sqlite import page_cache
from app.money import N_
from app.services import flag_store
from app.services import summaries

#: How many parsed rows the preview shows.
SAMPLE_ROWS = 10
#: The advisory lock every import takes on PostgreSQL ("Insyn" in ASCII).
IMPORT_LOCK = 0x496E73796E
#: How often an import that met another one writing the same file is run again, and the
#: longest pause between two tries, in seconds (about a minute in all).
ATTEMPTS = 12
MAX_PAUSE = 8.0

#: The pages of the database an import into a table with rows keeps in memory on SQLite, in
#: MiB (the default is 2): 100,000 rows into a table of a million invoices went in about a
#: tenth faster with 32 MiB (as fast as with 64), a million into ten million about 7 %
#: faster, for about 60 MB more at the import's peak (``bench/import_full_bench.py``). Into
#: an empty table it saved nothing.
IMPORT_CACHE_MIB = 32

Progress = Callable[[int, int], None]


class ImportRace(Exception):
    """Another import wrote (or is writing) the same file's sheets, or (``locked``) another
    writer held the database past the busy timeout: run this one again."""

    def __init__(self, locked: bool = False) -> None:
        super().__init__()
        self.locked = locked


def sha256_of(path: Path) -> tuple[str, int]:
    """The file's SHA-256 (hex) and size in bytes."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def imported_sheets(sha: str, kind: str, sheets: list[str]) -> dict[str, dict]:
    """The sheets of the file with checksum ``sha`` that a standing batch imported as
    ``kind``: sheet ("" for a text file) → {"batch_id", "filename", "imported_at", "rows"}."""
    found: dict[str, dict] = {}
    for sheet, batch_id, filename, imported_at, rows in db.session.execute(
        sa.select(
            ImportSheet.sheet,
            ImportBatch.id,
            ImportBatch.filename,
            ImportBatch.imported_at,
            ImportSheet.rows,
        )
        .join(ImportBatch, ImportSheet.batch_id == ImportBatch.id)
        .where(
            ImportSheet.sha256 == sha,
            ImportSheet.kind == kind,
            ImportSheet.sheet.in_(sheets),
            ImportSheet.is_live.is_(True),
        )
        .order_by(ImportBatch.id)
    ):
        found.setdefault(
            sheet,
            {
                "batch_id": batch_id,
                "filename": filename,
                "imported_at": imported_at.isoformat(),
                "rows": rows,
            },
        )
    return found


def import_and_commit(
    path: str | Path, filename: str | None, options: Options, progress: Progress | None = None
) -> Report:
    """:func:`run_import`, then commit what it wrote (or roll back a preview, a refusal);
    run again when another import was writing the same file at the same moment. The edges
    (the command, the job runner) call this; it commits once, after the whole file."""
    report = None
    locked = False
    for attempt in range(ATTEMPTS):
        try:
            report = run_import(path, filename, options, progress)
        except ImportRace as race:
            locked = race.locked
            # The other import is still writing (SQLite tells at once): wait for it to end.
            db.session.rollback()
            time.sleep(min(0.25 * 2**attempt, MAX_PAUSE))
            continue
        except BaseException:
            # A lost connection fails the rollback too: the error that ended the import is
            # the one to tell, not the rollback's "the connection is closed".
            with contextlib.suppress(sa.exc.SQLAlchemyError):
                db.session.rollback()
            raise
        if report.written:
            db.session.commit()
        else:
            db.session.rollback()
        return report
    report = Report(filename=filename or Path(path).name, status="busy")
    if locked:
        message = N_(
            "The database was kept busy by other writes while %(file)s waited to be "
            "imported. Nothing was written; import it again in a moment."
        )
    else:
        message = N_(
            "Another import was writing %(file)s at the same time. Nothing was written; "
            "import it again when that one is done."
        )
    report.error = {"message": message, "params": {"file": report.filename}}
    return report


def run_import(
    path: str | Path, filename: str | None, options: Options, progress: Progress | None = None
) -> Report:
    """Import (or, with ``options.dry_run``, preview) one file.

    Returns a :class:`Report`; never raises for the file's content: an unreadable file gives
    ``status="unreadable"`` with the reason in ``error``. The caller commits when
    ``report.written`` is true and rolls back otherwise.

    Raises:
        ImportRace: another import holds (or just took) this file's sheets; roll back and
            run again.
    """
    path = Path(path)
    report = Report(filename=filename or path.name)
    try:
        sha, size = sha256_of(path)
        with _collector_paused():
            plan = make_plan(path, filename, options, partial(imported_sheets, sha))
    except OSError:
        report.status = "unreadable"
        report.error = {
            "message": N_("The file %(file)s cannot be opened."),
            "params": {"file": report.filename},
        }
        return report
    except ImportFileError as error:
        _refused(report, error)
        return report
    # A workbook can turn out damaged only when its rows are read, after the plan: what was
    # written up to there is undone here, so the report alone says what happened.
    savepoint = db.session.begin_nested()
    try:
        with _collector_paused():
            report = _run(plan, report, sha, size, progress)
    except ImportFileError as error:
        savepoint.rollback()
        report = Report(filename=report.filename)
        _refused(report, error)
        return report
    finally:
        plan.source.close()
    savepoint.commit()
    return report


@contextmanager
def _collector_paused():
    """Reading a file makes millions of short-lived rows and records that hold no reference
    cycles (each freed by reference counting as soon as it is read or written); the cycle
    collector would only walk them, and a workbook's parsed sheet, again and again. It is
    paused meanwhile, and resumes (when it ran before) at the end."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _refused(report: Report, error: ImportFileError) -> None:
    report.status = "rejected" if isinstance(error, MissingColumnsError) else "unreadable"
    report.error = {"message": error.message, "params": plain(error.params)}
    if isinstance(error, MissingColumnsError):
        layout = error.layout
        report.kind, report.header_row = layout["kind"], layout["header_row"]
        report.sheet = layout["sheet"]
        report.headers, report.missing = layout["headers"], layout["missing"]
        report.ambiguous, report.suggested = layout["ambiguous"], layout["suggested"]
        report.columns, report.dates_found = layout["columns"], layout["dates_found"]
        report.mapping = layout["mapping"]


def _run(plan: Plan, report: Report, sha: str, size: int, progress: Progress | None) -> Report:
    options = plan.options
    describe(plan, report)
    if plan.issues:
        add_issues(report, plan.issues, len(plan.issues))
        report.status = "rejected"
        return report
    if not plan.sheets:
        earlier = next(o for o in plan.other_sheets if o["reason"] == "imported")
        report.status = "duplicate"
        report.already_imported = sum(o.get("rows") or 0 for o in plan.other_sheets)
        report.duplicate_of = {
            "batch_id": earlier["batch_id"],
            "filename": earlier["filename"],
            "imported_at": earlier["imported_at"],
        }
        return report

    write = not options.dry_run
    batch = _claim(plan, report, sha, size) if write else None
    findings = Findings()
    resolved = Resolver(plan, write=write, batch=batch).resolve()
    if plan.kind == "invoices":
        outcome = _load_invoices(plan, resolved, batch, write, findings, report, progress)
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
    add_issues(report, findings.issues, findings.issue_count)
    report.new_vendors = resolved.new_vendors[:50]
    report.new_vendor_count = len(resolved.new_vendors)
    report.new_spellings = len(resolved.new_spellings)
    report.new_categories, report.new_departments = (
        len(resolved.new_categories),
        len(resolved.new_departments),
    )
    report.flagged_ids = dict(resolved.flagged_ids)
    report.flagged_examples = {k: v for k, v in resolved.flagged_examples.items() if v}
    report.unknown_contracts = sorted(resolved.unknown_contracts)[:20]
    if plan.stated_total and plan.kind == "invoices":
        check_stated_total(plan, report)
    if findings.issue_count and (not options.skip_invalid or not report.imported):
        # Invalid rows and no leave to skip them; or nothing valid left to import.
        report.status = "rejected"
        return report
    if write:
        _finish(batch, report)
    return report


def _claim(plan: Plan, report: Report, sha: str, size: int) -> ImportBatch:
    """Take the right to write the file's sheets: the lock, a last look at what was imported
    meanwhile, the batch and its sheets (which the database keeps to one standing batch).

    Raises:
        ImportRace: another import took them first.
    """
    try:
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(IMPORT_LOCK)))
        actor = current_actor()
        names = plan.sheet_names
        batch = ImportBatch(
            filename=report.filename[:255],
            sha256=sha,
            size_bytes=size,
            sheet_name=", ".join(names)[:255] or None,
            kind=plan.kind,
            profile=plan.mapping_label,
            user_id=actor.user_id,
            actor=actor.label[:300],
        )
        db.session.add(batch)
        db.session.flush()  # on SQLite, the first write takes the database's write lock
        sheets = [s.name or "" for s in plan.sheets]
        if imported_sheets(sha, plan.kind, sheets):
            raise ImportRace
        for sheet in plan.sheets:
            batch.sheets.append(
                ImportSheet(
                    sha256=sha, kind=plan.kind, sheet=sheet.name or "", rows=sheet.data_rows
                )
            )
        db.session.flush()
    except (sa.exc.IntegrityError, sa.exc.OperationalError) as error:
        locked = isinstance(error, sa.exc.OperationalError)
        if locked and "lock" not in str(error).lower():
            raise
        raise ImportRace(locked=locked) from None
    return batch


def _finish(batch: ImportBatch, report: Report) -> None:
    batch.row_count = report.imported
    batch.counts = {
        "read": report.rows_read,
        "imported": report.imported,
        "amendments": report.amendments,
        "already_imported": report.already_imported,
        "rejected": report.rejected,
        "left_out": report.left_out,
        "new_vendors": report.new_vendor_count,
        "new_spellings": report.new_spellings,
        # How each field was read, and the currency: part of the provenance of every row.
        "columns": report.mapping,
        "columns_chosen": report.columns_chosen,
        "found_by": report.found_by,
        "currency": report.currency,
        "sheets": report.sheets,
    }
    batch.totals = report.totals
    db.session.flush()
    _audit_batch(batch, report)
    report.batch_id = batch.id
    report.written = True


def _load_invoices(plan, resolved, batch, write, findings, report, progress):
    writer = InvoiceWriter(plan, resolved, batch.id if batch else None, write)
    # Indexes set aside only for a first large load: into a table with rows, readers go on;
    # and only by a role that may build them again.
    bulk = (
        write
        and plan.data_rows >= BULK_THRESHOLD
        and writer.into_empty_table()
        and writer.may_set_indexes_aside()
    )
    if bulk:
        writer.drop_indexes()
    # Into the indexes kept, each row lands at its own place in most of them: more of the
    # database's pages in memory spares reading and writing the same ones again and again.
    # (Set aside, they are built after in one sorted pass, which the cache does not speed.)
    kept = write and not bulk
    with page_cache(db.session.connection(), IMPORT_CACHE_MIB if kept else None):
        _add_records(plan, writer, findings, report, progress)
        if bulk:
            # Only after a whole load: a failed one is rolled back, and the indexes dropped in
            # its transaction with it (rebuilding them on a lost connection would hide why).
            writer.restore_indexes()
        written = writer.written() if write else None
        if written is not None:
            summaries.add_written(written)
            flag_store.touch_where(written)
    if progress:
        progress(plan.data_rows, plan.data_rows)
    outcome = RegisterOutcome()
    outcome.imported, outcome.already = writer.imported, writer.already
    outcome.totals.update(writer.totals)
    return outcome


def _add_records(plan, writer: InvoiceWriter, findings, report, progress) -> None:
    """Read the file's invoice records chunk by chunk and hand each to ``writer``, keeping the
    preview's sample and telling ``progress``."""
    done = 0
    try:
        for chunk in invoice_records(plan, findings):
            if len(report.sample) < SAMPLE_ROWS:
                report.sample.extend(sample_rows(chunk[: SAMPLE_ROWS - len(report.sample)]))
            if findings.issue_count and not plan.options.skip_invalid:
                # Nothing will be written: keep reading to report every problem.
                writer.write = False
            writer.add(chunk)
            done += len(chunk)
            if progress:
                progress(done + len(findings.rejected_rows), plan.data_rows)
    except BaseException:
        writer.abandon()  # a chunk may still be going in: the rollback must not meet it
        raise
    writer.finish()


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
                    "currency": [None, report.currency],
                },
            }
        ],
    )
