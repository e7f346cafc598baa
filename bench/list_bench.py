"""How the invoice list pages and searches over a large table: a deep page against the first.

Uses the database of ``bench/report_bench.py`` (N generated invoices, built or taken from
``bench/out/``; its inserts go through the full-text triggers like any import), then times,
through the app with Flask's test client:

- the first page of the invoice list, in its default order and by amount;
- a page in the middle of the list, reached by cursor (``?after=…``, keyset: what the
  *Nästa* links lead to), against the same page asked for by number (``?page=K``, OFFSET:
  what old links still open);
- a search of the list by words (the full-text index) and by an amount, and the search box.

Each step runs once to warm up, then ``--runs`` times; the table shows the best and the
median. It measures; it asserts nothing.

With ``DATABASE_URL`` set to a PostgreSQL server it does the same, after SQLite, on a database
of its own created there (``--pg-database``, default ``insyn_list_bench``), loaded with COPY
from the SQLite one and dropped at the end unless ``--keep``.

    .venv/bin/python bench/list_bench.py [--rows N] [--runs 5]
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import time
from pathlib import Path

import report_bench
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _timed(client, path: str, runs: int) -> tuple[float, float, int]:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times), len(response.data)


def _cursor(app, sort: str, descending: bool, position: int) -> str:
    """The cursor of the row at ``position`` in the invoice list's order (what the page
    before the middle one would link to)."""
    from app.extensions import db
    from app.services import invoices as service
    from app.services.invoice_filters import InvoiceFilters
    from app.services.keyset import order_by
    from app.web.keyset import encode_cursor
    from app.web.keyset import list_name

    keys = service.invoice_keys(sort, descending)
    statement = service.invoice_lines(InvoiceFilters(), sort, descending)
    query = (
        statement.with_only_columns(*(k.column for k in keys))
        .order_by(None)
        .order_by(*order_by(keys))
        .offset(position)
        .limit(1)
    )
    values = list(db.session.execute(query).one())
    return encode_cursor(list_name("invoices", sort, descending, keys), values)


def _rows_only(name: str, middle: int, page_size: int, runs: int, results: list) -> None:
    """The page's rows alone (no sums, no count): the first page, the middle one after its
    cursor row (keyset), and the middle one by OFFSET."""
    from app.extensions import db
    from app.services import invoices as service
    from app.services.invoice_filters import InvoiceFilters
    from app.services.keyset import order_by
    from app.services.keyset import window

    for sort, descending in (("invoiced_on", True), ("net_amount", False)):
        keys = service.invoice_keys(sort, descending)
        statement = service.invoice_lines(InvoiceFilters(), sort, descending)
        before = (
            statement.with_only_columns(*(k.column for k in keys))
            .order_by(None)
            .order_by(*order_by(keys))
            .offset(middle - 1)
            .limit(1)
        )
        after = list(db.session.execute(before).one())
        read = functools.partial(window, statement, keys, page_size)
        for step, call in (
            ("rows: first page", read),
            ("rows: middle, by cursor", functools.partial(read, after=after)),
            ("rows: middle, by OFFSET", functools.partial(read, offset=middle)),
        ):
            call()
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                call()
                times.append(time.perf_counter() - started)
            label = f"{step} ({sort})"
            best, median = min(times), statistics.median(times)
            results.append((name, label, best, median))
            print(
                f"  {name:<10} {label:<36} best {best * 1000:8.1f} ms"
                f"  median {median * 1000:8.1f} ms",
                flush=True,
            )


def measure(name: str, url: str, rows: int, runs: int) -> list[tuple[str, str, float, float]]:
    from app import create_app

    # Each page computed, not served from the public's short-lived copies.
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "list-bench",
                      "PUBLIC_CACHE_SECONDS": 0})  # fmt: skip
    page_size = app.config["PAGE_SIZE"]
    middle = (rows // 2) // page_size * page_size
    results = []
    with app.app_context():
        with app.test_request_context():
            cursors = {
                sort: _cursor(app, sort, descending, middle - 1)
                for sort, descending in (("invoiced_on", True), ("net_amount", False))
            }
        number = app.test_client().get("/invoices/?sort=net_amount&dir=asc&page=3")
        assert number.status_code == 200
        with app.test_request_context():
            from app.extensions import db

            sample = db.session.execute(
                sa.text(
                    "SELECT invoice_number, net_amount FROM invoices WHERE net_amount > 0"
                    " ORDER BY id LIMIT 1 OFFSET :n"
                ),
                {"n": rows // 3},
            ).one()
        amount = f"{int(sample[1]) // 100} {int(sample[1]) % 100:02d}".replace(" ", ",")
        steps = [
            ("first page", "/invoices/"),
            ("middle page, by cursor", f"/invoices/?after={cursors['invoiced_on']}"),
            ("middle page, by number", f"/invoices/?page={middle // page_size + 1}"),
            ("first page by amount", "/invoices/?sort=net_amount&dir=asc"),
            (
                "middle by amount, cursor",
                f"/invoices/?sort=net_amount&dir=asc&after={cursors['net_amount']}",
            ),
            (
                "middle by amount, number",
                f"/invoices/?sort=net_amount&dir=asc&page={middle // page_size + 1}",
            ),
            ("list search: words", f"/invoices/?q={str(sample[0])[:4]}"),
            ("list search: amount", f"/invoices/?q={amount}"),
            ("search box: words", "/search?q=konsult"),
        ]
        with app.test_request_context():
            _rows_only(name, middle, page_size, runs, results)
        client = app.test_client()
        for step, path in steps:
            best, median, _size = _timed(client, path, runs)
            results.append((name, step, best, median))
            print(
                f"  {name:<10} {step:<36} best {best * 1000:8.1f} ms"
                f"  median {median * 1000:8.1f} ms",
                flush=True,
            )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="invoices (default 1,000,000)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each step (default 5)")
    parser.add_argument("--rebuild", action="store_true", help="build the SQLite database again")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--pg-database", default="insyn_list_bench", help="its name on the server")
    options = parser.parse_args()
    server = os.environ.pop("DATABASE_URL", "").strip()
    report_bench.PG_DATABASE = options.pg_database
    sqlite_url, meta = report_bench.sqlite_database(options.rows, options.rebuild)
    print(f"{options.rows:,} invoices ({'cached' if meta.get('cached') else 'built'} database)")
    measure("SQLite", sqlite_url, options.rows, options.runs)
    if server:
        pg_url, _reused = report_bench.postgres_database(server, sqlite_url, options.keep)
        try:
            measure("PostgreSQL", pg_url, options.rows, options.runs)
        finally:
            if not options.keep:
                report_bench.drop_postgres(server)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
