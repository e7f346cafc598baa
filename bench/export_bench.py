"""How fast Insyn exports a million invoices, against the bare writers, and in how much memory.

Takes (or builds) the SQLite database of ``report_bench.py``: made by Insyn's migrations,
holding N generated invoices from about 2,000 vendors (``bench/invoice_data.py``), cached
under ``bench/out/`` by row count. Then writes every invoice (``insyn export invoices``: no
filters, voided ones included, newest first) as XLSX, CSV and JSON, each twice, each time in
a fresh process:

- **app**: in an app context, ``invoices_table(InvoiceFilters(), publication=…)`` (built
  from the app's configuration, as the command builds it) and then ``write_xlsx``,
  ``write_csv`` (the ``excel-sv`` dialect, the default) or ``write_json`` to a file. That is
  all the command does after parsing its options: the rows are streamed on the session's
  connection (``yield_per``), the totals per currency and the import batches behind the rows
  are queried, each cell goes through the column kind's formatting (number formats and styled
  cells, text made inert and cleaned of control characters, decimal commas, ISO dates), and
  the workbook gets its "Om data" sheet.
- **bare**: the same SELECT (``invoice_rows_select``, the app's SQL) executed on the app's
  engine through SQLAlchemy Core with the same ``yield_per``, so the fetch and the columns'
  type conversion (whole öre to ``Decimal``, ISO text to dates) are the same on both sides;
  then a hand-written loop makes each row's cells as the app's files hold them (gross =
  net + VAT, no org number for a private person, contract reference or else title, a voided
  time in UTC) and writes them with the library alone:

  - XLSX: openpyxl write-only, ``append`` of plain values (no styles, number formats, widths,
    frozen header, autofilter, totals or second sheet);
  - CSV: ``csv.writer`` with ``;`` and CRLF on a UTF-8 text file with a byte-order mark;
    amounts ``str(Decimal)`` with a decimal comma, dates ``isoformat()`` (no formula guard);
  - JSON: ``json.dumps`` of one object per row (amounts ``str(Decimal)``, ISO dates) inside
    an array, one row a line (no head, totals or sources).

Both sides start alike (interpreter, the app's imports, ``create_app``) and that start is
not timed: a side's time runs from before the export's first query to the closed file. Peak
memory is each process's own high-water mark of resident memory, read at its end, start-up
included (``VmHWM`` on Linux; ``getrusage``'s ``ru_maxrss`` would also carry over the peak of
this script, which starts the processes). After the runs the bare CSV and JSON files are
checked to hold byte for byte the same rows as the app's (their headers differ); the
workbooks' cells are compared as well at sizes up to 200,000 rows (read back with
python-calamine, which holds a whole sheet).

With ``--runs R`` each export runs R times, app and bare in turn, and the table shows the
medians (and the largest peaks). To show that memory does not grow with the rows it also
runs a smaller size (``--small``) and prints both tables. The targets: XLSX at most 1.3 times
and CSV at most 1.5 times the bare writer (JSON has no target; its ratio is shown), and every
export's peak below 300 MB. It measures; it asserts nothing.

    .venv/bin/python bench/export_bench.py [--rows N] [--small N] [--runs R] [--rebuild]
    .venv/bin/python bench/export_bench.py --rows 100000 --profile xlsx
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from import_bench import code_version
from report_bench import sqlite_database

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FORMATS = ("xlsx", "csv", "json")
#: The targets: the app's time at most this many times the bare writer's…
TARGETS = {"xlsx": 1.3, "csv": 1.5}
#: …and every export's peak resident memory below this, in MB, whatever the row count.
MAX_PEAK_MB = 300
#: Sizes up to this many rows have their workbooks compared cell by cell.
XLSX_CHECK_ROWS = 200_000
#: The bare files' header: the app's column keys (the app heads its columns with labels).
KEYS = (
    "id",
    "invoice_number",
    "vendor",
    "vendor_org_number",
    "invoiced_on",
    "paid_on",
    "net_amount",
    "vat_amount",
    "gross_amount",
    "currency",
    "hours",
    "contract",
    "category",
    "department",
    "description",
    "voided_on",
    "void_reason",
    "import_batch",
    "source_row",
)


# --- one export, in a process of its own ---------------------------------------------------


def _app(url: str):
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "export-bench"})


def app_export(fmt: str, path: Path) -> None:
    """What ``insyn export invoices --format FMT`` does once its options are parsed."""
    from flask import current_app

    from app.exporting.csv_files import EXCEL_SV
    from app.exporting.csv_files import write_csv
    from app.exporting.json_files import write_json
    from app.exporting.lists import invoices_table
    from app.exporting.opendata import publication_from
    from app.exporting.xlsx import write_xlsx
    from app.services.invoice_filters import InvoiceFilters

    table = invoices_table(InvoiceFilters(), publication=publication_from(current_app.config))
    with path.open("wb") as stream:
        if fmt == "xlsx":
            write_xlsx(table, stream)
        elif fmt == "csv":
            write_csv(table, stream, EXCEL_SV)
        else:
            write_json(table, stream)


def bare_rows():
    """The app's SELECT on the app's engine, through SQLAlchemy Core, streamed as the app
    streams it."""
    from app.exporting.lists import FETCH
    from app.exporting.lists import invoice_rows_select
    from app.extensions import db
    from app.services.invoice_filters import InvoiceFilters

    statement = invoice_rows_select(InvoiceFilters())
    with db.engine.connect() as connection:
        yield from connection.execute(statement.execution_options(yield_per=FETCH))


def bare_xlsx(path: Path) -> None:
    from openpyxl import Workbook

    utc = dt.UTC
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Invoices")
    sheet.append(KEYS)
    append = sheet.append
    for (id_, number, vendor, org, private, invoiced, paid, net, vat, currency, hours,
         reference, title, category, department, description, voided, reason, batch,
         source_row) in bare_rows():  # fmt: skip
        append(
            (id_, number, vendor, None if private else org, invoiced, paid, net, vat,
             net + vat, currency, hours, reference or title, category, department, description,
             None if voided is None else voided.astimezone(utc).replace(tzinfo=None),
             reason, batch, source_row)
        )  # fmt: skip
    workbook.save(path)


def bare_csv(path: Path) -> None:
    import csv

    utc = dt.UTC
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(KEYS)
        writerow = writer.writerow
        for (id_, number, vendor, org, private, invoiced, paid, net, vat, currency, hours,
             reference, title, category, department, description, voided, reason, batch,
             source_row) in bare_rows():  # fmt: skip
            writerow(
                (id_, number, vendor, None if private else org, invoiced.isoformat(),
                 None if paid is None else paid.isoformat(), str(net).replace(".", ","),
                 str(vat).replace(".", ","), str(net + vat).replace(".", ","), currency,
                 None if hours is None else str(hours).replace(".", ","), reference or title,
                 category, department, description,
                 None if voided is None
                 else voided.astimezone(utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                 reason, batch, source_row)
            )  # fmt: skip


def bare_json(path: Path) -> None:
    utc = dt.UTC
    dumps = json.dumps
    with path.open("w", encoding="utf-8") as handle:
        write = handle.write
        write("[")
        separator = "\n"
        for (id_, number, vendor, org, private, invoiced, paid, net, vat, currency, hours,
             reference, title, category, department, description, voided, reason, batch,
             source_row) in bare_rows():  # fmt: skip
            write(separator)
            write(
                dumps(
                    {"id": id_, "invoice_number": number, "vendor": vendor,
                     "vendor_org_number": None if private else org,
                     "invoiced_on": invoiced.isoformat(),
                     "paid_on": None if paid is None else paid.isoformat(),
                     "net_amount": str(net), "vat_amount": str(vat),
                     "gross_amount": str(net + vat), "currency": currency,
                     "hours": None if hours is None else str(hours),
                     "contract": reference or title, "category": category,
                     "department": department, "description": description,
                     "voided_on": None if voided is None
                     else voided.astimezone(utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                     "void_reason": reason, "import_batch": batch, "source_row": source_row},
                    ensure_ascii=False,
                )
            )  # fmt: skip
            separator = ",\n"
        write("\n]\n")


BARE = {"xlsx": bare_xlsx, "csv": bare_csv, "json": bare_json}


def _peak_mb() -> float:
    """This process's peak resident memory so far, in MB: the high-water mark of its own
    memory (``VmHWM``) where Linux gives it, else ``getrusage``'s ``ru_maxrss``. The latter
    carries over the peak of the process that started this one (the kernel keeps the larger
    across fork and exec), which here is the benchmark itself, grown by comparing files."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024**2 if sys.platform == "darwin" else peak / 1024  # bytes or KiB


def one(fmt: str, side: str, url: str, path: Path) -> dict:
    """Run one export in this process: start the app (not timed), export, report."""
    app = _app(url)
    with app.app_context():
        start_mb = _peak_mb()
        started = time.perf_counter()
        if side == "app":
            app_export(fmt, path)
        else:
            BARE[fmt](path)
        seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "bytes": path.stat().st_size,
        "start_mb": start_mb,
        "peak_mb": _peak_mb(),
    }


# --- the runs ------------------------------------------------------------------------------


@dataclass
class Measured:
    fmt: str
    app: list[dict] = field(default_factory=list)
    bare: list[dict] = field(default_factory=list)
    check: str = ""

    def seconds(self, side: str) -> float:
        return statistics.median(run["seconds"] for run in getattr(self, side))

    def peak(self, side: str) -> float:
        return max(run["peak_mb"] for run in getattr(self, side))

    def start(self, side: str) -> float:
        return max(run["start_mb"] for run in getattr(self, side))

    @property
    def ratio(self) -> float:
        return self.seconds("app") / self.seconds("bare")


def child(fmt: str, side: str, url: str, path: Path) -> dict:
    """One export in a fresh interpreter (this script with ``--one``)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--one", fmt, "--side", side,
               "--url", url, "--output", str(path)]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise SystemExit(f"{side} {fmt} export failed (exit {done.returncode}):\n"
                         f"{done.stdout}{done.stderr}")  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(rows: int, url: str, runs: int, scratch: Path) -> list[Measured]:
    results = []
    for fmt in FORMATS:
        measured = Measured(fmt)
        app_path, bare_path = scratch / f"app-{rows}.{fmt}", scratch / f"bare-{rows}.{fmt}"
        for run in range(runs):
            print(f"  {rows:,} rows, {fmt}, run {run + 1} of {runs}: app …", end="", flush=True)
            measured.app.append(child(fmt, "app", url, app_path))
            print(" bare …", end="", flush=True)
            measured.bare.append(child(fmt, "bare", url, bare_path))
            print(
                f" {measured.app[-1]['seconds']:.2f} s / {measured.bare[-1]['seconds']:.2f} s",
                flush=True,
            )
        measured.check = same_rows(fmt, app_path, bare_path, rows)
        app_path.unlink()
        bare_path.unlink()
        results.append(measured)
    return results


# --- the files hold the same rows ----------------------------------------------------------


def same_rows(fmt: str, app_path: Path, bare_path: Path, rows: int) -> str:
    """Whether the bare file holds the app's rows: CSV and JSON byte for byte, line by line
    (header and the app's totals and head left aside); workbooks cell by cell at small
    sizes."""
    if fmt == "xlsx":
        if rows > XLSX_CHECK_ROWS:
            return f"cells not compared above {XLSX_CHECK_ROWS:,} rows"
        return _same_cells(app_path, bare_path, rows)
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
    newline = "" if fmt == "csv" else None
    with (
        app_path.open(encoding=encoding, newline=newline) as app_file,
        bare_path.open(encoding=encoding, newline=newline) as bare_file,
    ):
        next(app_file)
        next(bare_file)
        for number in range(1, rows + 1):
            app_line, bare_line = next(app_file, None), next(bare_file, None)
            if app_line != bare_line or app_line is None:
                return f"ROW {number} DIFFERS: app {app_line!r}, bare {bare_line!r}"
    return f"same {rows:,} rows, byte for byte"


def _same_cells(app_path: Path, bare_path: Path, rows: int) -> str:
    import python_calamine

    def sheet_rows(path: Path):
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        return workbook.get_sheet_by_index(0).iter_rows()

    app_rows, bare_rows_ = sheet_rows(app_path), sheet_rows(bare_path)
    next(app_rows)
    next(bare_rows_)
    for number in range(1, rows + 1):
        app_row, bare_row = next(app_rows, None), next(bare_rows_, None)
        if app_row != bare_row or app_row is None:
            return f"ROW {number} DIFFERS: app {app_row!r}, bare {bare_row!r}"
    return f"same {rows:,} rows, cell for cell"


# --- the report ----------------------------------------------------------------------------


def report(rows: int, results: list[Measured], runs: int) -> bool:
    """The table for one size; whether every target holds."""
    print()
    print(f"{rows:,} invoices ({'median of ' + str(runs) + ' runs' if runs > 1 else '1 run'}):")
    header = (
        f"  {'format':<7}{'app s':>9}{'bare s':>9}{'ratio':>8}  {'target':<20}{'holds?':<8}"
        f"{'app peak MB':>12}{'bare peak MB':>13}"
    )
    print(header)
    every = True
    for result in results:
        limit = TARGETS.get(result.fmt)
        target = f"≤ {limit}×, < {MAX_PEAK_MB} MB" if limit else f"< {MAX_PEAK_MB} MB"
        holds = result.peak("app") < MAX_PEAK_MB and (limit is None or result.ratio <= limit)
        every = every and holds
        print(
            f"  {result.fmt:<7}{result.seconds('app'):>9.2f}{result.seconds('bare'):>9.2f}"
            f"{result.ratio:>7.2f}×  {target:<20}{'yes' if holds else 'NO':<8}"
            f"{result.peak('app'):>12.0f}{result.peak('bare'):>13.0f}"
        )
    for result in results:
        size = result.app[-1]["bytes"] / 1024**2
        print(
            f"  {result.fmt}: app file {size:.1f} MB; bare rows {result.check}; peak at start "
            f"(before exporting) app {result.start('app'):.0f} MB, "
            f"bare {result.start('bare'):.0f} MB"
        )
    return every


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def profile(rows: int, url: str, fmt: str, top: int) -> None:
    """The app's export of ``fmt`` in this process under cProfile."""
    import cProfile
    import pstats

    app = _app(url)
    output = OUT / f"profile-export-{fmt}-{rows}.prof"
    with tempfile.TemporaryDirectory(dir=OUT) as scratch, app.app_context():
        profiler = cProfile.Profile()
        profiler.enable()
        app_export(fmt, Path(scratch) / f"profile.{fmt}")
        profiler.disable()
    profiler.dump_stats(output)
    print(f"{fmt} export of {rows:,} invoices under cProfile; statistics kept in "
          f"{output.relative_to(ROOT)}")  # fmt: skip
    stats = pstats.Stats(str(output))
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="invoices (default 1,000,000)")
    parser.add_argument(
        "--small",
        type=int,
        default=100_000,
        help="a smaller size run too, to show memory flat (default 100,000; 0: none)",
    )
    parser.add_argument("--runs", type=int, default=1, help="runs of each export (default 1)")
    parser.add_argument(
        "--rebuild", action="store_true", help="build the database again even if cached"
    )
    parser.add_argument("--profile", choices=FORMATS, help="profile the app's export instead")
    parser.add_argument("--top", type=int, default=30, help="functions a profile lists")
    parser.add_argument("--one", choices=FORMATS, help=argparse.SUPPRESS)
    parser.add_argument("--side", choices=("app", "bare"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.one:
        print(json.dumps(one(options.one, options.side, options.url, Path(options.output))))
        return 0
    if options.rows < 1 or options.runs < 1 or options.small < 0:
        parser.error("--rows and --runs must be at least 1, --small at least 0")
    os.environ.pop("DATABASE_URL", None)

    if options.profile:
        url, _meta = sqlite_database(options.rows, options.rebuild)
        profile(options.rows, url, options.profile, options.top)
        return 0

    sizes = [options.rows]
    if 0 < options.small < options.rows:
        sizes.insert(0, options.small)
    databases = {rows: sqlite_database(rows, options.rebuild) for rows in sizes}
    for rows, (_url, meta) in databases.items():
        state = "cached" if meta.get("cached") else "built"
        print(f"{rows:,} invoices: SQLite database ({state}), schema {meta.get('revision')}")
    print(f"Code: {code_version()}")
    print(f"Load average before: {_load()} ({os.cpu_count()} CPUs)")
    OUT.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="export-", dir=OUT))
    try:
        measured = {
            rows: measure(rows, url, options.runs, scratch)
            for rows, (url, _meta) in databases.items()
        }
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    verdicts = [report(rows, results, options.runs) for rows, results in measured.items()]
    print()
    print(f"Load average after: {_load()}")
    print("Every target holds." if all(verdicts) else "A target is MISSED (see the tables).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
