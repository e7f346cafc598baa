"""The import's report as the command line prints it, and the command's whole run."""

from __future__ import annotations

import sys
import time
from decimal import Decimal
from pathlib import Path

import click

from app.extensions import db
from app.importing.plan import Options
from app.importing.run import Report
from app.importing.run import run_import

#: Issues printed in full before "… and N more".
SHOWN_ISSUES = 25

KIND_OPTION = {"invoices": "invoices", "contracts": "contracts", "income": "engagements"}


def _text(message: str, params: dict | None) -> str:
    return message % params if params else message


def _rows(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:10])
    return shown + (f" … ({len(numbers)} in all)" if len(numbers) > 10 else "")


def _money(amount: str) -> str:
    return f"{Decimal(amount):,.2f}"


def summary_lines(report: Report) -> list[str]:
    """The report as lines of text for a terminal."""
    if report.error:
        lines = [f"{report.filename}: {_text(report.error['message'], report.error['params'])}"]
        if report.missing:
            lines.append(
                f"Say which column holds each with --column FIELD=HEADER, e.g. --column "
                f"{report.missing[0]}='…'; missing: {', '.join(report.missing)}."
            )
        return lines
    lines = [f"File:      {report.filename}" + (f" (sheet {report.sheet})" if report.sheet else "")]
    if report.hidden_sheets:
        lines.append(f"Hidden sheets, not read: {', '.join(report.hidden_sheets)}")
    mapping = (
        report.profile if report.profile != "auto" else "auto (column names matched by synonyms)"
    )
    lines.append(f"Profile:   {mapping}; {report.kind}; header on row {report.header_row}")
    lines.append(
        "Columns:   " + ", ".join(f"{field} ← {column}" for field, column in report.mapping.items())
    )
    if report.period:
        lines.append(f"Period:    every row dated {report.period} (the file has no date column)")
    lines.append(f"Rows read: {report.rows_read}")
    if report.status == "duplicate":
        earlier = report.duplicate_of
        lines.append(
            f"Already imported: this file was imported as batch {earlier['batch_id']} "
            f"on {earlier['imported_at'][:10]}; nothing was imported now."
        )
        return lines
    lines.append(
        f"Imported:  {report.imported}"
        + (f" ({report.amendments} amendments)" if report.amendments else "")
    )
    lines.append(f"Skipped as already imported: {report.already_imported}")
    lines.append(f"Rejected:  {report.rejected}")
    if report.left_out_totals:
        lines.append(f"Left out, totals rows: {_rows(report.left_out_totals)}")
    if report.left_out_blank:
        lines.append(f"Left out, blank rows: {_rows(report.left_out_blank)}")
    if report.stated_total:
        agrees = "agrees with" if report.stated_total["agrees"] else "DIFFERS from"
        lines.append(
            f"The file's own total on row {report.stated_total['row']}, "
            f"{_money(report.stated_total['amount'])}, {agrees} the sum of its rows."
        )
    if report.new_vendor_count:
        names = "; ".join(report.new_vendors[:10])
        more = f" … and {report.new_vendor_count - 10} more" if report.new_vendor_count > 10 else ""
        lines.append(f"New vendors: {report.new_vendor_count}: {names}{more}")
    for flag, count in sorted(report.flagged_ids.items()):
        example = report.flagged_examples.get(flag)
        lines.append(
            f"Org numbers kept as given ({flag}): {count}"
            + (f", e.g. {example}" if example else "")
        )
    if report.unknown_contracts:
        lines.append(
            "Contract references not in the register: " + ", ".join(report.unknown_contracts)
        )
    for currency, amount in report.totals.items():
        lines.append(f"Total {currency}: {_money(amount)}")
    for issue in report.issues[:SHOWN_ISSUES]:
        where = ", ".join(
            part
            for part in (
                f"sheet {issue['sheet']}" if issue.get("sheet") else "",
                f"row {issue['row']}" if issue.get("row") else "",
                f"column {issue['column']}" if issue.get("column") else "",
            )
            if part
        )
        lines.append(f"  {where}: {_text(issue['message'], issue['params'])}")
    if report.issue_count > SHOWN_ISSUES:
        lines.append(f"  … and {report.issue_count - SHOWN_ISSUES} more problems")
    if report.status == "rejected":
        lines.append(
            "Nothing was written. Correct the rows above, or import with --skip-invalid to import "
            "the valid rows and leave these out."
        )
    elif not report.written and report.status == "ok":
        lines.append("Dry run: nothing was written.")
    return lines


class TerminalProgress:
    """A progress bar on standard error, redrawn at most ten times a second."""

    def __init__(self) -> None:
        self.last = 0.0
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.1 and done < total:
            return
        self.last = now
        width = 30
        filled = int(width * done / total) if total else width
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} rows")
        sys.stderr.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\n")


def run_from_cli(
    path: Path, kind, profile, sheet, period, currency, skip_invalid, dry_run, columns=None
) -> int:
    """Import ``path`` as the command line asked; print the summary; return the exit code
    (0 done, 1 rows rejected and nothing written, 2 unreadable)."""
    options = Options(
        kind=KIND_OPTION.get(kind) if kind else None,
        profile=profile,
        sheet=sheet,
        period=period,
        currency=currency,
        columns=columns,
        skip_invalid=skip_invalid,
        dry_run=dry_run,
    )
    progress = TerminalProgress() if sys.stderr.isatty() else None
    try:
        report = run_import(path, path.name, options, progress)
        if report.written:
            db.session.commit()
        else:
            db.session.rollback()
    except Exception:
        db.session.rollback()
        raise
    finally:
        if progress:
            progress.close()
    for line in summary_lines(report):
        click.echo(line)
    if report.status == "unreadable":
        return 2
    if report.status == "rejected":
        return 1
    return 0
