"""How much the invoice summaries save: the report services timed reading the summaries
against the same services summing the invoices table.

Builds a database of N invoices (default 1,000,000) with Insyn's migrations and bulk inserts
at the driver level (SQLite executemany with the invoices' indexes dropped and made again;
PostgreSQL COPY), fills the summaries as ``insyn db rebuild-summaries`` does (timed), checks
they are exact, then times each service call ``--runs`` times both ways and prints the
medians:

- ``totals`` by year × vendor, all invoices;
- the year × vendor ``pivot`` (top 20 and the others);
- the front page: ``yearly_overview`` and ``counts``;
- the ``balance`` of the busiest year by payment date;
- a vendor page's yearly bars (``yearly_totals``) for the largest vendor.

"From the invoices" is the same service with the summaries switched off (the filters the
summaries cannot answer take that path); for the front page it is the query it ran before.

SQLite: a file in ``bench/out/`` (reused while N and the schema are the same). PostgreSQL:
the database ``DATABASE_URL`` names, which must be empty or hold this benchmark's rows; it is
never dropped. It measures; it asserts nothing.

    .venv/bin/python bench/summary_bench.py [--rows N] [--runs 5]
    DATABASE_URL=postgresql://postgres@127.0.0.1:55432/mybench \\
        .venv/bin/python bench/summary_bench.py
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

import sqlalchemy as sa

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
sys.path.insert(0, str(ROOT))

VENDORS = 2_000
CATEGORIES = 12
DEPARTMENTS = 8
YEARS = range(2010, 2025)
CHUNK = 50_000
STAMP = "2025-01-15 08:00:00.000000"


def make_app(url: str):
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "summary-bench"})


def rows(count: int, seed: int = 7):
    """Invoice tuples: a long tail of vendors, 15 years, a third unpaid, credit notes, a few
    voided, some in EUR and USD; each vendor with its usual category and department."""
    rng = random.Random(seed)
    weights = [1 / (rank + 1) for rank in range(VENDORS)]
    # A supplier mostly bills one kind of work to one or two departments, as in a real ledger.
    usual = [
        (rng.randrange(1, CATEGORIES + 1), rng.randrange(1, DEPARTMENTS + 1))
        for _ in range(VENDORS + 1)
    ]
    vendor_ids = rng.choices(range(1, VENDORS + 1), weights, k=count)
    first = dt.date(YEARS[0], 1, 1).toordinal()
    span = dt.date(YEARS[-1], 12, 31).toordinal() - first
    for n in range(count):
        invoiced = dt.date.fromordinal(first + rng.randrange(span))
        paid = invoiced + dt.timedelta(days=rng.randrange(60)) if rng.random() > 0.3 else None
        net = rng.randrange(100, 20_000_000) * (-1 if rng.random() < 0.03 else 1)
        currency = "SEK" if rng.random() < 0.98 else rng.choice(("EUR", "USD"))
        voided = rng.random() < 0.005
        yield (
            vendor_ids[n],
            f"B-{n}",
            invoiced.isoformat(),
            paid.isoformat() if paid else None,
            net,
            net // 4 if currency == "SEK" else 0,
            currency,
            _usual(rng, usual[vendor_ids[n]][0], CATEGORIES, 0.9),
            _usual(rng, usual[vendor_ids[n]][1], DEPARTMENTS, 0.8),
            STAMP,
            STAMP,
            STAMP if voided else None,
            "bench" if voided else None,
        )


def _usual(rng: random.Random, usual: int, choices: int, share: float) -> int | None:
    """``usual`` most of the time, else another or none."""
    draw = rng.random()
    if draw < share:
        return usual
    return rng.randrange(1, choices + 1) if draw < (1 + share) / 2 else None


COLUMNS = (
    "vendor_id, invoice_number, invoiced_on, paid_on, net_amount, vat_amount, currency, "
    "category_id, department_id, created_at, updated_at, voided_at, void_reason"
)


def build(url: str, count: int) -> None:
    """Migrate, then load the vendors, lists and ``count`` invoices at the driver level."""
    from flask_migrate import upgrade

    from app.extensions import db

    app = make_app(url)
    with app.app_context():
        upgrade()
        engine = db.engine
        postgres = engine.dialect.name == "postgresql"
        with engine.begin() as connection:
            have = connection.execute(sa.text("SELECT COUNT(*) FROM invoices")).scalar_one()
            if have == count:
                print(f"reusing the {count:,} invoices already there")
                return
            if have:
                raise SystemExit(f"the database holds {have:,} other invoices: use an empty one")
            started = time.perf_counter()
            for table, total, name in (
                ("vendors", VENDORS, "Leverantör {} AB"),
                ("categories", CATEGORIES, "Kategori {}"),
                ("departments", DEPARTMENTS, "Förvaltning {}"),
            ):
                extra = (
                    ", name_key, id_kind, country, is_private_person" if table == "vendors" else ""
                )
                values = ", :key, 'none', 'SE', false" if table == "vendors" else ""
                connection.execute(
                    sa.text(
                        f"INSERT INTO {table} (id, name, created_at, updated_at, version{extra})"  # noqa: S608
                        f" VALUES (:id, :name, :at, :at, 1{values})"
                    ),
                    [
                        {
                            "id": i,
                            "name": name.format(i),
                            "key": name.format(i).lower(),
                            "at": STAMP,
                        }
                        for i in range(1, total + 1)
                    ],
                )
            indexes = [index for index in db.metadata.tables["invoices"].indexes]
            for index in indexes:
                index.drop(connection)
            if postgres:
                cursor = connection.connection.driver_connection.cursor()
                with cursor.copy(f"COPY invoices ({COLUMNS}) FROM STDIN") as copy:
                    for row in rows(count):
                        copy.write_row(row)
                for table in ("vendors", "categories", "departments"):
                    connection.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608
                        f" (SELECT MAX(id) FROM {table}))"
                    )
            else:
                placeholders = ", ".join("?" for _ in COLUMNS.split(","))
                insert = f"INSERT INTO invoices ({COLUMNS}) VALUES ({placeholders})"  # noqa: S608
                batch = []
                for row in rows(count):
                    batch.append(row)
                    if len(batch) == CHUNK:
                        connection.exec_driver_sql(insert, batch)
                        batch = []
                if batch:
                    connection.exec_driver_sql(insert, batch)
            for index in indexes:
                index.create(connection)
            print(f"loaded {count:,} invoices in {time.perf_counter() - started:.1f} s")
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM ANALYZE" if postgres else "ANALYZE"
            )


def fill(url: str) -> None:
    """The summaries filled from the invoices (``rebuild``), timed, then checked exact."""
    from app.extensions import db
    from app.services import summaries

    app = make_app(url)
    with app.app_context():
        started = time.perf_counter()
        found = summaries.rebuild()
        db.session.commit()
        took = time.perf_counter() - started
        months, years = (
            db.session.scalar(sa.text(f"SELECT COUNT(*) FROM {table}"))  # noqa: S608
            for table in ("invoice_summaries", "invoice_year_summaries")
        )
        print(
            f"rebuild-summaries: {len(found):,} rows written in {took:.1f} s"
            f" ({months:,} by month and key, {years:,} by year, vendor and currency)"
        )
        started = time.perf_counter()
        assert summaries.differences() == []
        print(f"checked exact in {time.perf_counter() - started:.1f} s")
        db.engine.dispose()


@contextlib.contextmanager
def from_invoices():
    """The services with the summaries switched off."""
    from app.services import invoices
    from app.services import totals

    saved = totals.year_or_month_scope, invoices.year_or_month_scope
    totals.year_or_month_scope = invoices.year_or_month_scope = lambda *_a, **_k: None
    try:
        yield
    finally:
        totals.year_or_month_scope, invoices.year_or_month_scope = saved


def front_page_from_invoices():
    """The front page's invoice figures as they were summed before the summaries."""
    from app.extensions import db
    from app.models import Invoice

    year = sa.extract("year", Invoice.invoiced_on)
    live = Invoice.voided_at.is_(None)
    db.session.execute(
        sa.select(year, Invoice.currency, sa.func.sum(Invoice.net_amount), sa.func.count())
        .where(live)
        .group_by(year, Invoice.currency)
    ).all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Invoice).where(live))


def median(call, runs: int) -> float:
    call()  # warm up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(url: str, runs: int) -> None:
    from app.extensions import db
    from app.privacy import Audience
    from app.services import invoices
    from app.services import overview
    from app.services.balance import balance
    from app.services.invoice_filters import InvoiceFilters
    from app.services.totals import TotalsQuery
    from app.services.totals import pivot
    from app.services.totals import totals

    app = make_app(url)
    with app.app_context():
        biggest = db.session.execute(
            sa.text(
                "SELECT vendor_id FROM invoice_summaries WHERE date_basis = 'invoiced'"
                " GROUP BY vendor_id ORDER BY SUM(invoice_count) DESC LIMIT 1"
            )
        ).scalar_one()
        year = YEARS[-2]
        filters = InvoiceFilters()
        calls = {
            "totals year × vendor": lambda: totals(TotalsQuery(by=("year", "vendor"))),
            "pivot": lambda: pivot(filters),
            "front page": lambda: (overview.yearly_overview(), overview.counts()),
            f"balance {year} (paid)": lambda: balance(year, "paid", Audience.PUBLIC),
            "vendor's yearly bars": lambda: invoices.yearly_totals(vendor_id=biggest),
        }
        print(f"{'call':<24} {'summaries':>11} {'invoices':>11} {'ratio':>7}")
        for name, call in calls.items():
            fast = median(call, runs)
            with from_invoices():
                if name == "front page":
                    slow = median(lambda: (front_page_from_invoices(), overview.counts()), runs)
                else:
                    slow = median(call, runs)
            same = "" if name == "front page" else _same(call)
            ratio = slow / fast
            print(f"{name:<24} {fast * 1000:>9.1f}ms {slow * 1000:>9.1f}ms {ratio:>6.0f}× {same}")
        db.engine.dispose()


def _same(call) -> str:
    summed = call()
    with from_invoices():
        return "" if call() == summed else "(FIGURES DIFFER)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="invoices (default 1,000,000)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each call (default 5)")
    options = parser.parse_args()
    server = os.environ.pop("DATABASE_URL", "").strip()
    if server:
        from app.config import with_driver

        url = with_driver(server)
    else:
        OUT.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{OUT / f'summary-{options.rows}.sqlite3'}"
    print(f"{options.rows:,} invoices on {sa.make_url(url).get_backend_name()}")
    build(url, options.rows)
    fill(url)
    measure(url, options.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
