"""How fast `insyn import` loads a large invoice ledger, against what its parts cost bare.

Generates (or reuses, from ``bench/out/``) an N-row invoice ledger as a workbook and as a
Swedish CSV file, then times, each in a fresh process: reading the workbook with
python-calamine, reading the CSV with the csv module, inserting the rows with a plain
``sqlite3`` executemany, and ``insyn import`` of each file end to end into a fresh database.
Prints the times, the ratios end to end / (bare read + bare insert), the peak memory of each
import, and a verdict against the goals; fails loudly when a database does not hold exactly
the rows and the total that were generated.

With ``DATABASE_URL`` set to a PostgreSQL server, the imports go into fresh databases created
on it (and dropped after); the bare insert stays sqlite3, a fixed yardstick.

    .venv/bin/python bench/import_bench.py [--rows N]
    .venv/bin/python bench/import_bench.py --rows 200000 --profile xlsx
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import invoice_data

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
INSYN = ROOT / ".venv" / "bin" / "insyn"
#: The goals: end to end at most this many times the bare read plus the bare insert…
MAX_RATIO = 1.5
#: …and a peak resident memory below this, in MB.
MAX_PEAK_MB = 1024


@dataclass
class Timing:
    label: str
    seconds: float
    peak_mb: float
    rows: int | None = None  #: rows a bare step saw (a read counts the header too)


# --- child processes -----------------------------------------------------------------------


def run_child(argv: list[str], env: dict | None = None) -> tuple[int, float, float, str, str]:
    """Run ``argv`` to completion; return its exit code, wall seconds, peak resident memory
    (MB), its standard output and its standard error.

    The peak comes from ``wait4``, the child's own rusage: ``getrusage(RUSAGE_CHILDREN)``
    would report the largest of all children so far, hiding the second import behind the first.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=err)  # noqa: S603
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    return process.returncode, seconds, usage.ru_maxrss / 1024, stdout, stderr


def worker(task: str, *args: str) -> Timing:
    """Run one of this script's ``--worker`` tasks in a fresh interpreter; its time is the one
    it measures itself (interpreter start and imports left out)."""
    code, _wall, peak, stdout, stderr = run_child(
        [sys.executable, str(Path(__file__).resolve()), "--worker", task, *args]
    )
    if code != 0:
        raise SystemExit(f"worker {task} failed (exit {code}):\n{stdout}{stderr}")
    result = json.loads(stdout.strip().splitlines()[-1])
    return Timing(task, result["seconds"], peak, result.get("rows"))


def _task_read_xlsx(path: str) -> dict:
    import python_calamine

    started = time.perf_counter()
    workbook = python_calamine.CalamineWorkbook.from_path(path)
    sheet = workbook.get_sheet_by_name(workbook.sheet_names[0])
    rows = sum(1 for _ in sheet.iter_rows())
    workbook.close()
    return {"seconds": time.perf_counter() - started, "rows": rows}


def _task_read_csv(path: str) -> dict:
    import csv

    started = time.perf_counter()
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = sum(1 for _ in csv.reader(handle, delimiter=";"))
    return {"seconds": time.perf_counter() - started, "rows": rows}


def _task_insert(rows: str, database: str) -> dict:
    """Insert the ledger's rows, typed as the database keeps them (ISO dates, whole öre),
    into a plain table of a fresh SQLite file; the rows are made before the clock starts."""
    import sqlite3

    values = [
        (
            vendor.name,
            vendor.org_number,
            str(number),
            day.isoformat(),
            int(amount.scaleb(2)),
            category,
            department,
        )
        for vendor, number, day, amount, category, department in invoice_data.invoice_rows(
            int(rows)
        )
    ]
    started = time.perf_counter()
    connection = sqlite3.connect(database)
    connection.execute(
        "CREATE TABLE invoices (vendor TEXT, org_number TEXT, invoice_number TEXT,"
        " invoiced_on TEXT, net_amount INTEGER, category TEXT, department TEXT)"
    )
    with connection:
        connection.executemany("INSERT INTO invoices VALUES (?, ?, ?, ?, ?, ?, ?)", values)
    connection.close()
    return {"seconds": time.perf_counter() - started, "rows": len(values)}


def _task_profile(path: str, database_url: str, output: str) -> dict:
    """``insyn import`` in this process under cProfile; the statistics go to ``output``."""
    import cProfile

    os.environ["DATABASE_URL"] = database_url
    from app.cli import cli

    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    try:
        cli.main(args=["import", path], prog_name="insyn", standalone_mode=False)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    profiler.disable()
    seconds = time.perf_counter() - started
    profiler.dump_stats(output)
    if code:
        raise SystemExit(f"insyn import exited with {code}")
    return {"seconds": seconds}


TASKS = {
    "read-xlsx": _task_read_xlsx,
    "read-csv": _task_read_csv,
    "insert": _task_insert,
    "profile": _task_profile,
}


def code_version() -> str:
    """The commit measured, and a fingerprint of uncommitted changes to the code an import
    runs, so that figures taken while the importer changes can be told apart."""

    executable = shutil.which("git")
    if executable is None:
        return "unknown (no git)"

    def git(*args: str) -> bytes:
        command = [executable, *args]
        return subprocess.run(command, cwd=ROOT, capture_output=True, check=False).stdout  # noqa: S603

    commit = git("rev-parse", "--short", "HEAD").decode().strip() or "unknown"
    diff = git("diff", "HEAD", "--", "app", "imports", "migrations")
    if not diff:
        return commit
    return f"{commit} + uncommitted changes (diff {hashlib.sha256(diff).hexdigest()[:10]})"


# --- fresh databases -----------------------------------------------------------------------


class SQLiteTarget:
    """A new SQLite file per import, in a scratch directory removed at the end."""

    name = "SQLite"

    def __init__(self) -> None:
        OUT.mkdir(parents=True, exist_ok=True)
        self.scratch = Path(tempfile.mkdtemp(prefix="run-", dir=OUT))

    def create(self, label: str) -> str:
        return f"sqlite:///{self.scratch / f'{label}.sqlite3'}"

    def totals(self, url: str) -> tuple[int, int, int]:
        import sqlite3

        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            return _totals(connection.execute)
        finally:
            connection.close()

    def drop(self, url: str) -> None:
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)

    def close(self) -> None:
        shutil.rmtree(self.scratch, ignore_errors=True)


class PostgresTarget:
    """A new database per import on the server ``DATABASE_URL`` names, dropped after."""

    name = "PostgreSQL"

    def __init__(self, server_url: str) -> None:
        from sqlalchemy.engine import make_url

        self.server = make_url(server_url).set(drivername="postgresql")

    def _conninfo(self, database: str | None = None) -> str:
        url = self.server.set(database=database) if database else self.server
        return url.render_as_string(hide_password=False)

    def _admin(self, statement: str, database: str) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self._conninfo(), autocommit=True) as connection:
            connection.execute(sql.SQL(statement).format(sql.Identifier(database)))

    def create(self, label: str) -> str:
        database = f"insyn_bench_{os.getpid()}_{label}"
        self._admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", database)
        self._admin("CREATE DATABASE {}", database)
        return self._conninfo(database)

    def totals(self, url: str) -> tuple[int, int, int]:
        import psycopg

        with psycopg.connect(url) as connection:
            return _totals(connection.execute)

    def drop(self, url: str) -> None:
        from sqlalchemy.engine import make_url

        self._admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", make_url(url).database)

    def close(self) -> None:
        pass


def _totals(execute) -> tuple[int, int, int]:
    """Invoices, their sum in öre (``net_amount`` is stored as whole öre) and vendors."""
    invoices, ore = execute(
        "SELECT COUNT(*), COALESCE(SUM(net_amount), 0) FROM invoices"
    ).fetchone()
    (vendors,) = execute("SELECT COUNT(*) FROM vendors").fetchone()
    return int(invoices), int(ore), int(vendors)


def target_from_environment() -> SQLiteTarget | PostgresTarget:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return SQLiteTarget()
    if url.startswith(("postgresql", "postgres:")):
        return PostgresTarget(url)
    raise SystemExit(f"DATABASE_URL must name a PostgreSQL server (or be unset for SQLite): {url}")


def upgraded(target, label: str) -> tuple[str, dict]:
    """A fresh database with Insyn's schema, and the environment that points ``insyn`` at it."""
    url = target.create(label)
    env = dict(os.environ, DATABASE_URL=url)
    code, _seconds, _peak, stdout, stderr = run_child([str(INSYN), "db", "upgrade"], env)
    if code != 0:
        raise SystemExit(f"insyn db upgrade failed (exit {code}):\n{stdout}{stderr}")
    return url, env


def end_to_end(target, data: invoice_data.Dataset, path: Path, label: str) -> Timing:
    """``insyn import`` of one file into a fresh database, then the database checked."""
    url, env = upgraded(target, label)
    try:
        code, seconds, peak, stdout, stderr = run_child([str(INSYN), "import", str(path)], env)
        text = stdout + stderr
        if code != 0:
            raise SystemExit(f"insyn import {path.name} failed (exit {code}):\n{text}")
        verify(target.totals(url), data, f"{label} into {target.name}", text)
    finally:
        target.drop(url)
    return Timing(f"insyn import, {label} (end to end)", seconds, peak)


def start_up() -> Timing:
    """What every ``insyn`` command costs before it does any work (interpreter, imports, the
    app factory): ``insyn import --help``, which touches no database. It is part of each
    end-to-end time; shown because it dominates small runs."""
    code, seconds, peak, stdout, stderr = run_child([str(INSYN), "import", "--help"])
    if code != 0:
        raise SystemExit(f"insyn import --help failed (exit {code}):\n{stdout}{stderr}")
    return Timing("insyn start-up (import --help)", seconds, peak)


def verify(found: tuple[int, int, int], data: invoice_data.Dataset, what: str, output: str):
    """Exactly the generated rows, total and vendors, or a loud failure."""
    invoices, ore, vendors = found
    wrong = []
    if invoices != data.rows:
        wrong.append(f"{invoices} invoices, expected {data.rows}")
    if ore != data.total_ore:
        wrong.append(f"total {ore} öre, expected {data.total_ore} öre ({data.total} kr)")
    if vendors != data.vendors:
        wrong.append(f"{vendors} vendors, expected {data.vendors}")
    if wrong:
        raise SystemExit(
            f"VERIFICATION FAILED after import of {what}: " + "; ".join(wrong) + f"\n{output}"
        )


# --- the run -------------------------------------------------------------------------------


def benchmark(rows: int, regenerate: bool) -> int:
    data = invoice_data.dataset(rows, OUT, regenerate)
    target = target_from_environment()
    origin = "cached" if data.cached else f"generated in {data.seconds:.1f} s"
    print(
        f"{rows:,} rows, {data.vendors:,} vendors, {data.credit_notes:,} credit notes, "
        f"total {invoice_data.swedish_amount(data.total)} kr ({origin})"
    )
    for path in (data.xlsx, data.csv):
        print(f"  {path.relative_to(ROOT)}: {path.stat().st_size / 1024**2:.1f} MB")
    print(f"Imports into: {target.name} (fresh database each); bare insert: sqlite3")
    print(f"Code: {code_version()}")
    print(f"Load average before: {_load()} ({os.cpu_count()} CPUs)")
    try:
        read_xlsx = worker("read-xlsx", str(data.xlsx))
        read_xlsx.label = "bare read, xlsx (python-calamine)"
        read_csv = worker("read-csv", str(data.csv))
        read_csv.label = "bare read, csv (csv module)"
        database = OUT / f"bare-insert-{os.getpid()}.sqlite3"
        try:
            insert = worker("insert", str(rows), str(database))
        finally:
            database.unlink(missing_ok=True)
        insert.label = "bare insert (sqlite3 executemany)"
        for timing, expected in ((read_xlsx, rows + 1), (read_csv, rows + 1), (insert, rows)):
            if timing.rows != expected:
                raise SystemExit(f"{timing.label} saw {timing.rows} rows, expected {expected}")
        startup = start_up()
        import_xlsx = end_to_end(target, data, data.xlsx, "xlsx")
        import_csv = end_to_end(target, data, data.csv, "csv")
    finally:
        target.close()
    print()
    print(f"{'step':<40} {'seconds':>9} {'peak MB':>9}")
    for timing in (read_xlsx, read_csv, insert, startup, import_xlsx, import_csv):
        print(f"{timing.label:<40} {timing.seconds:>9.2f} {timing.peak_mb:>9.0f}")
    ratio_xlsx = import_xlsx.seconds / (read_xlsx.seconds + insert.seconds)
    ratio_csv = import_csv.seconds / (read_csv.seconds + insert.seconds)
    print()
    print(f"ratio xlsx: end to end / (bare read + bare insert) = {ratio_xlsx:.2f}")
    print(f"ratio csv:  end to end / (bare read + bare insert) = {ratio_csv:.2f}")
    print(f"peak memory: xlsx {import_xlsx.peak_mb:.0f} MB, csv {import_csv.peak_mb:.0f} MB")
    print("verified: every import holds all rows and the exact total")
    print(f"load average after: {_load()} (this run accounts for about 1, or 2 with PostgreSQL)")
    print(verdict(ratio_xlsx, ratio_csv, import_xlsx.peak_mb, import_csv.peak_mb))
    return 0


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def verdict(ratio_xlsx: float, ratio_csv: float, peak_xlsx: float, peak_csv: float) -> str:
    checks = [
        (f"xlsx ratio {ratio_xlsx:.2f}", ratio_xlsx <= MAX_RATIO, f"{MAX_RATIO}"),
        (f"csv ratio {ratio_csv:.2f}", ratio_csv <= MAX_RATIO, f"{MAX_RATIO}"),
        (f"xlsx peak {peak_xlsx:.0f} MB", peak_xlsx < MAX_PEAK_MB, f"{MAX_PEAK_MB} MB"),
        (f"csv peak {peak_csv:.0f} MB", peak_csv < MAX_PEAK_MB, f"{MAX_PEAK_MB} MB"),
    ]
    met = all(ok for _what, ok, _goal in checks)
    parts = ", ".join(f"{what} {'within' if ok else 'OVER'} {goal}" for what, ok, goal in checks)
    return f"verdict: {'goals met' if met else 'goals NOT met'}: {parts}"


def profile(rows: int, kind: str, regenerate: bool, top: int) -> int:
    """``insyn import`` of one file in-process under cProfile, into a fresh database; prints
    the functions with the largest cumulative and own times."""
    import pstats

    data = invoice_data.dataset(rows, OUT, regenerate)
    target = target_from_environment()
    path = data.xlsx if kind == "xlsx" else data.csv
    output = OUT / f"profile-{kind}-{rows}-{target.name.lower()}.prof"
    try:
        url, _env = upgraded(target, f"profile_{kind}")
        try:
            timing = worker("profile", str(path), url, str(output))
            verify(target.totals(url), data, f"{kind} into {target.name}", "")
        finally:
            target.drop(url)
    finally:
        target.close()
    print(
        f"insyn import {path.name} under cProfile: {timing.seconds:.2f} s, {timing.peak_mb:.0f} MB"
    )
    print(f"Code: {code_version()}; statistics kept in {output.relative_to(ROOT)}")
    stats = pstats.Stats(str(output))
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows (default 1,000,000)")
    parser.add_argument(
        "--regenerate", action="store_true", help="make the files again even if cached"
    )
    parser.add_argument(
        "--profile",
        choices=("xlsx", "csv"),
        help="profile the import of this file in-process instead of benchmarking",
    )
    parser.add_argument("--top", type=int, default=30, help="functions a profile lists")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.worker:
        task, *args = options.worker
        print(json.dumps(TASKS[task](*args)))
        return 0
    if options.rows < 1:
        parser.error("--rows must be at least 1")
    if options.profile:
        return profile(options.rows, options.profile, options.regenerate, options.top)
    return benchmark(options.rows, options.regenerate)


if __name__ == "__main__":
    sys.exit(main())
