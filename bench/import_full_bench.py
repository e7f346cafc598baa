"""An import into invoices that already hold many rows, against the same import into an empty
table; and how fast a reader's totals page answers meanwhile.

Into an empty table a large import sets the invoices' indexes aside and builds them after the
load; into a table with rows it keeps them (and its foreign keys), so that no reader waits
for it. This measures what keeping them costs, and that readers go on:

- the file: N rows of ``bench/invoice_data.py``'s ledger (its vendors, accounts and
  committees), each invoice number given a suffix so that none is one of the rows already
  there, as a Swedish CSV in ``bench/out/more-invoices-N.csv`` (kept for later runs);
- into empty: ``insyn import FILE`` into a database just made by the migrations;
- into full: the same into a copy of ``report_bench.py``'s database of M invoices (the same
  vendors, categories and departments; summaries filled, analysed);
- a reader: the totals by year (``GET /reports/totals?by=year``) and the front page (``GET
  /``) asked for in turn, through the app's test client in a thread of this process (on a
  connection of its own, no cached copies), ``--think`` seconds apart, a few seconds before
  the import (idle) and all through it.

It prints the two imports' wall times, their ratio against the goal (into full at most 1.5 ×
into empty), each page's p50, p95 and slowest answer idle and during each import, and the
invoices' indexes. Each import is checked afterwards: the database holds exactly the rows and
total expected, or it prints ``VERIFICATION FAILED``. Nothing is asserted.

    .venv/bin/python bench/import_full_bench.py --rows 100000 --existing 1000000
    DATABASE_URL=postgresql://postgres@127.0.0.1:55432/postgres \\
        .venv/bin/python bench/import_full_bench.py --rows 100000 --existing 1000000

With ``DATABASE_URL`` naming a PostgreSQL server the imports go into databases created there
for the run (``insyn_full_bench_<pid>_empty`` and ``…_full``, the latter loaded with COPY from
the SQLite database) and dropped after; the role needs ``CREATEDB``. With ``--partitioned``
both are partitioned by year first (``insyn db partition-invoices``, the README's step for a
region's or a country's ledgers), the full one after its rows are in: the new rows then go
into an empty partition in both (their year's in the full one, the default one in the empty
one, whose partitions start at this year). The defaults (N =
1,000,000, M = 10,000,000) are the sizes the goal is stated for; building M = 10,000,000
takes a long while and several GB.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import invoice_data
import report_bench
import sqlalchemy as sa
from import_bench import code_version

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
INSYN = Path(sys.executable).with_name("insyn")
#: Into full at most this many times into empty.
GOAL = 1.5
#: The pages the reader asks for, in turn: the totals by year and the front page.
PAGES = ("/reports/totals?by=year", "/")
#: How long the reader is timed before an import starts.
IDLE_SECONDS = 3.0


# --- the file ----------------------------------------------------------------------------------


def ledger(rows: int, dates: str = "spread") -> tuple[Path, int]:
    """The CSV of ``rows`` more invoices and their total in öre (kept in ``bench/out``).

    ``dates``: "spread" over the same fifteen years as the rows already there (each new row
    lands among old ones in every index ordered by a date), or "next-year", the year after
    them, as a municipality's next ledger would be."""
    OUT.mkdir(parents=True, exist_ok=True)
    suffix = "" if dates == "spread" else f"-{dates}"
    path = OUT / f"more-invoices-{rows}{suffix}.csv"
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists():
        known = json.loads(meta.read_text())
        if known.get("version") == invoice_data.DATA_VERSION:
            return path, known["total_ore"]
    span = {}
    if dates == "next-year":
        year = invoice_data.LAST_DAY.year + 1
        span = {"first_day": dt.date(year, 1, 1), "last_day": dt.date(year, 12, 31)}
    total = 0
    partial = path.with_suffix(".csv.partial")
    with partial.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(invoice_data.HEADERS)
        for vendor, number, day, amount, category, department in invoice_data.invoice_rows(
            rows, **span
        ):
            total += int(amount.scaleb(2))
            writer.writerow(
                (
                    vendor.name,
                    vendor.org_number,
                    f"{number}/B",  # not one of the rows already there
                    day.isoformat(),
                    invoice_data.swedish_amount(amount),
                    category,
                    department,
                )
            )
    partial.replace(path)
    meta.write_text(json.dumps({"version": invoice_data.DATA_VERSION, "total_ore": total}))
    return path, total


# --- the databases -----------------------------------------------------------------------------


class SQLiteDatabases:
    name = "SQLite"

    def __init__(self) -> None:
        OUT.mkdir(parents=True, exist_ok=True)
        self.scratch = Path(tempfile.mkdtemp(prefix="full-", dir=OUT))

    def empty(self) -> str:
        url = f"sqlite:///{self.scratch / 'empty.sqlite3'}"
        report_bench.migrate(url)
        return url

    def full(self, source_url: str) -> str:
        source = Path(sa.make_url(source_url).database)
        with sqlite3.connect(source) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        target = self.scratch / "full.sqlite3"
        shutil.copyfile(source, target)
        return f"sqlite:///{target}"

    def close(self) -> None:
        shutil.rmtree(self.scratch, ignore_errors=True)


class PostgresDatabases:
    name = "PostgreSQL"

    def __init__(self, server_url: str, partitioned: bool = False) -> None:
        from app.config import with_driver

        self.partitioned = partitioned
        if partitioned:
            self.name = "PostgreSQL, the invoices partitioned by year"
        self.server = sa.make_url(with_driver(server_url))
        self.admin = sa.create_engine(self.server, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    def _create(self, label: str) -> str:
        name = f"insyn_full_bench_{os.getpid()}_{label}"
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return self.server.set(database=name).render_as_string(hide_password=False)

    def _partition(self, url: str) -> None:
        """The README's step for a region's or a country's ledgers, when asked for: the rows
        already there moved into their years' partitions (``insyn db partition-invoices``)."""
        if not self.partitioned:
            return
        env = dict(os.environ, DATABASE_URL=url)
        subprocess.run(  # noqa: S603
            [str(INSYN), "db", "partition-invoices"], cwd=ROOT, env=env, check=True,
            capture_output=True,
        )  # fmt: skip

    def empty(self) -> str:
        url = self._create("empty")
        report_bench.migrate(url)
        self._partition(url)
        return url

    def full(self, source_url: str) -> str:
        url = self._create("full")
        report_bench.migrate(url)
        source = sa.create_engine(source_url)
        try:
            report_bench.copy_tables(source, url)
        finally:
            source.dispose()
        self._partition(url)
        report_bench.fill_summaries(url)
        engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.exec_driver_sql("VACUUM (ANALYZE)")
        finally:
            engine.dispose()
        return url

    def close(self) -> None:
        with self.admin.connect() as connection:
            for name in self.created:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.dispose()


# --- a reader ----------------------------------------------------------------------------------


@dataclass
class Reader:
    """Asks for each page in turn, again and again, ``think`` seconds apart, until stopped."""

    url: str
    think: float
    seconds: list[tuple[str, float]] = field(default_factory=list)
    failures: int = 0

    def __post_init__(self) -> None:
        from app import create_app

        # Every answer read from the database: no cached copy of the page.
        self.app = create_app(
            {"SQLALCHEMY_DATABASE_URI": self.url, "SECRET_KEY": "import-full-bench",
             "PUBLIC_CACHE_SECONDS": 0}
        )  # fmt: skip
        self.client = self.app.test_client()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        turn = 0
        while not self.stop.is_set():
            page = PAGES[turn % len(PAGES)]
            turn += 1
            started = time.perf_counter()
            status = self.client.get(page).status_code
            self.seconds.append((page, time.perf_counter() - started))
            self.failures += status != 200
            self.stop.wait(self.think)

    def measure(self, seconds: float) -> list[tuple[str, float]]:
        """The answers' times over ``seconds`` (the thread started and stopped)."""
        self.start()
        time.sleep(seconds)
        return self.finish()

    def start(self) -> None:
        self.seconds = []
        self.stop.clear()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def finish(self) -> list[tuple[str, float]]:
        self.stop.set()
        self.thread.join()
        return list(self.seconds)

    def close(self) -> None:
        from app.extensions import db

        with self.app.app_context():
            db.engine.dispose()


def percentiles(seconds: list[float]) -> str:
    if not seconds:
        return "no answer"
    ordered = sorted(seconds)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return (f"p50 {p50 * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   "
            f"slowest {ordered[-1] * 1000:7.1f} ms   ({len(ordered)} answers)")  # fmt: skip


# --- an import ---------------------------------------------------------------------------------


@dataclass
class Measured:
    label: str
    seconds: float
    idle: list[tuple[str, float]]
    during: list[tuple[str, float]]
    check: str


def counts(url: str) -> tuple[int, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return tuple(
                connection.execute(
                    sa.text("SELECT COUNT(*), COALESCE(SUM(net_amount), 0) FROM invoices")
                ).one()
            )
    finally:
        engine.dispose()


def timed_import(label: str, url: str, path: Path, rows: int, total: int, think: float):
    """``insyn import`` of ``path`` into ``url``, a reader asking meanwhile; then checked."""
    before_rows, before_total = counts(url)
    reader = Reader(url, think)
    try:
        idle = reader.measure(IDLE_SECONDS)
        env = dict(os.environ, DATABASE_URL=url)
        reader.start()
        started = time.perf_counter()
        result = subprocess.run(  # noqa: S603
            [str(INSYN), "import", str(path)], cwd=ROOT, env=env, capture_output=True, text=True
        )
        seconds = time.perf_counter() - started
        during = reader.finish()
        failures = reader.failures
    finally:
        reader.close()
    if result.returncode != 0:
        raise SystemExit(f"insyn import failed (exit {result.returncode}):\n"
                         f"{result.stdout}{result.stderr}")  # fmt: skip
    after_rows, after_total = counts(url)
    good = after_rows - before_rows == rows and int(after_total) - int(before_total) == total
    check = "rows and total as expected" if good else (
        f"VERIFICATION FAILED: {after_rows - before_rows} rows, "
        f"{int(after_total) - int(before_total)} öre"
    )  # fmt: skip
    if failures:
        check += f"; {failures} reader answers were not 200"
    return Measured(label, seconds, idle, during, check)


def indexes(url: str) -> list[str]:
    """The invoices' indexes, with their sizes on PostgreSQL."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                return [
                    f"{name:45} {size / 2**20:7.1f} MB  {definition.split(' USING ')[1]}"
                    for name, size, definition in connection.execute(
                        sa.text(
                            "SELECT indexname, pg_relation_size(indexname::regclass), indexdef"
                            " FROM pg_indexes WHERE tablename = 'invoices' ORDER BY indexname"
                        )
                    )
                ]
            return [
                f"{name:45} {sql or '(the primary key)'}"
                for name, sql in connection.execute(
                    sa.text(
                        "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
                        " AND tbl_name = 'invoices' ORDER BY name"
                    )
                )
            ]
    finally:
        engine.dispose()


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def bench(databases, rows: int, existing: int, think: float, rebuild: bool, dates: str) -> None:
    path, total = ledger(rows, dates)
    source_url, _meta = report_bench.sqlite_database(existing, rebuild)
    print(f"\n== {databases.name}: {rows:,} rows into an empty table, then into one of "
          f"{existing:,}, dated {dates} (load average {_load()})", flush=True)  # fmt: skip
    empty = timed_import("into empty", databases.empty(), path, rows, total, think)
    full_url = databases.full(source_url)
    full = timed_import(f"into {existing:,}", full_url, path, rows, total, think)
    print(f"{'import':>16}  {'seconds':>8}   the reader's answers")
    for measured in (empty, full):
        print(f"{measured.label:>16}  {measured.seconds:8.1f}   {measured.check}")
        for page in PAGES:
            for when, answers in (("idle", measured.idle), ("during", measured.during)):
                seconds = [s for p, s in answers if p == page]
                print(f"{'':>28}{page:<24} {when:>6}: {percentiles(seconds)}")
    ratio = full.seconds / empty.seconds
    verdict = "meets" if ratio <= GOAL else "MISSES"
    print(f"into full ÷ into empty: {ratio:.2f} ({verdict} the goal of ≤ {GOAL})")
    print(f"load average after: {_load()}")
    print("the invoices' indexes:")
    for line in indexes(full_url):
        print(f"  {line}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows imported (N)")
    parser.add_argument("--existing", type=int, default=10_000_000, help="rows there (M)")
    parser.add_argument("--think", type=float, default=0.1, help="the reader's pause, s")
    parser.add_argument("--rebuild", action="store_true", help="build the M rows' database again")
    parser.add_argument(
        "--dates",
        choices=("spread", "next-year"),
        default="spread",
        help="the new rows' dates: over the years already there (default), or the year after",
    )
    parser.add_argument(
        "--partitioned",
        action="store_true",
        help="on PostgreSQL, partition the invoices by year (insyn db partition-invoices) first",
    )
    parser.add_argument(
        "--database",
        choices=("sqlite", "postgresql", "both"),
        help="default: SQLite, and PostgreSQL too when DATABASE_URL names one",
    )
    args = parser.parse_args()
    server = os.environ.get("DATABASE_URL", "").strip()
    chosen = args.database or ("both" if server.startswith("postgres") else "sqlite")
    if chosen != "sqlite" and not server.startswith("postgres"):
        raise SystemExit("DATABASE_URL must name a PostgreSQL server for --database postgresql")
    print(f"Code: {code_version()}")
    kinds = {"sqlite": ["sqlite"], "postgresql": ["postgresql"], "both": ["sqlite", "postgresql"]}
    for kind in kinds[chosen]:
        databases = (
            SQLiteDatabases() if kind == "sqlite" else PostgresDatabases(server, args.partitioned)
        )
        try:
            bench(databases, args.rows, args.existing, args.think, args.rebuild, args.dates)
        finally:
            databases.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
