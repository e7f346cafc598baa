"""How fast the reports answer over a million invoices, against the bare SQL they need.

Builds (or reuses, from ``bench/out/``) a SQLite database made by Insyn's migrations and
holding N generated invoices (``bench/invoice_data.py``: about 2,000 vendors with a long tail,
15 years, credit notes), then times, in one process:

- the year × vendor pivot, ``GET /reports/`` (the HTML page), against the bare GROUP BY of
  vendor, year and currency with SUM and COUNT over the valid invoices;
- a drill-down, ``GET /invoices/?vendor=V&year=Y&currency=SEK&status=active`` (the list a
  pivot figure links to: its first page of 50 rows with their sums), against the bare SELECT
  of those 50 rows, ordered as the page orders them, the SUM and COUNT of the same rows, and
  the small look-ups the page also shows (the vendor's name, the category and department
  menus, the years that have invoices).

The pages are requested through the app with Flask's test client; the bare SQL is
hand-written ``sa.text`` run through the same engine. V and Y are the busiest vendor and year
(the largest vendor's busiest year: the longest list a pivot figure leads to). Each step runs
once to warm up, then ``--runs`` times, app and bare SQL in turn; the table shows the best and
the median, the ratio of the medians and whether it meets its target. It measures; it asserts
nothing.

With ``DATABASE_URL`` set to a PostgreSQL server it does the same, after SQLite, on a database
of its own created there (``insyn_report_bench``) and loaded with COPY from the SQLite one, so
both hold the very same rows; the database is dropped at the end unless ``--keep``.

    .venv/bin/python bench/report_bench.py [--rows N] [--runs 5] [--rebuild]
    .venv/bin/python bench/report_bench.py --rows 100000 --profile drilldown
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import invoice_data
import sqlalchemy as sa
from import_bench import code_version

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
sys.path.insert(0, str(ROOT))

#: Bump when the generated database changes, so cached ones are built again (2: with its
#: invoice summaries filled).
DB_VERSION = 2
#: The targets: the app's time at most this many times the bare SQL's.
TARGETS = {"pivot": 1.5, "drill-down": 2.0}
#: The PostgreSQL database this benchmark creates (and drops) on the server.
PG_DATABASE = "insyn_report_bench"
#: Rows per executemany.
CHUNK = 20_000
#: Every record's created_at and updated_at (UTC), as SQLAlchemy stores a datetime in SQLite.
STAMP = "2025-01-15 08:00:00.000000"
#: About one invoice in 200 is voided (and counts in no total).
VOID_SHARE = 0.005
#: VAT rates in percent and their weights: most consultancy at 25 %, some 6 % and 12 %, some 0.
VAT_RATES = ((25, 85), (12, 3), (6, 5), (0, 7))

INVOICE_COLUMNS = (
    "id",
    "vendor_id",
    "invoice_number",
    "invoiced_on",
    "paid_on",
    "net_amount",
    "vat_amount",
    "currency",
    "category_id",
    "department_id",
    "voided_at",
    "void_reason",
    "created_at",
    "updated_at",
    "version",
)
#: Tables the benchmark fills (in this order, for the foreign keys).
TABLES = ("vendors", "categories", "departments", "invoices")


# --- the data ----------------------------------------------------------------------------------


def _table(name: str, *columns: str) -> sa.TableClause:
    """A bare table clause: values go in as given, with no type conversion."""
    return sa.table(name, *(sa.column(column) for column in columns))


def vendor_records() -> list[dict]:
    """The generator's vendors (the same ones, in the same order, as ``invoice_rows`` draws
    from), ids from 1."""
    from app.text import name_key

    vendors = invoice_data.make_vendors(random.Random(invoice_data.SEED))
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


def named_records(names) -> list[dict]:
    return [
        {"id": number, "name": name, "created_at": STAMP, "updated_at": STAMP, "version": 1}
        for number, name in enumerate(names, start=1)
    ]


def invoice_records(
    rows: int, vendor_ids: dict[str, int], ledger: Iterator[tuple] | None = None
) -> Iterator[tuple]:
    """The invoices as stored in SQLite (ISO dates, whole öre), in INVOICE_COLUMNS order: the
    ledger rows of ``invoice_data`` (or ``ledger``, rows as ``invoice_data.invoice_rows``
    yields them) with VAT, a payment date and an occasional void added from a second seeded
    generator."""
    rng = random.Random(invoice_data.SEED + 1)
    category_ids = {name: n for n, name in enumerate(invoice_data.CATEGORIES, start=1)}
    department_ids = {name: n for n, name in enumerate(invoice_data.DEPARTMENTS, start=1)}
    rates = [rate for rate, _weight in VAT_RATES]
    weights = [weight for _rate, weight in VAT_RATES]
    delays = [dt.timedelta(days=d) for d in range(61)]
    uniform = rng.random
    if ledger is None:
        ledger = invoice_data.invoice_rows(rows)
    for number, (vendor, invoice_number, day, amount, category, department) in enumerate(
        ledger, start=1
    ):
        ore = int(amount.scaleb(2))
        rate = rng.choices(rates, weights)[0]
        vat = (abs(ore) * rate + 50) // 100 * (1 if ore >= 0 else -1)
        voided = uniform() < VOID_SHARE
        yield (
            number,
            vendor_ids[vendor.org_number],
            str(invoice_number),
            day.isoformat(),
            (day + delays[5 + int(uniform() * 55)]).isoformat(),
            ore,
            vat,
            "SEK",
            category_ids[category],
            department_ids[department],
            STAMP if voided else None,
            "Felregistrerad" if voided else None,
            STAMP,
            STAMP,
            1,
        )


def _chunks(records: Iterator[tuple], size: int = CHUNK) -> Iterator[list[dict]]:
    chunk: list[dict] = []
    for record in records:
        chunk.append(dict(zip(INVOICE_COLUMNS, record, strict=True)))
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# --- the databases -----------------------------------------------------------------------------


def make_app(url: str, **extra):
    """An Insyn app on ``url``, configured as it serves (not in testing mode)."""
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "report-bench", **extra})


def migrate(url: str) -> None:
    """Bring the database at ``url`` up to the newest migration with the app's own Alembic
    migrations (its engine disposed after, so the file can be written to directly)."""
    from flask_migrate import upgrade

    from app.extensions import db

    app = make_app(url)
    with app.app_context():
        upgrade()
        db.engine.dispose()


def fill_summaries(url: str) -> None:
    """Fill the invoice summaries from the invoices loaded past the app (as ``insyn db
    rebuild-summaries`` does): the pivot reads them."""
    from app.extensions import db
    from app.services import summaries

    app = make_app(url)
    with app.app_context():
        summaries.rebuild()
        db.session.commit()
        db.engine.dispose()


def newest_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(ROOT / "migrations")).get_current_head()


def schema_revision(engine: sa.Engine) -> str:
    with engine.connect() as connection:
        return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()


def sqlite_paths(rows: int) -> tuple[Path, Path]:
    return OUT / f"report-{rows}.sqlite3", OUT / f"report-{rows}.json"


def busiest(connection: sa.Connection) -> dict:
    """The vendor and year with the most valid invoices: a large vendor's busiest year."""
    vendor_id, year, count = connection.execute(
        sa.text(
            "SELECT vendor_id, CAST(strftime('%Y', invoiced_on) AS INTEGER) AS year, COUNT(*)"
            " FROM invoices WHERE voided_at IS NULL"
            " GROUP BY vendor_id, year ORDER BY COUNT(*) DESC, vendor_id, year LIMIT 1"
        )
    ).one()
    name = connection.execute(
        sa.text("SELECT name FROM vendors WHERE id = :id"), {"id": vendor_id}
    ).scalar_one()
    return {"vendor_id": vendor_id, "vendor": name, "year": year, "count": count}


def sqlite_database(rows: int, rebuild: bool) -> tuple[str, dict]:
    """The SQLite database of ``rows`` invoices, built or taken from the cache; its URL and
    what the cache knows about it. The cache is brought up to the newest migration (and
    analysed again when one was applied)."""
    path, meta_path = sqlite_paths(rows)
    url = f"sqlite:///{path}"
    cached = meta_path.exists() and path.exists() and not rebuild
    meta = json.loads(meta_path.read_text()) if cached else {}
    if meta.get("version") != DB_VERSION or meta.get("rows") != rows:
        meta = build_sqlite(path, meta_path, rows)
        return url, meta
    engine = sa.create_engine(url)
    try:
        before = schema_revision(engine)
        if before != newest_revision():
            migrate(url)
            after = schema_revision(engine)
            print(f"cached database migrated {before} → {after}; analysing")
            with engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE")
            meta["revision"] = after
            meta_path.write_text(json.dumps(meta, indent=2))
    finally:
        engine.dispose()
    meta["cached"] = True
    return url, meta


def build_sqlite(path: Path, meta_path: Path, rows: int) -> dict:
    """A new SQLite file made by the migrations, then the rows inserted with executemany (the
    invoices' indexes dropped while loading and made again after), then ANALYZE."""
    OUT.mkdir(parents=True, exist_ok=True)
    meta_path.unlink(missing_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    print(f"building {path.relative_to(ROOT)} with {rows:,} invoices …", flush=True)
    started = time.perf_counter()
    migrate(url)
    engine = sa.create_engine(url)

    @sa.event.listens_for(engine, "connect")
    def _fast(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA synchronous = OFF")
        dbapi_connection.execute("PRAGMA cache_size = -500000")

    try:
        vendors = vendor_records()
        with engine.begin() as connection:
            connection.execute(_table("vendors", *vendors[0]).insert(), vendors)
            for name, names in (
                ("categories", invoice_data.CATEGORIES),
                ("departments", invoice_data.DEPARTMENTS),
            ):
                records = named_records(names)
                connection.execute(_table(name, *records[0]).insert(), records)
            indexes = connection.execute(
                sa.text(
                    "SELECT name, sql FROM sqlite_master"
                    " WHERE type = 'index' AND tbl_name = 'invoices' AND sql IS NOT NULL"
                )
            ).all()
            for name, _sql in indexes:
                connection.exec_driver_sql(f'DROP INDEX "{name}"')
            vendor_ids = {v["org_number"]: v["id"] for v in vendors}
            table = _table("invoices", *INVOICE_COLUMNS)
            for chunk in _chunks(invoice_records(rows, vendor_ids)):
                connection.execute(table.insert(), chunk)
            loaded = time.perf_counter()
            for _name, sql in indexes:
                connection.exec_driver_sql(sql)
        fill_summaries(url)
        with engine.begin() as connection:
            indexed = time.perf_counter()
            connection.exec_driver_sql("ANALYZE")
            meta = {
                "version": DB_VERSION,
                "rows": rows,
                "revision": connection.execute(
                    sa.text("SELECT version_num FROM alembic_version")
                ).scalar_one(),
                "busiest": busiest(connection),
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


def postgres_database(server_url: str, sqlite_url: str, keep: bool) -> tuple[str, bool]:
    """The PostgreSQL database, with the SQLite database's rows: reused when a kept one holds
    them (its comment says which), else created, migrated, loaded with COPY, vacuumed and
    analysed. Returns its URL and whether it was reused."""
    from app.config import with_driver

    server = sa.make_url(with_driver(server_url))
    url = server.set(database=PG_DATABASE).render_as_string(hide_password=False)
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    source = sa.create_engine(sqlite_url)
    try:
        with source.connect() as connection:
            wanted = {
                "version": DB_VERSION,
                "rows": connection.execute(sa.text("SELECT COUNT(*) FROM invoices")).scalar_one(),
                "revision": connection.execute(
                    sa.text("SELECT version_num FROM alembic_version")
                ).scalar_one(),
            }
        with admin.connect() as connection:
            comment = connection.execute(
                sa.text(
                    "SELECT shobj_description(oid, 'pg_database') FROM pg_database"
                    " WHERE datname = :name"
                ),
                {"name": PG_DATABASE},
            ).first()
        if keep and comment and comment[0] and json.loads(comment[0]) == wanted:
            return url, True
        print(f"loading PostgreSQL database {PG_DATABASE} …", flush=True)
        started = time.perf_counter()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
            connection.exec_driver_sql(f'CREATE DATABASE "{PG_DATABASE}"')
        migrate(url)
        copy_tables(source, url)
        fill_summaries(url)
        loaded = time.perf_counter()
        target = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with target.connect() as connection:
                connection.exec_driver_sql("VACUUM (ANALYZE)")
        finally:
            target.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(
                f"COMMENT ON DATABASE \"{PG_DATABASE}\" IS '{json.dumps(wanted)}'"
            )
        print(
            f"  copied in {loaded - started:.1f} s, vacuumed and analysed in "
            f"{time.perf_counter() - loaded:.1f} s",
            flush=True,
        )
        return url, False
    finally:
        source.dispose()
        admin.dispose()


def copy_tables(source: sa.Engine, url: str) -> None:
    """The benchmark's tables copied from SQLite with COPY (the invoices' indexes dropped
    while loading and made again after); sequences moved past the ids."""
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
            for table in TABLES:
                result = reader.exec_driver_sql(f'SELECT * FROM "{table}"')  # noqa: S608
                columns = ", ".join(f'"{name}"' for name in list(result.keys()))
                with cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
                    for row in result:
                        copy.write_row(row)
                writer.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608
                    f' (SELECT MAX(id) FROM "{table}"))'
                )
            for _name, sql in indexes:
                writer.exec_driver_sql(sql)
    finally:
        target.dispose()


# --- the bare SQL ------------------------------------------------------------------------------

#: The year of an invoice date, as each database writes it.
YEAR = {
    "sqlite": "CAST(strftime('%Y', invoiced_on) AS INTEGER)",
    "postgresql": "CAST(EXTRACT(YEAR FROM invoiced_on) AS INTEGER)",
}
PIVOT_SQL = (
    "SELECT vendor_id, {year} AS year, currency, SUM(net_amount), COUNT(*)"
    " FROM invoices WHERE voided_at IS NULL"
    " GROUP BY vendor_id, {year}, currency"
)
DRILL_WHERE = (
    " WHERE i.vendor_id = :vendor AND i.invoiced_on BETWEEN :first AND :last"
    " AND i.currency = :currency AND i.voided_at IS NULL"
)
DRILL_ROWS_SQL = (
    "SELECT i.id, i.invoiced_on, v.name, i.vendor_id, i.invoice_number, i.voided_at,"  # noqa: S608
    " c.name, i.description, i.net_amount, i.vat_amount, i.currency, i.paid_on"
    " FROM invoices i JOIN vendors v ON v.id = i.vendor_id"
    " LEFT JOIN categories c ON c.id = i.category_id"
    + DRILL_WHERE
    + " ORDER BY i.invoiced_on DESC, i.id DESC LIMIT 50"
)
DRILL_SUMS_SQL = (
    "SELECT i.currency, SUM(i.net_amount), SUM(i.vat_amount), COUNT(*) FROM invoices i"  # noqa: S608
    + DRILL_WHERE
    + " GROUP BY i.currency"
)

#: What else the drill-down page shows: the name of the vendor it is narrowed to, and its
#: filter menus (categories, departments, and the years that have invoices, found by stepping
#: down the invoice-date index a year at a time, as Insyn does).
DRILL_LOOKUPS_SQL = (
    "SELECT name FROM vendors WHERE id = :vendor",
    "SELECT id, name FROM categories ORDER BY lower(name)",
    "SELECT id, name FROM departments ORDER BY lower(name)",
)
YEARS_SQL = {
    "sqlite": (
        "WITH RECURSIVE years(y) AS ("
        " SELECT CAST(strftime('%Y', MAX(invoiced_on)) AS INTEGER) FROM invoices"
        " UNION ALL SELECT (SELECT CAST(strftime('%Y', MAX(invoiced_on)) AS INTEGER)"
        " FROM invoices WHERE invoiced_on < printf('%04d-01-01', y))"
        " FROM years WHERE y IS NOT NULL)"
        " SELECT y FROM years WHERE y IS NOT NULL"
    ),
    "postgresql": (
        "WITH RECURSIVE years(y) AS ("
        " SELECT CAST(EXTRACT(YEAR FROM MAX(invoiced_on)) AS INTEGER) FROM invoices"
        " UNION ALL SELECT (SELECT CAST(EXTRACT(YEAR FROM MAX(invoiced_on)) AS INTEGER)"
        " FROM invoices WHERE invoiced_on < make_date(y, 1, 1))"
        " FROM years WHERE y IS NOT NULL)"
        " SELECT y FROM years WHERE y IS NOT NULL"
    ),
}


def bare_pivot(engine: sa.Engine) -> Callable[[], list]:
    statement = sa.text(PIVOT_SQL.format(year=YEAR[engine.dialect.name]))

    def run() -> list:
        with engine.connect() as connection:
            return connection.execute(statement).all()

    return run


def bare_drilldown(engine: sa.Engine, vendor_id: int, year: int) -> Callable[[], tuple]:
    params = {
        "vendor": vendor_id,
        "first": dt.date(year, 1, 1),
        "last": dt.date(year, 12, 31),
        "currency": "SEK",
    }
    dates = (sa.bindparam("first", type_=sa.Date), sa.bindparam("last", type_=sa.Date))
    rows_statement = sa.text(DRILL_ROWS_SQL).bindparams(*dates)
    sums_statement = sa.text(DRILL_SUMS_SQL).bindparams(*dates)
    lookups = [sa.text(sql) for sql in DRILL_LOOKUPS_SQL]
    lookups.append(sa.text(YEARS_SQL[engine.dialect.name]))

    def run() -> tuple:
        with engine.connect() as connection:
            rows = connection.execute(rows_statement, params).all()
            sums = connection.execute(sums_statement, params).all()
            for lookup in lookups:
                connection.execute(lookup, {"vendor": vendor_id}).all()
        return rows, sums

    return run


# --- timing ------------------------------------------------------------------------------------


@dataclass
class Result:
    step: str
    request: str
    app: list[float]
    bare: list[float]

    @property
    def ratio(self) -> float:
        return statistics.median(self.app) / statistics.median(self.bare)

    @property
    def target(self) -> float:
        return TARGETS[self.step]


def fetch(client, path: str) -> Callable[[], bytes]:
    def run() -> bytes:
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} answered {response.status_code}")
        return response.data

    return run


def compare(step: str, path: str, app_run: Callable, bare_run: Callable, runs: int) -> Result:
    """Both once to warm up, then ``runs`` times each, in turn."""
    app_run()
    bare_run()
    app_times, bare_times = [], []
    for _ in range(runs):
        started = time.perf_counter()
        app_run()
        app_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        bare_run()
        bare_times.append(time.perf_counter() - started)
    return Result(step, path, app_times, bare_times)


def drilldown_path(app, vendor_id: int, year: int) -> str:
    """The link a pivot figure carries for a vendor in a year."""
    from app.services.invoice_filters import InvoiceFilters
    from app.web.report_args import invoices_url

    with app.test_request_context():
        return invoices_url(InvoiceFilters(), vendor_id=vendor_id, year=year, currency="SEK")


def agreement(app, pivot_rows: list, drill: tuple, vendor_id: int, year: int) -> str:
    """Whether the services behind the pages give the bare SQL's figures and rows, every
    pivot cell included (checked outside the clock)."""
    from decimal import Decimal

    from app.extensions import db
    from app.services.invoice_filters import InvoiceFilters
    from app.services.invoices import invoice_select
    from app.services.invoices import invoice_totals
    from app.services.totals import TotalsQuery
    from app.services.totals import pivot
    from app.services.totals import totals

    filters = InvoiceFilters(vendor_id=vendor_id, year=year, currency="SEK", status="active")
    with app.app_context():
        cells = {
            (row.keys["vendor"], row.keys["year"], row.currency): (row.amount, row.count)
            for row in totals(TotalsQuery(by=("vendor", "year")))
        }
        shown = pivot(InvoiceFilters())
        sums = invoice_totals(filters)
        ids = [invoice.id for invoice in db.session.scalars(invoice_select(filters).limit(50))]
    bare_cells = {
        (vendor, year, currency): (Decimal(ore).scaleb(-2), count)
        for vendor, year, currency, ore, count in pivot_rows
    }
    per_currency: dict = {}
    for (_vendor, _year, currency), (amount, count) in bare_cells.items():
        total, number = per_currency.get(currency, (Decimal(0), 0))
        per_currency[currency] = (total + amount, number + count)
    bare_rows, bare_sums = drill
    checks = {
        "pivot cells": cells == bare_cells,
        "pivot totals": {p.currency: (p.total, p.count) for p in shown} == per_currency,
        "drill-down rows": ids == [row[0] for row in bare_rows],
        "drill-down sums": [(t.net_amount, t.vat_amount, t.count) for t in sums]
        == [(Decimal(net).scaleb(-2), Decimal(vat).scaleb(-2), n) for _c, net, vat, n in bare_sums],
    }
    return ", ".join(f"{name} {'agree' if ok else 'DIFFER'}" for name, ok in checks.items())


def measure(name: str, url: str, meta: dict, runs: int) -> list[Result]:
    app = make_app(url)
    client = app.test_client()
    busy = meta["busiest"]
    path = drilldown_path(app, busy["vendor_id"], busy["year"])
    with app.app_context():
        from app.extensions import db

        engine = db.engine
        with engine.connect() as connection:
            invoices, vendors = connection.execute(
                sa.text("SELECT COUNT(*), COUNT(DISTINCT vendor_id) FROM invoices")
            ).one()
        print()
        print(
            f"{name}: {invoices:,} invoices from {vendors:,} vendors; drill-down to "
            f"{busy['vendor']} (id {busy['vendor_id']}) in {busy['year']}: "
            f"{busy['count']:,} valid invoices"
        )
        pivot_run = bare_pivot(engine)
        drill_run = bare_drilldown(engine, busy["vendor_id"], busy["year"])
        results = [
            compare("pivot", "/reports/", fetch(client, "/reports/"), pivot_run, runs),
            compare("drill-down", path, fetch(client, path), drill_run, runs),
        ]
        print(f"  {agreement(app, pivot_run(), drill_run(), busy['vendor_id'], busy['year'])}")
        engine.dispose()
    return results


#: The report's columns: heading and width (the first two left-aligned, the rest right).
COLUMNS = (
    ("", 10),
    ("", 10),
    ("app median", 11),
    ("app best", 10),
    ("bare median", 11),
    ("bare best", 10),
    ("app/bare", 8),
    ("target", 15),
)


def report(measured: list[tuple[str, list[Result]]]) -> None:
    """The table of times and ratios, one line per database and step, after the requests."""
    print()
    for result in measured[0][1]:
        print(f"{result.step + ':':<12} GET {result.request}")
    print()
    _line(heading for heading, _width in COLUMNS)
    for name, results in measured:
        for result in results:
            verdict = "holds" if result.ratio <= result.target else "MISSED"
            _line(
                (
                    name,
                    result.step,
                    _ms(statistics.median(result.app)),
                    _ms(min(result.app)),
                    _ms(statistics.median(result.bare)),
                    _ms(min(result.bare)),
                    f"{result.ratio:.2f}",
                    f"≤ {result.target} {verdict}",
                )
            )


def _line(cells) -> None:
    print(
        "  ".join(
            f"{text:<{width}}" if index < 2 else f"{text:>{width}}"
            for index, (text, (_heading, width)) in enumerate(zip(cells, COLUMNS, strict=True))
        )
    )


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


# --- profiling ---------------------------------------------------------------------------------


def profile(url: str, meta: dict, page: str, runs: int, top: int) -> None:
    """Request one page ``runs`` times under cProfile (after a warm-up) and print the
    functions with the largest cumulative and own times."""
    import cProfile
    import pstats

    app = make_app(url)
    client = app.test_client()
    busy = meta["busiest"]
    path = "/reports/" if page == "pivot" else drilldown_path(app, busy["vendor_id"], busy["year"])
    run = fetch(client, path)
    run()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        run()
    profiler.disable()
    output = OUT / f"profile-report-{page}-{meta['rows']}.prof"
    profiler.dump_stats(output)
    print(f"GET {path}, {runs} times under cProfile; statistics kept in {output.relative_to(ROOT)}")
    stats = pstats.Stats(str(output))
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


# --- the run -----------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="invoices (default 1,000,000)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each step (default 5)")
    parser.add_argument(
        "--rebuild", action="store_true", help="build the SQLite database again even if cached"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the PostgreSQL database, and reuse a kept one"
    )
    parser.add_argument(
        "--profile",
        choices=("pivot", "drilldown"),
        help="profile this page on SQLite (or PostgreSQL with DATABASE_URL) instead",
    )
    parser.add_argument("--top", type=int, default=30, help="functions a profile lists")
    options = parser.parse_args()
    if options.rows < 1 or options.runs < 1:
        parser.error("--rows and --runs must be at least 1")
    server = os.environ.pop("DATABASE_URL", "").strip()
    if server and not server.startswith(("postgresql", "postgres:")):
        raise SystemExit(f"DATABASE_URL must name a PostgreSQL server (or be unset): {server}")

    sqlite_url, meta = sqlite_database(options.rows, options.rebuild)
    if options.profile:
        url = sqlite_url
        if server:
            url, _reused = postgres_database(server, sqlite_url, keep=True)
        profile(url, meta, options.profile, options.runs, options.top)
        return 0

    print(f"{options.rows:,} invoices ({'cached' if meta.get('cached') else 'built'} database)")
    print(f"Code: {code_version()}")
    print(f"Load average before: {_load()} ({os.cpu_count()} CPUs); {options.runs} runs each")
    measured = [("SQLite", measure("SQLite", sqlite_url, meta, options.runs))]
    if server:
        pg_url, reused = postgres_database(server, sqlite_url, options.keep)
        try:
            name = "PostgreSQL"
            print(f"{name}: database {PG_DATABASE} ({'kept' if reused else 'loaded'})")
            measured.append((name, measure(name, pg_url, meta, options.runs)))
        finally:
            if not options.keep:
                drop_postgres(server)
    report(measured)
    print()
    print(f"Load average after: {_load()}")
    return 0


def drop_postgres(server_url: str) -> None:
    from app.config import with_driver

    admin = sa.create_engine(with_driver(server_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
    finally:
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
