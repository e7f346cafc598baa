"""Insyn under load: readers and clerks at once, through gunicorn, for a bounded time.

Starts Insyn under gunicorn on 127.0.0.1 with the README's production settings (``INSYN_ENV=
production``, a secret key, ``--workers 2 --threads 4``) on a database of N generated invoices
(``report_bench.py``'s: about 2,000 vendors with a long tail, 2010–2024), then drives it for
``--seconds`` with:

- ``--readers`` readers (50), each requesting in turn the front page, the year × vendor pivot,
  the totals as JSON, the invoice list (one of its first pages), a vendor's page, and a
  vendor's invoices as XLSX (vendors from the busiest 200), waiting ``--think`` seconds
  between pages as a person reading does (``--think 0``: a closed loop, each reader asking
  again the moment an answer arrives);
- ``--clerks`` clerks (5), each signing in through the sign-in form and then entering
  invoices through the real invoice form, the CSRF token taken from each form, without pause.

The load generator runs in this process, a thread per reader and clerk (``http.client``, a
connection per request as a reverse proxy makes them): light enough to share two cores with
the server.

It prints the requests made, the answers by status (any 5xx is a server error), and the
p50/p95/p99 of each kind of request; then it counts the invoices each clerk was told were
saved (a redirect to the new invoice's page) against the database and against the audit
trail: each must be there exactly once, with exactly one insert event, and nothing saved that
no clerk was told of. It asserts nothing; it prints ``VERIFICATION FAILED`` when the counts
differ.

    .venv/bin/python bench/load.py                       # SQLite, 16,000 invoices, 60 s
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/load.py                   # SQLite, then PostgreSQL
    .venv/bin/python bench/load.py --seconds 20 --think 0 --database sqlite

SQLite runs on a copy of the cached database in write-ahead mode with Insyn's busy timeout;
PostgreSQL on a database created for the run (from ``report_bench.py``'s, as a template) and
dropped after. gunicorn comes with ``pip install -e '.[server]'``.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

import report_bench
import sqlalchemy as sa
from import_bench import code_version

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

LOAD_DATABASE = "insyn_load_bench"
PASSWORD = "belastning i sextio sekunder"  # noqa: S105 - the bench's clerks' own
#: The README's production command line, bound to a free port of loopback.
GUNICORN = ["--workers", "2", "--threads", "4", "--access-logfile", "-", "--log-level", "warning"]
_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(url: str, port: int, workers: list[str]) -> subprocess.Popen:
    """gunicorn serving ``app.wsgi`` on ``url``, as in production; waits for /healthz."""
    environment = {
        **os.environ,
        "INSYN_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": url,
    }
    process = subprocess.Popen(  # noqa: S603 - our own virtualenv's gunicorn
        [str(Path(sys.executable).parent / "gunicorn"), *workers, "--bind",
         f"127.0.0.1:{port}", "app.wsgi:application"],
        cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("gunicorn did not answer /healthz:\n" + (process.stderr.read() or ""))


def server_cpu(process: subprocess.Popen) -> float:
    """CPU seconds (user and system) used so far by gunicorn and its workers."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, parent = int(stat.parent.name), int(fields[1])
        if process.pid in (pid, parent):
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def stop_server(process: subprocess.Popen) -> str:
    """Stop gunicorn gracefully (its workers finish their requests); its error output."""
    process.send_signal(signal.SIGTERM)
    try:
        _out, errors = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        _out, errors = process.communicate()
    return errors or ""


# --- the load --------------------------------------------------------------------------------


class Browser:
    """One person's browser behind the reverse proxy: the session cookie, and a connection per
    request, as a proxy in front of gunicorn opens them (nginx speaks HTTP/1.0 to its upstream
    unless told otherwise), so that gunicorn's workers share the requests."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookie = ""

    def request(self, method: str, path: str, form: dict | None = None):
        body = urlencode(form).encode() if form is not None else None
        headers = {"Connection": "close"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        except (http.client.HTTPException, OSError) as error:
            return 0, b"", {"error": f"{type(error).__name__}: {error}"}
        finally:
            connection.close()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
        return response.status, data, dict(response.getheaders())


class Recorder:
    """Every answer's kind, status and seconds, from all threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.statuses: Counter = Counter()
        self.errors: Counter = Counter()

    def add(self, kind: str, status: int, seconds: float, failure: str = "") -> None:
        with self.lock:
            self.times[kind].append(seconds)
            self.statuses[status] += 1
            if status >= 500 or status == 0:
                self.errors[(kind, status, failure)] += 1


def timed(recorder: Recorder, kind: str, browser: Browser, method: str, path: str, form=None):
    started = time.perf_counter()
    status, data, headers = browser.request(method, path, form)
    recorder.add(kind, status, time.perf_counter() - started, headers.get("error", ""))
    return status, data, headers


def reader(port: int, stop: threading.Event, recorder: Recorder, vendors: list, think: float,
           seed: int) -> None:  # fmt: skip
    rng = random.Random(seed)
    browser = Browser(port)
    pages = [
        ("front page", lambda: "/"),
        ("pivot", lambda: "/reports/"),
        ("totals.json", lambda: "/reports/totals.json?by=year,vendor"),
        ("invoice list", lambda: f"/invoices/?page={rng.randint(1, 5)}"),
        ("vendor page", lambda: f"/vendors/{rng.choice(vendors)}"),
        ("vendor xlsx", lambda: f"/invoices.xlsx?vendor={rng.choice(vendors)}"),
    ]
    turn = rng.randrange(len(pages))
    stop.wait(rng.uniform(0, 2 * think))  # readers arrive over the first seconds, not at once
    while not stop.is_set():
        kind, path = pages[turn % len(pages)]
        turn += 1
        timed(recorder, kind, browser, "GET", path())
        if think:
            stop.wait(rng.uniform(0.5 * think, 1.5 * think))


def clerk(port: int, stop: threading.Event, recorder: Recorder, number: int, vendors: list,
          told: list) -> None:  # fmt: skip
    rng = random.Random(1000 + number)
    browser = Browser(port)
    status, page, _ = timed(recorder, "sign-in form", browser, "GET", "/login")
    token = _TOKEN.search(page.decode())
    form = {"email": f"clerk{number}@load.example", "password": PASSWORD,
            "csrf_token": token.group(1) if token else ""}  # fmt: skip
    status, _page, _ = timed(recorder, "sign in", browser, "POST", "/login", form)
    if status != 302:
        return
    entered = 0
    while not stop.is_set():
        status, page, _ = timed(recorder, "invoice form", browser, "GET", "/invoices/new")
        token = _TOKEN.search(page.decode(errors="replace"))
        if status != 200 or token is None:
            continue
        entered += 1
        vendor_id, vendor_name = rng.choice(vendors)
        invoice_number = f"LOAD-{number}-{entered}"
        form = {
            "csrf_token": token.group(1),
            "vendor": vendor_name,
            "vendor_id": str(vendor_id),
            "invoice_number": invoice_number,
            "invoiced_on": f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "net_amount": f"{rng.randint(100, 99999)},{rng.randint(0, 99):02d}",
            "vat_rate": "25",
            "currency": "SEK",
            "description": "Inmatad under belastning",
            "save": "Spara",
        }
        status, _page, headers = timed(recorder, "invoice save", browser, "POST",
                                       "/invoices/new", form)  # fmt: skip
        location = headers.get("Location", "")
        if status == 302 and re.search(r"/invoices/\d+$", location):
            told.append(invoice_number)


# --- the run ---------------------------------------------------------------------------------


def prepare(url: str) -> tuple[list[int], list[tuple[int, str]]]:
    """Open the clerks' accounts; the busiest vendors' ids, and some vendors with names."""
    from app import create_app
    from app.extensions import db
    from app.services.accounts import create_user
    from app.settings import password_policy

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "load-bench"})
    with app.app_context():
        for number in range(8):
            email = f"clerk{number}@load.example"
            exists = db.session.scalar(
                sa.text("SELECT 1 FROM users WHERE email = :e"), {"e": email}
            )
            if not exists:
                create_user({"email": email, "name": f"Clerk {number}", "role": "clerk",
                             "password": PASSWORD},
                            policy=password_policy())  # fmt: skip
        db.session.commit()
        busiest = (
            db.session.execute(
                sa.text(
                    "SELECT vendor_id FROM invoices GROUP BY vendor_id"
                    " ORDER BY count(*) DESC LIMIT 200"
                )
            )
            .scalars()
            .all()
        )
        named = db.session.execute(
            sa.text("SELECT id, name FROM vendors ORDER BY id LIMIT 300")
        ).all()
        db.engine.dispose()
    return list(busiest), [tuple(row) for row in named]


def verify(url: str, told: list[str]) -> list[str]:
    """Compare what the clerks were told with the database and the audit trail."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            saved = Counter(
                dict(
                    connection.execute(
                        sa.text(
                            "SELECT invoice_number, count(*) FROM invoices"
                            " WHERE invoice_number LIKE 'LOAD-%' GROUP BY invoice_number"
                        )
                    ).all()
                )
            )
            events = Counter(
                dict(
                    connection.execute(
                        sa.text(
                            "SELECT i.invoice_number, count(*) FROM audit_events e"
                            " JOIN invoices i ON i.id = e.record_id"
                            " WHERE e.record_type = 'invoices' AND e.action = 'insert'"
                            " AND i.invoice_number LIKE 'LOAD-%' GROUP BY i.invoice_number"
                        )
                    ).all()
                )
            )
    finally:
        engine.dispose()
    told_set = set(told)
    missing = sorted(n for n in told_set if saved[n] == 0)
    doubled = sorted(n for n in told_set if saved[n] > 1)
    untold = sorted(n for n in saved if n not in told_set)
    unaudited = sorted(n for n in told_set if events[n] != 1)
    lines = [
        f"  invoices the clerks were told were saved: {len(told):,} ({len(told_set):,} numbers)",
        f"  in the database: {sum(saved[n] for n in told_set):,}; missing {len(missing)}, "
        f"doubled {len(doubled)}, saved but never confirmed {len(untold)}",
        f"  in the audit trail (one insert each): {sum(1 for n in told_set if events[n] == 1):,};"
        f" without exactly one {len(unaudited)}",
    ]
    if missing or doubled or unaudited or len(told_set) != len(told):
        lines.append(
            f"  VERIFICATION FAILED: missing {missing[:5]}, doubled {doubled[:5]}, "
            f"audit {unaudited[:5]}"
        )
    elif untold:
        lines.append(f"  (saved though the answer never came back: {untold[:5]})")
    return lines


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(name: str, url: str, args) -> None:
    busiest, named = prepare(url)
    port = free_port()
    server = start_server(url, port, [*GUNICORN[:4], *(args.gunicorn or []), *GUNICORN[4:]])
    recorder, told, stop = Recorder(), [], threading.Event()
    threads = [
        threading.Thread(target=reader, args=(port, stop, recorder, busiest, args.think, n))
        for n in range(args.readers)
    ] + [
        threading.Thread(target=clerk, args=(port, stop, recorder, n, named, told))
        for n in range(args.clerks)
    ]
    load_before = os.getloadavg()[0]
    cpu_before, own_before = server_cpu(server), time.process_time()
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(args.seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=180)
    elapsed = time.perf_counter() - started
    cpu = (server_cpu(server) - cpu_before, time.process_time() - own_before)
    errors = stop_server(server)
    report(name, recorder, elapsed, args, load_before, cpu)
    for line in verify(url, told):
        print(line)
    tracebacks = errors.count("Traceback")
    print(f"  server log: {tracebacks} tracebacks" + (f"\n{errors[-2000:]}" if tracebacks else ""))


def report(name: str, recorder: Recorder, elapsed: float, args, load_before: float,
           cpu: tuple[float, float]) -> None:  # fmt: skip
    total = sum(len(times) for times in recorder.times.values())
    load = f"load average {load_before:.2f} → {os.getloadavg()[0]:.2f}"
    print(f"\n== {name}: {args.readers} readers (think {args.think} s), {args.clerks} clerks, "
          f"{elapsed:.0f} s; {load}")  # fmt: skip
    print(f"  requests: {total:,} ({total / elapsed:.1f} a second)")
    per_request = 1000 * cpu[0] / max(total, 1)
    print(f"  CPU: the server {cpu[0]:.1f} s ({per_request:.0f} ms a request), the load "
          f"generator {cpu[1]:.1f} s, of the {2 * elapsed:.0f} s two cores offer")  # fmt: skip
    statuses = ", ".join(
        f"{status}: {count:,}" for status, count in sorted(recorder.statuses.items())
    )
    print(f"  answers by status: {statuses}")
    server_errors = sum(c for s, c in recorder.statuses.items() if s >= 500 or s == 0)
    print(f"  server errors (5xx, or no answer): {server_errors}"
          + (f" {dict(recorder.errors)}" if server_errors else ""))  # fmt: skip
    print(f"  {'request':<14} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    reads = []
    for kind in sorted(recorder.times):
        times = recorder.times[kind]
        if kind in ("front page", "pivot", "totals.json", "invoice list", "vendor page",
                    "vendor xlsx"):  # fmt: skip
            reads += times
        print(f"  {kind:<14} {len(times):>7,} {1000 * statistics.median(times):>8.0f} "
              f"{1000 * percentile(times, 0.95):>8.0f} {1000 * percentile(times, 0.99):>8.0f} "
              f"{1000 * max(times):>8.0f}")  # fmt: skip
    if reads:
        print(f"  {'all reads':<14} {len(reads):>7,} {1000 * statistics.median(reads):>8.0f} "
              f"{1000 * percentile(reads, 0.95):>8.0f} {1000 * percentile(reads, 0.99):>8.0f} "
              f"{1000 * max(reads):>8.0f}")  # fmt: skip


def sqlite_copy(rows: int) -> tuple[str, Path]:
    """A copy of the cached benchmark database (made by ``report_bench``), in WAL mode."""
    source_url, _meta = report_bench.sqlite_database(rows, rebuild=False)
    folder = Path(tempfile.mkdtemp(prefix="insyn-load-"))
    target = folder / "insyn.sqlite3"
    source = sqlite3.connect(source_url.removeprefix("sqlite:///"))
    copy = sqlite3.connect(target)
    source.backup(copy)
    copy.execute("PRAGMA journal_mode = WAL")
    copy.close()
    source.close()
    return f"sqlite:///{target}", folder


def postgres_copy(server_url: str, rows: int) -> str:
    """A database for the run, made from ``report_bench``'s as a template."""
    from app.config import with_driver

    sqlite_url, _meta = report_bench.sqlite_database(rows, rebuild=False)
    report_bench.postgres_database(server_url, sqlite_url, keep=True)
    server = sa.make_url(with_driver(server_url))
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{LOAD_DATABASE}" WITH (FORCE)')
            connection.exec_driver_sql(
                f'CREATE DATABASE "{LOAD_DATABASE}" TEMPLATE "{report_bench.PG_DATABASE}"'
            )
    finally:
        admin.dispose()
    return server.set(database=LOAD_DATABASE).render_as_string(hide_password=False)


def drop_postgres(server_url: str) -> None:
    from app.config import with_driver

    admin = sa.create_engine(with_driver(server_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{LOAD_DATABASE}" WITH (FORCE)')
    finally:
        admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=16_000, help="invoices in the database")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--clerks", type=int, default=5)
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="seconds a reader spends on a page (about; 0: a closed loop)",
    )
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--gunicorn", nargs=argparse.REMAINDER,
                        help="further gunicorn options (e.g. --workers 3)")  # fmt: skip
    args = parser.parse_args()
    server_url = os.environ.get("DATABASE_URL", "").strip()
    print(f"Code: {code_version()}")
    if args.database in ("sqlite", "both"):
        url, folder = sqlite_copy(args.rows)
        try:
            run("SQLite (WAL, busy timeout)", url, args)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    if args.database in ("postgresql", "both"):
        if not server_url:
            print("\n(PostgreSQL left out: set DATABASE_URL to a server to run it too.)")
            return 0
        url = postgres_copy(server_url, args.rows)
        try:
            run("PostgreSQL", url, args)
        finally:
            drop_postgres(server_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
