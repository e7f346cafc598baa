"""How fast `insyn import` loads a large invoice ledger, against the tools a reporter would
use instead.

Generates (or reuses, from ``bench/out/``) an N-row invoice ledger as a workbook and as a
Swedish CSV file, then times, each in a fresh process and on the same files: pandas
``read_csv`` + ``to_sql`` of the CSV into SQLite; the floor for the CSV (the csv module and
one sqlite3 ``executemany``, amounts turned into öre); the floor for the workbook
(python-calamine and one ``executemany``); and ``insyn import`` of each file end to end into
a fresh database. Prints the times, the ratios (the CSV import against pandas, the workbook's
against its floor), the peak memory of each, and a verdict against the goals; fails loudly
when a database does not hold exactly the rows and the total that were generated.

pandas is the ``bench`` extra (``pip install -e '.[bench]'``), installed on first use.
With ``DATABASE_URL`` set to a PostgreSQL server, the imports go into fresh databases created
on it (and dropped after); the peers stay sqlite3, a fixed yardstick.

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
#: The goals: ``insyn import`` of the CSV file at most this many times pandas ``read_csv`` +
#: ``to_sql`` of it…
MAX_CSV_RATIO = 2.0
#: …of the workbook at most this many times python-calamine's read + a sqlite3 executemany…
MAX_XLSX_RATIO = 1.5
#: …the CSV import's peak resident memory flat whatever the rows (about 110 MB), in MB…
MAX_CSV_PEAK_MB = 160
#: …and the workbook's (calamine holds the parsed sheet) below this, in MB.
MAX_PEAK_MB = 1024


@dataclass
class Timing:
    label: str
    seconds: float
    peak_mb: float
    rows: int | None = None  #: rows a bare step wrote
    ore: int | None = None  #: the sum of the amounts a bare step wrote, in öre
    #: CPU seconds (user + system): steadier than wall time on a machine others share
    cpu: float | None = None


# --- child processes -----------------------------------------------------------------------


def run_child(
    argv: list[str], env: dict | None = None
) -> tuple[int, float, float, str, str, float]:
    """Run ``argv`` to completion; return its exit code, wall seconds, peak resident memory
    (MB), its standard output, its standard error and its CPU seconds (user + system).

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
    cpu = usage.ru_utime + usage.ru_stime
    return process.returncode, seconds, usage.ru_maxrss / 1024, stdout, stderr, cpu


def worker(task: str, *args: str) -> Timing:
    """Run one of this script's ``--worker`` tasks in a fresh interpreter; its time is the one
    it measures itself (interpreter start and imports left out)."""
    code, _wall, peak, stdout, stderr, _cpu = run_child(
        [sys.executable, str(Path(__file__).resolve()), "--worker", task, *args]
    )
    if code != 0:
        raise SystemExit(f"worker {task} failed (exit {code}):\n{stdout}{stderr}")
    result = json.loads(stdout.strip().splitlines()[-1])
    return Timing(
        task, result["seconds"], peak, result.get("rows"), result.get("ore"), result.get("cpu")
    )


#: The table every bare peer writes: the ledger's seven columns, amounts as whole öre where the
#: peer converts them (pandas keeps the file's text, as ``read_csv`` reads it).
BARE_TABLE = (
    "CREATE TABLE invoices (vendor TEXT, org_number TEXT, invoice_number TEXT,"
    " invoiced_on TEXT, net_amount INTEGER, category TEXT, department TEXT)"
)
BARE_INSERT = "INSERT INTO invoices VALUES (?, ?, ?, ?, ?, ?, ?)"


def _bare_total(connection) -> tuple[int, int]:
    rows, ore = connection.execute(
        "SELECT COUNT(*), COALESCE(SUM(net_amount), 0) FROM invoices"
    ).fetchone()
    return int(rows), int(ore)


def _task_pandas_csv(path: str, database: str) -> dict:
    """pandas ``read_csv`` of the Swedish CSV and ``to_sql`` into a fresh SQLite file: what a
    reporter's notebook does. The amounts stay text ("1 234,50-"), the dates ISO text."""
    import sqlite3

    import pandas

    started, cpu = time.perf_counter(), time.process_time()
    frame = pandas.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str)
    connection = sqlite3.connect(database)
    frame.to_sql("invoices", connection, index=False)
    connection.commit()
    (rows,) = connection.execute("SELECT COUNT(*) FROM invoices").fetchone()
    connection.close()
    return {
        "seconds": time.perf_counter() - started,
        "cpu": time.process_time() - cpu,
        "rows": int(rows),
    }


def _ore_from_swedish(text: str) -> int:
    """ "1 234,50-" → -123450: the least a script does to store the amounts as numbers."""
    negative = text.endswith("-")
    whole, _, fraction = text.rstrip("-").replace(" ", "").replace("\u00a0", "").partition(",")
    ore = int(whole) * 100 + int(fraction.ljust(2, "0") or 0)
    return -ore if negative else ore


def _task_floor_csv(path: str, database: str) -> dict:
    """The floor for a CSV file: the csv module and one sqlite3 ``executemany`` into a fresh
    file, amounts turned into whole öre on the way, in one transaction."""
    import csv
    import sqlite3

    started, cpu = time.perf_counter(), time.process_time()
    connection = sqlite3.connect(database)
    connection.execute(BARE_TABLE)
    ore = _ore_from_swedish
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        next(reader)
        with connection:
            connection.executemany(
                BARE_INSERT,
                ((name, org, number, day, ore(amount), account, unit)
                 for name, org, number, day, amount, account, unit in reader),
            )  # fmt: skip
    rows, total = _bare_total(connection)
    connection.close()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": seconds, "cpu": cpu, "rows": rows, "ore": total}


def _task_floor_xlsx(path: str, database: str) -> dict:
    """The floor for a workbook: python-calamine reads the sheet, one sqlite3 ``executemany``
    writes it into a fresh file (amounts as whole öre, dates as ISO text, a number cell's
    invoice number as text), in one transaction."""
    import sqlite3

    import python_calamine

    def cell_text(value) -> str:
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    started, cpu = time.perf_counter(), time.process_time()
    workbook = python_calamine.CalamineWorkbook.from_path(path)
    sheet = workbook.get_sheet_by_name(workbook.sheet_names[0])
    rows = sheet.iter_rows()
    next(rows)
    connection = sqlite3.connect(database)
    connection.execute(BARE_TABLE)
    with connection:
        connection.executemany(
            BARE_INSERT,
            ((name, org, cell_text(number), day.isoformat()[:10], round(amount * 100),
              account, unit)
             for name, org, number, day, amount, account, unit in rows),
        )  # fmt: skip
    workbook.close()
    count, total = _bare_total(connection)
    connection.close()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": seconds, "cpu": cpu, "rows": count, "ore": total}


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
    "pandas-csv": _task_pandas_csv,
    "floor-csv": _task_floor_csv,
    "floor-xlsx": _task_floor_xlsx,
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
    code, _seconds, _peak, stdout, stderr, _cpu = run_child([str(INSYN), "db", "upgrade"], env)
    if code != 0:
        raise SystemExit(f"insyn db upgrade failed (exit {code}):\n{stdout}{stderr}")
    return url, env


def end_to_end(target, data: invoice_data.Dataset, path: Path, label: str) -> Timing:
    """``insyn import`` of one file into a fresh database, then the database checked."""
    url, env = upgraded(target, label)
    try:
        code, seconds, peak, stdout, stderr, cpu = run_child([str(INSYN), "import", str(path)], env)
        text = stdout + stderr
        if code != 0:
            raise SystemExit(f"insyn import {path.name} failed (exit {code}):\n{text}")
        verify(target.totals(url), data, f"{label} into {target.name}", text)
    finally:
        target.drop(url)
    return Timing(f"insyn import, {label} (end to end)", seconds, peak, cpu=cpu)


def start_up(target) -> Timing:
    """What an ``insyn import`` costs before and after its rows (interpreter, imports, the
    app, opening the database, the summary printed): ``insyn import --dry-run`` of a file of
    one row. It is part of each end-to-end time; shown because it dominates small runs."""
    OUT.mkdir(parents=True, exist_ok=True)
    tiny = OUT / "one-row.csv"
    tiny.write_text(
        "Leverantör;Organisationsnummer;Fakturanummer;Fakturadatum;Belopp\n"
        "Exempel AB;556677-8899;1;2020-01-31;1 000,00\n",
        encoding="utf-8",
    )
    url, env = upgraded(target, "startup")
    try:
        command = [str(INSYN), "import", "--dry-run", str(tiny)]
        code, seconds, peak, stdout, stderr, cpu = run_child(command, env)
    finally:
        target.drop(url)
    if code != 0:
        raise SystemExit(f"insyn import --dry-run failed (exit {code}):\n{stdout}{stderr}")
    return Timing("insyn start-up (a one-row preview)", seconds, peak, cpu=cpu)


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


def ensure_pandas() -> None:
    """pandas is a peer measured here, not part of Insyn: install the ``bench`` extra when it
    is missing (``pip install -e '.[bench]'``, or ``make install-bench``)."""
    try:
        import pandas  # noqa: F401
    except ImportError:
        print("pandas is missing: installing the bench extra (pip install -e '.[bench]')")
        subprocess.run(  # noqa: S603
            [sys.executable, "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[bench]"],
            check=True,
        )


def bare(task: str, path: Path, label: str, data: invoice_data.Dataset) -> Timing:
    """One bare peer into a fresh SQLite file, checked to hold every row (and, where it
    converts the amounts, the exact total)."""
    database = OUT / f"bare-{task}-{os.getpid()}.sqlite3"
    database.unlink(missing_ok=True)
    try:
        timing = worker(task, str(path), str(database))
    finally:
        database.unlink(missing_ok=True)
    timing.label = label
    if timing.rows != data.rows:
        raise SystemExit(f"{label} wrote {timing.rows} rows, expected {data.rows}")
    if timing.ore is not None and timing.ore != data.total_ore:
        raise SystemExit(f"{label} summed {timing.ore} öre, expected {data.total_ore}")
    return timing


def benchmark(rows: int, regenerate: bool) -> int:
    ensure_pandas()
    data = invoice_data.dataset(rows, OUT, regenerate)
    target = target_from_environment()
    origin = "cached" if data.cached else f"generated in {data.seconds:.1f} s"
    print(
        f"{rows:,} rows, {data.vendors:,} vendors, {data.credit_notes:,} credit notes, "
        f"total {invoice_data.swedish_amount(data.total)} kr ({origin})"
    )
    for path in (data.xlsx, data.csv):
        print(f"  {path.relative_to(ROOT)}: {path.stat().st_size / 1024**2:.1f} MB")
    print(f"Imports into: {target.name} (fresh database each); the peers into SQLite files")
    print(f"Code: {code_version()}")
    print(f"Load average before: {_load()} ({os.cpu_count()} CPUs)")
    try:
        pandas_csv = bare("pandas-csv", data.csv, "pandas read_csv + to_sql, csv", data)
        floor_csv = bare("floor-csv", data.csv, "csv + executemany (öre), csv", data)
        floor_xlsx = bare("floor-xlsx", data.xlsx, "calamine + executemany, xlsx", data)
        startup = start_up(target)
        import_xlsx = end_to_end(target, data, data.xlsx, "xlsx")
        import_csv = end_to_end(target, data, data.csv, "csv")
    finally:
        target.close()
    print()
    print(f"{'step':<40} {'seconds':>8} {'CPU s':>7} {'µs/row':>7} {'peak MB':>8}")
    for timing in (pandas_csv, floor_csv, floor_xlsx, startup, import_csv, import_xlsx):
        per_row = timing.seconds / rows * 1e6
        print(
            f"{timing.label:<40} {timing.seconds:>8.2f} {timing.cpu:>7.2f} {per_row:>7.1f} "
            f"{timing.peak_mb:>8.0f}"
        )
    ratio_csv = import_csv.seconds / pandas_csv.seconds
    ratio_xlsx = import_xlsx.seconds / floor_xlsx.seconds
    print()
    print(f"{'ratio':<46} {'wall':>6} {'CPU':>6}")
    for what, mine, peer, goal in (
        ("csv:  insyn import / pandas read_csv + to_sql", import_csv, pandas_csv, MAX_CSV_RATIO),
        ("csv:  insyn import / csv + executemany (öre)", import_csv, floor_csv, None),
        ("xlsx: insyn import / calamine + executemany", import_xlsx, floor_xlsx, MAX_XLSX_RATIO),
    ):
        print(
            f"{what:<46} {mine.seconds / peer.seconds:>6.2f} {mine.cpu / peer.cpu:>6.2f}"
            + (f"  (goal ≤ {goal})" if goal else "")
        )
    print(f"peak memory: csv {import_csv.peak_mb:.0f} MB, xlsx {import_xlsx.peak_mb:.0f} MB")
    print("verified: every import and every peer holds all rows (and the exact total in öre)")
    print(f"load average after: {_load()} (this run accounts for about 1, or 2 with PostgreSQL)")
    print(verdict(ratio_csv, ratio_xlsx, import_csv.peak_mb, import_xlsx.peak_mb))
    return 0


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def verdict(ratio_csv: float, ratio_xlsx: float, peak_csv: float, peak_xlsx: float) -> str:
    checks = [
        (f"csv ratio to pandas {ratio_csv:.2f}", ratio_csv <= MAX_CSV_RATIO, f"{MAX_CSV_RATIO}"),
        (f"xlsx ratio to the floor {ratio_xlsx:.2f}", ratio_xlsx <= MAX_XLSX_RATIO,
         f"{MAX_XLSX_RATIO}"),
        (f"csv peak {peak_csv:.0f} MB", peak_csv <= MAX_CSV_PEAK_MB, f"{MAX_CSV_PEAK_MB} MB"),
        (f"xlsx peak {peak_xlsx:.0f} MB", peak_xlsx < MAX_PEAK_MB, f"{MAX_PEAK_MB} MB"),
    ]  # fmt: skip
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
