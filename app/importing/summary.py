"""The import's report as the command line prints it, and the command's whole run."""

from __future__ import annotations

import shlex
import sys
import time
from decimal import Decimal
from pathlib import Path

import click
from flask import current_app

from app.importing import headers as header_map
from app.importing.plan import Options
from app.importing.report import Report
from app.importing.run import import_and_commit
from app.services.plausibility import PAID_BEFORE_INVOICED
from app.services.plausibility import VAT_NOT_A_RATE
from app.settings import plausibility_rules

#: Issues printed in full before "… and N more".
SHOWN_ISSUES = 25

KIND_OPTION = {"invoices": "invoices", "contracts": "contracts", "income": "engagements"}
_KIND_NAME = {value: key for key, value in KIND_OPTION.items()}


def _text(message: str, params: dict | None) -> str:
    return message % params if params else message


def _rows(numbers: list) -> str:
    shown = ", ".join(str(n) for n in numbers[:10])
    return shown + (f" … ({len(numbers)} in all)" if len(numbers) > 10 else "")


def _money(amount: str) -> str:
    return f"{Decimal(amount):,.2f}"


def currency_line(report: Report) -> str:
    """The currency and where it came from, as one line."""
    currency = report.currency or {}
    code, source, evidence = currency.get("code"), currency.get("source"), currency.get("evidence")
    where = {
        "option": "given with --currency",
        "header": f"from the amount column's header “{evidence}”",
        "title": f"from the title above the header: “{evidence}”",
        "profile": f"the profile {report.profile}'s",
        "default": "the deployment's default currency (INSYN_DEFAULT_CURRENCY); "
        "give another with --currency",
    }.get(source, source)
    line = f"Currency:  {code} ({where})"
    if currency.get("column"):
        line += f"; a row with its own currency in column {currency['column']} keeps it"
    return line


def refusal_lines(report: Report, command: list[str]) -> list[str]:
    """Everything needed to choose the columns, in one message: every column with two
    samples, each field missing or ambiguous, and the command to type."""
    kind = report.kind or "invoices"
    lines = [_text(report.error["message"], report.error["params"])]
    if report.sheet:
        lines.append(f"Sheet {report.sheet}, header on row {report.header_row}.")
    lines.append("Its columns, with two values each:")
    width = max((len(c["header"]) for c in report.columns), default=0)
    for column in report.columns:
        samples = " | ".join(column["samples"]) or "(empty)"
        read = f"  → {column['field']} (by {column['by']})" if column.get("field") else ""
        lines.append(f"  {column['letter']:>2}  {column['header']:<{width}}  {samples}{read}")
    choices: dict[str, str] = {}
    period = False
    for name in report.missing:
        described = header_map.describe(kind, name)
        if name in header_map.DATE_GROUP.get(kind, ()) and not report.dates_found:
            lines.append(
                f"No column holds dates: give the month the file covers with --period YYYY-MM "
                f"(every row is then dated its last day), or choose a column for {name}."
            )
            period = True
            continue
        lines.append(f"No column holds {name} ({described}).")
    for name, headers in report.ambiguous.items():
        described = header_map.describe(kind, name)
        lines.append(
            f"{name} ({described}) could be in any of: {', '.join(headers)}; "
            "say which (the first is the likeliest)."
        )
    choices.update(report.suggested)
    if choices or period:
        suggestion = list(command)
        for name, header in choices.items():
            suggestion += ["--column", f"{name}={header}"]
        if period:
            suggestion += ["--period", "YYYY-MM"]
        unplaced = [n for n in report.missing if n not in choices and not period]
        line = "Import with: " + _shell(suggestion)
        if unplaced:
            line += f" (and say where {', '.join(unplaced)} is)"
        lines.append(line)
    else:
        lines.append("Say which column holds each with --column FIELD=HEADER.")
    return lines


def _shell(words: list[str]) -> str:
    """A command as typed in a shell: ``--column FIELD=HEADER`` with only the header quoted
    where it needs to be."""
    shown = []
    for word in words:
        field, sep, header = word.partition("=")
        if sep and field.isidentifier() and shown and shown[-1] == "--column":
            shown.append(f"{field}={shlex.quote(header)}")
        else:
            shown.append(shlex.quote(word))
    return " ".join(shown)


def _sheet_lines(report: Report) -> list[str]:
    lines = []
    if len(report.sheets) > 1:
        shown = ", ".join(f"{s['sheet']} ({s['rows']} rows)" for s in report.sheets)
        lines.append(f"Sheets:    {len(report.sheets)} read in one batch: {shown}")
    for sheet in report.sheets:
        if len(sheet["tables"]) > 1:
            where = f"sheet {sheet['sheet']}: " if sheet["sheet"] else ""
            lines.append(
                f"Tables:    {where}{len(sheet['tables'])} tables, headers on rows "
                + ", ".join(str(r) for r in sheet["tables"])
            )
    layout = [o["sheet"] for o in report.other_sheets if o["reason"] == "layout"]
    if layout:
        lines.append(
            f"Sheets in another layout, not read: {', '.join(layout)} "
            "(import one with --sheet NAME)"
        )
    bare = [o["sheet"] for o in report.other_sheets if o["reason"] == "no table"]
    if bare:
        lines.append(f"Sheets with no table, not read: {', '.join(bare)}")
    for other in report.other_sheets:
        if other["reason"] == "imported":
            lines.append(
                f"Sheet {other['sheet'] or '(the file)'} was imported before (batch "
                f"{other['batch_id']}, {other['imported_at'][:10]}); not read again"
            )
    if report.hidden_sheets:
        lines.append(f"Hidden sheets, not read: {', '.join(report.hidden_sheets)}")
    return lines


def summary_lines(report: Report, command: list[str] | None = None) -> list[str]:
    """The report as lines of text for a terminal; ``command`` is the command that was run
    (without ``--column`` choices), for the suggestion a refusal makes."""
    if report.error:
        if report.columns or report.missing or report.ambiguous:
            return refusal_lines(report, command or ["insyn", "import", report.filename])
        return [f"{report.filename}: {_text(report.error['message'], report.error['params'])}"]
    sheet = f" (sheet {report.sheet})" if report.sheet else ""
    lines = [f"File:      {report.filename}{sheet}", *_sheet_lines(report)]
    mapping = (
        report.profile
        if report.profile != "auto"
        else "auto (columns recognised by name and content)"
    )
    lines.append(f"Profile:   {mapping}; {report.kind}; header on row {report.header_row}")
    lines.append(
        "Columns:   "
        + ", ".join(
            f"{name} ← {column}"
            + (" (by content)" if report.found_by.get(name) == "content" else "")
            for name, column in report.mapping.items()
        )
    )
    if report.currency:
        lines.append(currency_line(report))
    if report.period:
        lines.append(f"Period:    every row dated {report.period} (the file has no date column)")
    if "year" in report.mapping:
        lines.append(
            "Dates:     a row without a date of its own is dated the last day of its "
            + ("month" if "month" in report.mapping else "year")
            + f" (column {report.mapping['year']})"
        )
    lines.append(f"Rows read: {report.rows_read}")
    if report.status == "duplicate":
        earlier = report.duplicate_of
        lines.append(
            f"Already imported: this file was imported as batch {earlier['batch_id']} "
            f"on {earlier['imported_at'][:10]}; nothing was imported now."
        )
        return lines
    lines += _outcome_lines(report, command)
    return lines


def _outcome_lines(report: Report, command: list[str] | None = None) -> list[str]:
    lines = [
        f"Imported:  {report.imported}"
        + (f" ({report.amendments} amendments)" if report.amendments else ""),
        f"Skipped as already imported: {report.already_imported}",
        f"Rejected:  {report.rejected}",
    ]
    if report.left_out_totals:
        lines.append(f"Left out, totals rows: {_rows(report.left_out_totals)}")
    if report.left_out_blank:
        lines.append(f"Left out, blank rows: {_rows(report.left_out_blank)}")
    if report.left_out_notes:
        lines.append(f"Left out, rows with no name, amount or date: {_rows(report.left_out_notes)}")
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
    if report.new_spellings:
        lines.append(
            f"Other spellings kept (vendors found by organisation number): {report.new_spellings}"
        )
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
        lines += _acceptable(report, command)
    elif not report.written and report.status == "ok":
        lines.append("Dry run: nothing was written.")
    return lines


#: The refusals a person importing may overrule, with the --accept value that does it and
#: what it means.
_DOUBTS = {
    PAID_BEFORE_INVOICED: ("prepaid", "payments dated before their invoice were made in advance"),
    VAT_NOT_A_RATE: ("vat", "the VAT is as the invoices say"),
}


def doubts_in(issues: list[dict]) -> list[str]:
    """The doubts among a refusal's issues that the person importing may confirm
    (``--accept``): "prepaid", "vat"."""
    return sorted(
        {_DOUBTS[issue["message"]][0] for issue in issues if issue.get("message") in _DOUBTS}
    )


def _acceptable(report, command: list[str] | None) -> list[str]:
    """For a refusal that holds doubts only the file's publisher can settle (a payment in
    advance, an unusual VAT): how to confirm that the file is right."""
    found = {
        _DOUBTS[issue["message"]] for issue in report.issues if issue.get("message") in _DOUBTS
    }
    lines = []
    for doubt, meaning in sorted(found):
        suggestion = " ".join(shlex.quote(part) for part in [*(command or []), "--accept", doubt])
        lines.append(f"If the file is right ({meaning}), import it as it is: {suggestion}")
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


def deployment_options(**chosen) -> Options:
    """Import options with the running application's settings (see
    :meth:`Options.with_settings`)."""
    return Options.with_settings(current_app.config, plausibility_rules(), **chosen)


def run_from_cli(
    path: Path,
    kind,
    profile,
    sheet,
    period,
    currency,
    skip_invalid,
    dry_run,
    columns=None,
    accept: tuple[str, ...] = (),
) -> int:
    """Import ``path`` as the command line asked; print the summary; return the exit code
    (0 done, 1 rows or columns refused and nothing written, 2 unreadable)."""
    options = deployment_options(
        kind=KIND_OPTION.get(kind) if kind else None,
        profile=profile,
        sheet=sheet,
        period=period,
        currency=currency,
        columns=columns,
        skip_invalid=skip_invalid,
        dry_run=dry_run,
        accept=accept,
    )
    progress = TerminalProgress() if sys.stderr.isatty() else None
    try:
        report = import_and_commit(path, path.name, options, progress)
    finally:
        if progress:
            progress.close()
    for line in summary_lines(report, _command(path, options)):
        click.echo(line)
    if report.status == "unreadable":
        return 2
    if report.status == "rejected":
        return 1
    if report.status == "busy":
        return 3  # the database was busy: nothing changed, and the same command will do
    return 0


def _command(path: Path, options: Options) -> list[str]:
    """The command as run, for a refusal's suggestion (the columns chosen so far included)."""
    command = ["insyn", "import", str(path)]
    if options.kind:
        command += ["--kind", _KIND_NAME.get(options.kind, options.kind)]
    for flag, value in (
        ("--profile", options.profile if options.profile != "auto" else None),
        ("--sheet", options.sheet),
        ("--period", options.period),
        ("--currency", options.currency),
    ):
        if value:
            command += [flag, value]
    for name, header in (options.columns or {}).items():
        command += ["--column", f"{name}={header}"]
    for doubt in options.accept:
        command += ["--accept", doubt]
    return command
