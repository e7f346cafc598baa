"""Insyn at ten million invoices: each page over HTTP against the bare query behind it.

Builds (or reuses, from ``bench/out/``) a SQLite database made by Insyn's migrations holding N
generated invoices (``bench/invoice_data.py``'s ledger: 3,000 vendors with a long tail, ten
years, a category and a department on each, with VAT, payment dates and about one in 200
voided), and one to four contracts per vendor, one after the other, that most of a vendor's
invoices are booked on. The summaries are filled as ``insyn db rebuild-summaries`` does.

Insyn then runs under gunicorn (the README's production settings: two workers of four
threads, on a free port of 127.0.0.1, the public's short-lived page copies switched off), and
each page is requested once to warm up, then ``--runs`` times; the median is printed beside
the median of the bare query that answers the same figures (from the summary tables where
the page reads them, hand-written with ``sa.text`` on a connection of its own), and their
ratio: what the application adds. Peak memory is each server process's high-water mark.

With ``--import-rows`` (default 1,000,000; 0 leaves it out) it also times ``insyn import`` of
that many generated rows (``invoice_data.dataset``'s CSV) into a copy of the full SQLite
database (on PostgreSQL, into the benchmark's database itself).

With ``DATABASE_URL`` set to a PostgreSQL server it does the same, after SQLite, on a database
of its own there (``--pg-database``), loaded with COPY from the SQLite one (the same rows and
ids), and dropped at the end unless ``--keep``.

    .venv/bin/python bench/scale_bench.py [--rows 10000000] [--runs 9] [--import-rows 0]
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import invoice_data
import report_bench
import sqlalchemy as sa
from import_bench import code_version
from load import free_port

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
sys.path.insert(0, str(ROOT))

#: Bump when the generated database changes, so cached ones are built again.
DB_VERSION = 1
VENDORS = 3_000
FIRST_DAY = dt.date(2015, 1, 1)
LAST_DAY = dt.date(2024, 12, 31)
#: The share of a vendor's invoices booked on the contract running at their date.
CONTRACT_SHARE = 0.8
#: The goals: every page within this many milliseconds (median) and times its bare query.
GOAL_MS = 300
GOAL_RATIO = 1.5
#: gunicorn's error output.
SERVER_LOG = OUT / "scale-server.log"
GUNICORN = ["--workers", "2", "--threads", "4", "--log-level", "warning"]
#: Tables copied to PostgreSQL, in this order (foreign keys), the summaries with them.
PG_TABLES = (
    "vendors",
    "categories",
    "departments",
    "contracts",
    "invoices",
    "invoice_summaries",
    "invoice_year_summaries",
    "invoice_month_summaries",
    "invoice_contract_year_summaries",
    "contract_flag_sets",
)
STAMP = report_bench.STAMP


# --- the data ----------------------------------------------------------------------------------


def vendor_records() -> list[dict]:
    """The generator's vendors, ids from 1 (as ``report_bench.vendor_records``, 3,000)."""
    from app.text import name_key

    vendors = invoice_data.make_vendors(random.Random(invoice_data.SEED), VENDORS)
    return [
        {
            "id": number,
            "name": vendor.name,
            "name_key": name_key(vendor.name),
            "org_number": vendor.org_number,
            "id_kind": "orgnr",
            "country": "SE",
            "is_private_person": False,
            "created_at": STAMP,
            "updated_at": STAMP,
            "version": 1,
        }
        for number, vendor in enumerate(vendors, start=1)
    ]


def contract_records(vendor_count: int) -> tuple[list[dict], dict[int, list[tuple]]]:
    """One to four contracts per vendor splitting the ten years between them, and for each
    vendor its contracts as (id, first day, last day)."""
    rng = random.Random(invoice_data.SEED + 2)
    records, periods = [], {}
    span = (LAST_DAY - FIRST_DAY).days
    bases = ("direct_award", "framework_agreement", "open_tender", "other")
    for vendor_id in range(1, vendor_count + 1):
        count = rng.randint(1, 4)
        cuts = sorted(rng.sample(range(30, span - 30), count - 1))
        starts = [FIRST_DAY, *(FIRST_DAY + dt.timedelta(days=d) for d in cuts)]
        ends = [*(day - dt.timedelta(days=1) for day in starts[1:]), LAST_DAY]
        for starts_on, ends_on in zip(starts, ends, strict=True):
            number = len(records) + 1
            records.append(
                {
                    "id": number,
                    "vendor_id": vendor_id,
                    "reference": f"KS {starts_on.year}/{number}",
                    "title": f"Ramavtal {number}",
                    "procurement_basis": bases[number % len(bases)],
                    "signed_on": starts_on.isoformat(),
                    "starts_on": starts_on.isoformat(),
                    "ends_on": ends_on.isoformat(),
                    "ceiling_amount": rng.randint(1, 500) * 100_000_00,
                    "currency": "SEK",
                    "created_at": STAMP,
                    "updated_at": STAMP,
                    "version": 1,
                }
            )
            periods.setdefault(vendor_id, []).append((number, starts_on, ends_on))
    return records, periods


def invoice_records(rows: int, vendor_ids: dict[str, int], periods: dict) -> Iterator[tuple]:
    """The invoices as stored in SQLite, in ``INVOICE_COLUMNS`` order plus the contract:
    ``report_bench``'s records over this benchmark's vendors and years."""
    ledger = invoice_data.invoice_rows(
        rows, vendor_count=VENDORS, first_day=FIRST_DAY, last_day=LAST_DAY
    )
    rng = random.Random(invoice_data.SEED + 3)
    uniform = rng.random
    records = report_bench.invoice_records(rows, vendor_ids, ledger=ledger)
    for record in records:
        contract = None
        if uniform() < CONTRACT_SHARE:
            day = record[3]
            for number, first, last in periods[record[1]]:
                if first.isoformat() <= day <= last.isoformat():
                    contract = number
                    break
        yield (*record, contract)


def sqlite_paths(rows: int) -> tuple[Path, Path]:
    return OUT / f"scale-{rows}.sqlite3", OUT / f"scale-{rows}.json"


def sqlite_database(rows: int, rebuild: bool) -> tuple[str, dict]:
    """The SQLite database of ``rows`` invoices, built or taken from the cache (brought up to
    the newest migration)."""
    path, meta_path = sqlite_paths(rows)
    url = f"sqlite:///{path}"
    meta = {}
    if meta_path.exists() and path.exists() and not rebuild:
        meta = json.loads(meta_path.read_text())
    if meta.get("version") != DB_VERSION or meta.get("rows") != rows:
        return url, build_sqlite(path, meta_path, rows)
    engine = sa.create_engine(url)
    try:
        if report_bench.schema_revision(engine) != report_bench.newest_revision():
            report_bench.migrate(url)
            with engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE")
    finally:
        engine.dispose()
    meta["cached"] = True
    return url, meta


def build_sqlite(path: Path, meta_path: Path, rows: int) -> dict:
    """Migrations, then the rows with driver-level executemany (the invoices' indexes dropped
    while loading and made again after), the summaries filled in SQL, then ANALYZE."""
    OUT.mkdir(parents=True, exist_ok=True)
    meta_path.unlink(missing_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    print(f"building {path.relative_to(ROOT)} with {rows:,} invoices …", flush=True)
    started = time.perf_counter()
    report_bench.migrate(url)
    engine = sa.create_engine(url)

    @sa.event.listens_for(engine, "connect")
    def _fast(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA synchronous = OFF")
        dbapi_connection.execute("PRAGMA cache_size = -500000")

    table = report_bench._table
    try:
        vendors = vendor_records()
        contracts, periods = contract_records(len(vendors))
        with engine.begin() as connection:
            connection.execute(table("vendors", *vendors[0]).insert(), vendors)
            for name, names in (
                ("categories", invoice_data.CATEGORIES),
                ("departments", invoice_data.DEPARTMENTS),
            ):
                records = report_bench.named_records(names)
                connection.execute(table(name, *records[0]).insert(), records)
            connection.execute(table("contracts", *contracts[0]).insert(), contracts)
            indexes = connection.execute(
                sa.text(
                    "SELECT name, sql FROM sqlite_master"
                    " WHERE type = 'index' AND tbl_name = 'invoices' AND sql IS NOT NULL"
                )
            ).all()
            for name, _sql in indexes:
                connection.exec_driver_sql(f'DROP INDEX "{name}"')
            columns = (*report_bench.INVOICE_COLUMNS, "contract_id")
            insert = (
                f"INSERT INTO invoices ({', '.join(columns)})"  # noqa: S608
                f" VALUES ({', '.join('?' * len(columns))})"
            )
            cursor = connection.connection.driver_connection.cursor()
            chunk: list[tuple] = []
            vendor_ids = {v["org_number"]: v["id"] for v in vendors}
            for record in invoice_records(rows, vendor_ids, periods):
                chunk.append(record)
                if len(chunk) == report_bench.CHUNK:
                    cursor.executemany(insert, chunk)
                    chunk = []
            if chunk:
                cursor.executemany(insert, chunk)
            loaded = time.perf_counter()
            for _name, sql in indexes:
                connection.exec_driver_sql(sql)
        fill_summaries(url)
        indexed = time.perf_counter()
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
            meta = {
                "version": DB_VERSION,
                "rows": rows,
                "busiest": report_bench.busiest(connection),
                "latest_year": LAST_DAY.year,
            }
        finished = time.perf_counter()
    finally:
        engine.dispose()
    print(
        f"  generated and inserted in {loaded - started:.1f} s, indexed and summed in "
        f"{indexed - loaded:.1f} s, analysed in {finished - indexed:.1f} s",
        flush=True,
    )
    meta_path.write_text(json.dumps(meta, indent=2))
    return meta


def fill_summaries(url: str) -> None:
    """Fill the (empty) summary tables in one grouped INSERT … SELECT per table and date
    basis, as ``insyn db rebuild-summaries`` does after finding them empty."""
    from app.extensions import db
    from app.services import summaries

    app = report_bench.make_app(url)
    with app.app_context():
        summaries._apply_select(db.session.connection(), sa.true(), 1)
        db.session.commit()
        db.engine.dispose()


def postgres_database(server_url: str, sqlite_url: str, name: str, keep: bool) -> str:
    """The PostgreSQL database ``name`` with the SQLite database's rows and summaries: reused
    when a kept one holds as many invoices, else created, migrated, loaded with COPY and
    analysed."""
    from app.config import with_driver

    server = sa.make_url(with_driver(server_url))
    url = server.set(database=name).render_as_string(hide_password=False)
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    source = sa.create_engine(sqlite_url)
    try:
        with source.connect() as connection:
            rows = connection.execute(sa.text("SELECT COUNT(*) FROM invoices")).scalar_one()
        with admin.connect() as connection:
            exists = connection.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).first()
        if keep and exists:
            target = sa.create_engine(url)
            try:
                with target.connect() as connection:
                    held = connection.execute(sa.text("SELECT COUNT(*) FROM invoices")).scalar()
            finally:
                target.dispose()
            if held == rows:
                return url
        print(f"loading PostgreSQL database {name} …", flush=True)
        started = time.perf_counter()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        report_bench.migrate(url)
        copy_tables(source, url)
        target = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with target.connect() as connection:
                connection.exec_driver_sql("VACUUM (ANALYZE)")
        finally:
            target.dispose()
        print(f"  loaded in {time.perf_counter() - started:.1f} s", flush=True)
        return url
    finally:
        source.dispose()
        admin.dispose()


def copy_tables(source: sa.Engine, url: str) -> None:
    """:data:`PG_TABLES` copied from SQLite with COPY (the invoices' indexes dropped while
    loading and made again after); sequences moved past the ids."""
    target = sa.create_engine(url)
    try:
        with source.connect() as reader, target.begin() as writer:
            writer.exec_driver_sql("SET TIME ZONE 'UTC'")
            indexes = writer.execute(
                sa.text(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'invoices'"
                    " AND indexname NOT IN (SELECT conname FROM pg_constraint)"
                )
            ).all()
            for name, _sql in indexes:
                writer.exec_driver_sql(f'DROP INDEX "{name}"')
            cursor = writer.connection.driver_connection.cursor()
            for table in PG_TABLES:
                result = reader.exec_driver_sql(f'SELECT * FROM "{table}"')  # noqa: S608
                columns = list(result.keys())
                listed = ", ".join(f'"{name}"' for name in columns)
                with cursor.copy(f'COPY "{table}" ({listed}) FROM STDIN') as copy:
                    for row in result:
                        copy.write_row(row)
                if "id" in columns:
                    writer.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608
                        f' (SELECT MAX(id) FROM "{table}"))'
                    )
            for _name, sql in indexes:
                writer.exec_driver_sql(sql)
    finally:
        target.dispose()


def drop_postgres(server_url: str, name: str) -> None:
    from app.config import with_driver

    admin = sa.create_engine(with_driver(server_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


# --- the pages and their bare queries ----------------------------------------------------------

#: The year of an invoice date, as each database writes it.
YEAR = report_bench.YEAR
ROWS_SQL = (
    "SELECT i.id, i.invoiced_on, v.name, v.is_private_person, i.vendor_id, i.invoice_number,"
    " i.voided_at, c.name, i.description, i.net_amount, i.vat_amount, i.currency, i.paid_on"
    " FROM invoices i JOIN vendors v ON v.id = i.vendor_id"
    " LEFT JOIN categories c ON c.id = i.category_id"
)
#: The menus of the invoice list: categories, departments, the years that have invoices.
LOOKUPS = (
    "SELECT id, name FROM categories ORDER BY lower(name)",
    "SELECT id, name FROM departments ORDER BY lower(name)",
)


def bare_queries(dialect: str, meta: dict) -> dict[str, list[tuple[str, dict]]]:
    """Each page's bare queries (SQL and parameters): what answers its figures and rows."""
    vendor, year = meta["busiest"]["vendor_id"], meta["busiest"]["year"]
    latest = meta["latest_year"]
    years = report_bench.YEARS_SQL[dialect]
    by_year_currency = (
        "SELECT year, currency, SUM(net_amount), SUM(invoice_count)"
        " FROM invoice_year_summaries WHERE date_basis = 'invoiced'"
        " GROUP BY year, currency"
    )
    year_vendor = (
        "SELECT vendor_id, year, currency, net_amount, invoice_count"
        " FROM invoice_year_summaries WHERE date_basis = 'invoiced'",
        {},
    )
    list_sums = (
        "SELECT currency, SUM(net_amount), SUM(vat_amount), SUM(invoice_count)"
        " FROM invoice_year_summaries WHERE date_basis = 'invoiced' GROUP BY currency",
        {},
    )
    order = " WHERE i.voided_at IS NULL ORDER BY i.invoiced_on DESC, i.id DESC"
    menus = [(sql, {}) for sql in LOOKUPS] + [(years, {})]
    drill_where = (
        " WHERE i.vendor_id = :vendor AND i.invoiced_on BETWEEN :first AND :last"
        " AND i.currency = 'SEK' AND i.voided_at IS NULL"
    )
    span = {"vendor": vendor, "first": dt.date(year, 1, 1), "last": dt.date(year, 12, 31)}
    # A year's flags: the stored flags of the contracts with the most invoices that year.
    year_flags = (
        "SELECT f.contract_id, f.settings, f.flags FROM contract_flag_sets f WHERE"
        " f.contract_id IN (SELECT contract_id FROM invoice_contract_year_summaries"
        " WHERE date_basis = 'invoiced' AND year = :year AND contract_id != 0"
        " GROUP BY contract_id ORDER BY SUM(invoice_count) DESC, contract_id LIMIT 200)",
        {"year": latest},
    )
    # And each vendor's spend without a contract that year.
    without_contract = (
        "SELECT vendor_id, currency, net_amount, invoice_count"
        " FROM invoice_contract_year_summaries"
        " WHERE date_basis = 'invoiced' AND year = :year AND contract_id = 0",
        {"year": latest},
    )
    return {
        "front page": [
            (by_year_currency, {}),
            ("SELECT COUNT(*) FROM vendors", {}),
            year_flags,
            without_contract,
        ],
        "pivot": [year_vendor],
        "totals: year × vendor": [year_vendor],
        "totals: month × category": [
            (
                "SELECT year, month, category_id, currency, SUM(net_amount), SUM(invoice_count)"
                " FROM invoice_month_summaries WHERE date_basis = 'invoiced'"
                " GROUP BY year, month, category_id, currency",
                {},
            )
        ],
        "balance of a year": [
            (
                "SELECT vendor_id, currency, net_amount, invoice_count"
                " FROM invoice_year_summaries WHERE date_basis = 'invoiced' AND year = :year",
                {"year": latest},
            ),
            (
                "SELECT category_id, currency, SUM(net_amount), SUM(invoice_count)"
                " FROM invoice_month_summaries WHERE date_basis = 'invoiced' AND year = :year"
                " GROUP BY category_id, currency",
                {"year": latest},
            ),
            year_flags,
            without_contract,
        ],
        "vendor page": [
            ("SELECT * FROM vendors WHERE id = :vendor", {"vendor": vendor}),
            ("SELECT * FROM contracts WHERE vendor_id = :vendor", {"vendor": vendor}),
            (
                "SELECT f.* FROM contract_flag_sets f JOIN contracts c ON c.id = f.contract_id"
                " WHERE c.vendor_id = :vendor",
                {"vendor": vendor},
            ),
            (
                "SELECT year, currency, SUM(net_amount), SUM(vat_amount), SUM(invoice_count)"
                " FROM invoice_year_summaries WHERE date_basis = 'invoiced'"
                " AND vendor_id = :vendor GROUP BY year, currency",
                {"vendor": vendor},
            ),
            (
                ROWS_SQL + " WHERE i.vendor_id = :vendor AND i.voided_at IS NULL"
                " ORDER BY i.invoiced_on DESC, i.id DESC LIMIT 10",
                {"vendor": vendor},
            ),
        ],
        "invoice list, page 1": [list_sums, (ROWS_SQL + order + " LIMIT 50", {}), *menus],
        "invoice list, page 1,000": [
            list_sums,
            (ROWS_SQL + order + " LIMIT 50 OFFSET 49950", {}),
            *menus,
        ],
        "drill-down": [
            (
                "SELECT currency, SUM(net_amount), SUM(vat_amount), SUM(invoice_count)"
                " FROM invoice_year_summaries WHERE date_basis = 'invoiced'"
                " AND vendor_id = :vendor AND year = :year AND currency = 'SEK'"
                " GROUP BY currency",
                {"vendor": vendor, "year": year},
            ),
            (ROWS_SQL + drill_where + " ORDER BY i.invoiced_on DESC, i.id DESC LIMIT 50", span),
            *menus,
        ],
        "search": [
            (
                "SELECT id, name FROM vendors WHERE lower(name) LIKE '%konsult%'"
                " ORDER BY name LIMIT 10",
                {},
            ),
            (
                "SELECT vendor_id, currency, SUM(net_amount), SUM(invoice_count)"
                " FROM invoice_year_summaries WHERE date_basis = 'invoiced' AND vendor_id IN"
                " (SELECT id FROM vendors WHERE lower(name) LIKE '%konsult%'"
                " ORDER BY name LIMIT 10) GROUP BY vendor_id, currency",
                {},
            ),
        ],
    }


def page_paths(meta: dict) -> dict[str, str]:
    vendor, year = meta["busiest"]["vendor_id"], meta["busiest"]["year"]
    drill = urlencode(
        {"vendor": vendor, "year": year, "currency": "SEK", "status": "active"}, safe=","
    )
    return {
        "front page": "/",
        "pivot": "/reports/",
        "totals: year × vendor": "/reports/totals?by=year,vendor",
        "totals: month × category": "/reports/totals?by=month,category",
        "balance of a year": f"/reports/balance?year={meta['latest_year']}&date=invoiced",
        "vendor page": f"/vendors/{vendor}",
        "invoice list, page 1": "/invoices/",
        "invoice list, page 1,000": "/invoices/?page=1000",
        "drill-down": f"/invoices/?{drill}",
        "search": "/search?q=konsult",
    }


# --- timing ------------------------------------------------------------------------------------


def start_server(url: str, port: int) -> subprocess.Popen:
    environment = {
        **os.environ,
        "INSYN_ENV": "production",
        "SECRET_KEY": os.urandom(32).hex(),
        "DATABASE_URL": url,
        # Every page computed, not served from the public's short-lived copies.
        "INSYN_PUBLIC_CACHE_SECONDS": "0",
        # A worker that crashes leaves its Python stack in the log.
        "PYTHONFAULTHANDLER": "1",
    }
    process = subprocess.Popen(  # noqa: S603 - our own virtualenv's gunicorn
        [str(Path(sys.executable).parent / "gunicorn"), *GUNICORN, "--bind",
         f"127.0.0.1:{port}", "app.wsgi:application"],
        cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=SERVER_LOG.open("a"),
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("gunicorn did not answer /healthz:\n" + SERVER_LOG.read_text())


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def server_peaks(process: subprocess.Popen) -> list[int]:
    """The high-water mark of resident memory (VmHWM, kB) of gunicorn and each worker."""
    peaks = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        pid, parent = int(fields["Pid"]), int(fields["PPid"])
        if process.pid in (pid, parent) and "VmHWM" in fields:
            peaks.append(int(fields["VmHWM"].split()[0]))
    return peaks


class ServerGone(Exception):
    """The server closed the connection without an answer (its worker died)."""


def get(port: int, path: str, limit: float) -> float | None:
    """Seconds from sending the request to the last byte of a 200 answer; None when no
    answer came within ``limit`` seconds."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=limit)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
    except TimeoutError:
        connection.close()
        return None
    except OSError as error:
        raise ServerGone(f"GET {path}: {error}") from error
    elapsed = time.perf_counter() - started
    connection.close()
    if response.status != 200:
        raise SystemExit(f"GET {path} answered {response.status}: {body[:300]!r}")
    return elapsed


def bare(engine: sa.Engine, queries: list[tuple[str, dict]]) -> Callable[[], float]:
    dates = ("first", "last")
    statements = [
        (
            sa.text(sql).bindparams(
                *(sa.bindparam(n, type_=sa.Date) for n in dates if f":{n}" in sql)
            ),
            params,
        )
        for sql, params in queries
    ]

    def run() -> float:
        started = time.perf_counter()
        with engine.connect() as connection:
            for statement, params in statements:
                connection.execute(statement, params).all()
        return time.perf_counter() - started

    return run


def fill_flags(url: str) -> None:
    """Bring the database up to the newest migration, and store the flags of every contract
    that has none (as ``insyn setup`` does after an upgrade)."""
    from app.extensions import db
    from app.services import flag_store

    report_bench.migrate(url)
    app = report_bench.make_app(url)
    with app.app_context():
        started = time.perf_counter()
        stored = flag_store.fill_missing()
        if stored:
            took = time.perf_counter() - started
            print(f"  stored the flags of {stored:,} contracts in {took:.1f} s", flush=True)
        db.engine.dispose()


def measure(name: str, url: str, meta: dict, runs: int, slow: float, limit: float) -> list:
    """Each page's median over HTTP and its bare query's, in one server (started again after
    a page that gave no answer within ``limit`` seconds, to stop its work)."""
    fill_flags(url)
    port = free_port()
    server = start_server(url, port)
    engine = sa.create_engine(url)
    results, peaks = [], []
    try:
        paths = page_paths(meta)
        queries = bare_queries(engine.dialect.name, meta)
        for step, path in paths.items():
            run_bare = bare(engine, queries[step])
            failure = f"no answer in {limit:.0f} s"
            try:
                warm = get(port, path, limit)
                first = get(port, path, limit) if warm is not None else None
            except ServerGone as error:
                first, failure = None, f"the worker died ({error}; {SERVER_LOG.name})"
            run_bare()
            bare_times = [run_bare()]
            if first is None:
                bare_ms = bare_times[0] * 1000
                results.append((name, step, None, bare_ms))
                print(f"  {name:<10} {step:<26} app: {failure}  bare"
                      f" {bare_ms:8.1f} ms   GET {path}", flush=True)  # fmt: skip
                peaks += server_peaks(server)
                stop_server(server)
                port = free_port()
                server = start_server(url, port)
                continue
            app_times = [first]
            # A page slower than ``slow`` seconds is timed once (after its warm-up), not
            # ``runs`` times: its median would not change the verdict, only the hours.
            for _ in range(runs - 1 if first < slow else 0):
                try:
                    app_times.append(get(port, path, limit) or limit)
                except ServerGone as error:
                    print(f"  {name:<10} {step:<26} a run failed: {error}", flush=True)
                    stop_server(server)
                    port = free_port()
                    server = start_server(url, port)
                    continue
                bare_times.append(run_bare())
            app_ms = statistics.median(app_times) * 1000
            bare_ms = statistics.median(bare_times) * 1000
            results.append((name, step, app_ms, bare_ms))
            print(
                f"  {name:<10} {step:<26} app {app_ms:8.1f} ms  bare {bare_ms:8.1f} ms"
                f"  ratio {app_ms / bare_ms:6.2f}  ({len(app_times)} runs)  GET {path}",
                flush=True,
            )
        peaks += server_peaks(server)
        print(f"  {name}: server peak memory (VmHWM) per process: "
              + ", ".join(f"{kb / 1024:.0f} MB" for kb in sorted(peaks)))  # fmt: skip
    finally:
        stop_server(server)
        engine.dispose()
    return results


def time_import(url: str, rows: int, sqlite_path: Path | None) -> None:
    """``insyn import`` of ``rows`` generated rows (CSV) into a copy of the full database."""
    data = invoice_data.dataset(rows, OUT)
    environment = dict(os.environ)
    if sqlite_path is not None:
        copy = OUT / f"scale-import-{os.getpid()}.sqlite3"
        shutil.copyfile(sqlite_path, copy)
        environment["DATABASE_URL"] = f"sqlite:///{copy}"
    else:
        environment["DATABASE_URL"] = url
    log = OUT / "scale-import.log"
    started = time.perf_counter()
    with log.open("w") as output_file:
        process = subprocess.Popen(  # noqa: S603 - our own virtualenv's insyn
            [str(Path(sys.executable).parent / "insyn"), "import", str(data.csv)],
            cwd=ROOT, env=environment, stdout=output_file, stderr=subprocess.STDOUT,
        )  # fmt: skip
        _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    output = log.read_text()
    if sqlite_path is not None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
    verdict = "ok" if os.waitstatus_to_exitcode(status) == 0 else "FAILED\n" + output[-2000:]
    print(
        f"  import of {rows:,} rows (CSV) into the full table: {elapsed:.1f} s,"
        f" peak {usage.ru_maxrss / 1024:.0f} MB: {verdict}",
        flush=True,
    )


def report(results: list[tuple]) -> None:
    print()
    print(f"{'':<10}  {'page':<26}  {'app median':>11}  {'bare median':>11}  {'ratio':>6}  goal")
    for name, step, app_ms, bare_ms in results:
        if app_ms is None:
            print(f"{name:<10}  {step:<26}  {'no answer':>11}  {bare_ms:8.1f} ms  {'':>6}  MISSED")
            continue
        ratio = app_ms / bare_ms
        fast = app_ms <= GOAL_MS
        close = ratio <= GOAL_RATIO
        verdict = "holds" if fast and close else ("within 300 ms" if fast else "MISSED")
        print(
            f"{name:<10}  {step:<26}  {app_ms:8.1f} ms  {bare_ms:8.1f} ms  {ratio:6.2f}  {verdict}"
        )


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="invoices (10,000,000)")
    parser.add_argument("--runs", type=int, default=9, help="timed requests of each page (9)")
    parser.add_argument(
        "--import-rows", type=int, default=1_000_000, help="rows to import (0: no import)"
    )
    parser.add_argument(
        "--slow", type=float, default=10.0, help="seconds above which a page is timed once"
    )
    parser.add_argument(
        "--limit", type=float, default=120.0, help="seconds a page may take before giving up"
    )
    parser.add_argument("--rebuild", action="store_true", help="build the SQLite database again")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--pg-database", default="insyn_scale_bench", help="its name there")
    parser.add_argument("--only", choices=("sqlite", "postgresql"), help="one database only")
    options = parser.parse_args()
    if options.rows < 1 or options.runs < 1 or options.import_rows < 0:
        parser.error("--rows and --runs must be at least 1, --import-rows at least 0")
    server = os.environ.pop("DATABASE_URL", "").strip()
    if server and not server.startswith(("postgresql", "postgres:")):
        raise SystemExit(f"DATABASE_URL must name a PostgreSQL server (or be unset): {server}")
    sqlite_url, meta = sqlite_database(options.rows, options.rebuild)
    SERVER_LOG.write_text("")
    path = sqlite_paths(options.rows)[0]
    busy = meta["busiest"]
    print(
        f"{options.rows:,} invoices ({'cached' if meta.get('cached') else 'built'} database,"
        f" {path.stat().st_size / 2**30:.1f} GiB); drill-down and vendor page:"
        f" {busy['vendor']} (id {busy['vendor_id']}), {busy['count']:,} invoices in {busy['year']}"
    )
    print(f"Code: {code_version()}")
    print(f"Load average before: {_load()} ({os.cpu_count()} CPUs); median of {options.runs}")
    results = []
    if options.only != "postgresql":
        results += measure("SQLite", sqlite_url, meta, options.runs, options.slow, options.limit)
        if options.import_rows:
            time_import(sqlite_url, options.import_rows, path)
    if server and options.only != "sqlite":
        pg_url = postgres_database(server, sqlite_url, options.pg_database, options.keep)
        try:
            results += measure(
                "PostgreSQL", pg_url, meta, options.runs, options.slow, options.limit
            )
            if options.import_rows:
                time_import(pg_url, options.import_rows, None)
        finally:
            if not options.keep:
                drop_postgres(server, options.pg_database)
    report(results)
    print(f"\nLoad average after: {_load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
