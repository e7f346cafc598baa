"""Imports never keep readers waiting: a large import into invoices that already hold rows
keeps the table's indexes and constraints and takes no lock a reader waits for, so the
public pages answer while it writes, with the figures from before it (it has not committed).

The first test runs ``insyn import`` of a 200,000-row ledger in a process of its own, on a
new database of its own (SQLite, or PostgreSQL when ``DATABASE_URL`` names a server), and
requests the totals and the front page from the test's own connections while it writes.
The second watches the statements of a large import: into a populated table no index or
constraint is dropped or made; into an empty one (the first load) they are, for speed.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db as _db
from app.importing.load import BULK_THRESHOLD
from app.importing.plan import Options
from app.importing.run import IMPORT_CACHE_MIB
from app.importing.run import import_and_commit
from app.models import ImportBatch
from app.models import Invoice
from app.services import summaries
from tests.processes import INSYN
from tests.processes import ROOT
from tests.processes import child_env
from tests.processes import ledger_csv

#: The large import's rows.
ROWS = 200_000
#: The longest a page may take to answer while the import writes (the bound asked for).
ANSWER_SECONDS = 1.0
#: The pages a reader asks for: the totals (as a page and as figures) and the front page.
PAGES = ("/reports/totals.json?by=year", "/reports/totals?by=year", "/")
#: Locks that stop no reader (a plain query takes ACCESS SHARE, which only ACCESS EXCLUSIVE
#: stops): what an INSERT, a COPY and a foreign key's check take.
HARMLESS_LOCKS = {"AccessShareLock", "RowShareLock", "RowExclusiveLock"}


def _small_ledger(path: Path, rows: int) -> int:
    """A ledger of ``rows`` invoices of vendors the large one does not have; its total in öre."""
    total = 0
    with path.open("w", encoding="utf-8") as handle:
        handle.write("Leverantör;Fakturanummer;Fakturadatum;Belopp\n")
        for number in range(rows):
            ore = 10_000 + number * 37
            total += ore
            handle.write(f"Konsultbyrå {number % 20} AB;K-{number};"
                         f"20{15 + number % 5}-{number % 12 + 1:02d}-15;"
                         f"{ore // 100},{ore % 100:02d}\n")  # fmt: skip
    return total


def _page(response) -> bytes:
    """A page's text, its charts' numbering (one count per process) left out."""
    return _CHART_ID.sub(b"chart-N", response.get_data())


_CHART_ID = re.compile(rb"chart-[0-9]+")


def _import(app, path: Path) -> None:
    with app.app_context():
        report = import_and_commit(path, None, Options())
        assert report.status == "ok" and report.written, report.error
        _db.session.remove()


def _sek_total(client) -> int:
    """The totals page's sum of every invoice in SEK, in öre."""
    data = client.get("/reports/totals.json").get_json()
    return int(Decimal(data["totals"]["SEK"]["amount"]).scaleb(2))


def _importer(app) -> int | None:
    """On PostgreSQL, the server process of the connection copying rows into the invoices."""
    with app.app_context(), _db.engine.connect() as connection:
        return connection.scalar(
            sa.text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND query LIKE 'COPY invoices%'"
            )
        )


def _wait_until_writing(app, process: subprocess.Popen, timeout: float = 120) -> int | None:
    """Wait until ``process`` writes invoices (PostgreSQL: a connection copies them; SQLite:
    its uncommitted transaction has put megabytes into the write-ahead log); returns the
    importing server process on PostgreSQL."""
    url = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    wal = Path(f"{url.database}-wal") if url.get_backend_name() == "sqlite" else None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the import ended (exit {process.returncode}) before it wrote:\n"
                        f"{process.stdout.read() if process.stdout else ''}")  # fmt: skip
        if wal is not None:
            if wal.exists() and wal.stat().st_size > 2 * 1024 * 1024:
                return None
        elif (pid := _importer(app)) is not None:
            return pid
        time.sleep(0.02)
    process.kill()
    pytest.fail("the import never started writing")


def _strong_locks(app, pid: int) -> list[tuple[str, str]]:
    """The locks server process ``pid`` holds on tables and indexes that a reader waits for
    (a file's extension and a page's locks, taken while an index grows, stop no query)."""
    with app.app_context(), _db.engine.connect() as connection:
        held = connection.execute(
            sa.text(
                "SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE l.pid = :pid AND l.granted AND l.locktype = 'relation'"
            ),
            {"pid": pid},
        ).all()
    return [(name, mode) for name, mode in held if mode not in HARMLESS_LOCKS]


class _CommitWatch:
    """Notes, from a connection of its own, when the import's batch becomes visible (commits):
    the last moment it was not (``unseen_at``) and the first it was (``seen_at``)."""

    def __init__(self, app) -> None:
        self.app = app
        self.unseen_at: float | None = None
        self.seen_at: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)
        self._thread.start()

    def _run(self) -> None:
        with self.app.app_context(), _db.engine.connect() as connection:
            while self.seen_at is None and not self._stop.is_set():
                now = time.monotonic()
                batches = connection.scalar(sa.select(sa.func.count()).select_from(ImportBatch))
                connection.rollback()
                if batches > 1:
                    self.seen_at = time.monotonic()
                else:
                    self.unseen_at = now
                time.sleep(0.02)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


def _checkpoint(app) -> None:
    """On SQLite, empty the write-ahead log, so that its growth shows the import's writes."""
    with app.app_context(), _db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def test_readers_get_the_figures_from_before_within_a_second_while_a_large_import_writes(
    own_app, tmp_path
):
    before_total = _small_ledger(tmp_path / "earlier.csv", 2_000)
    _import(own_app, tmp_path / "earlier.csv")
    large = tmp_path / "fakturor-200000.csv"
    large_total = ledger_csv(large, ROWS)
    client = own_app.test_client()
    before = {path: _page(client.get(path)) for path in PAGES}
    # The pages say the same each time they are asked (so "the same" below means something).
    assert {path: _page(client.get(path)) for path in PAGES} == before
    assert _sek_total(client) == before_total

    _checkpoint(own_app)
    watch = _CommitWatch(own_app)
    process = subprocess.Popen(  # noqa: S603
        [INSYN, "import", str(large)],
        cwd=ROOT,
        env=child_env(own_app.config["SQLALCHEMY_DATABASE_URI"]),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # Below the readers' CPU priority: on a machine of two cores (shared with the test's
        # own work and the database server) the bound then measures waiting for the import,
        # as on a server with cores to spare, not queueing for a core behind it.
        preexec_fn=lambda: os.nice(10),  # noqa: PLW1509
    )
    try:
        pid = _wait_until_writing(own_app, process)
        answers = []  # (page, asked at, answered at, the page as it read)
        locks: set[tuple[str, str]] = set()
        while process.poll() is None:
            for path in PAGES:
                asked = time.monotonic()
                response = client.get(path)
                assert response.status_code == 200, path
                answers.append((path, asked, time.monotonic(), _page(response)))
            if pid is not None:
                locks.update(_strong_locks(own_app, pid))
            time.sleep(0.2)
        output = process.stdout.read() if process.stdout else ""
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        watch.stop()
    assert process.returncode == 0, output
    after = {path: _page(client.get(path)) for path in PAGES}
    assert watch.unseen_at is not None and watch.seen_at is not None

    assert not locks, f"the import held locks that readers wait for: {sorted(locks)}"
    # Every page asked for while the import wrote answered within the bound (one that waited
    # for the import to commit among them).
    slow = [(path, round(done - asked, 2)) for path, asked, done, _page_read in answers
            if asked < watch.seen_at and done - asked >= ANSWER_SECONDS]  # fmt: skip
    assert not slow, f"pages that took a second or more while the import wrote: {slow}"
    # Those answered before it committed showed what was there before it; those asked after,
    # what is there after it. (A page asked while it committed reads some of its queries
    # before and some after: a request is no snapshot.)
    early = [(path, page) for path, _asked, done, page in answers if done < watch.unseen_at]
    late = [(path, page) for path, asked, _done, page in answers if asked > watch.seen_at]
    assert all(page == before[path] for path, page in early), "a page changed before the commit"
    assert all(page == after[path] for path, page in late), "a page missed the commit"
    rounds = len(early) // len(PAGES)
    assert rounds >= 3, f"only {rounds} rounds of pages while the import wrote"
    slowest = max(done - asked for _p, asked, done, _page in answers if asked < watch.seen_at)
    print(f"{rounds} rounds of {len(PAGES)} pages while the import wrote; the slowest answer "
          f"{slowest:.3f} s")  # fmt: skip

    # Then the new figures, and the table's indexes and constraints all standing.
    assert _sek_total(client) == before_total + large_total
    assert after[PAGES[0]] != before[PAGES[0]]
    with own_app.app_context(), _db.engine.connect() as connection:
        assert connection.scalar(sa.select(sa.func.count()).select_from(Invoice)) == ROWS + 2_000
        inspector = sa.inspect(connection)
        indexes = {index["name"] for index in inspector.get_indexes("invoices")}
        assert {index.name for index in Invoice.__table__.indexes} <= indexes
        if connection.dialect.name == "postgresql":
            keys = {key["name"] for key in inspector.get_foreign_keys("invoices")}
            assert {key.name for key in Invoice.__table__.foreign_key_constraints} <= keys


#: What a statement that sets indexes or constraints aside (or makes them again) starts with.
_SCHEMA_CHANGES = ("DROP INDEX", "CREATE INDEX", "ALTER TABLE", "LOCK ")


def _schema_changes(app, path: Path) -> list[str]:
    """Import ``path`` in this process; the statements it ran that change the invoices'
    indexes or constraints (or lock a table)."""
    seen, _report = _statements(app, path, lambda s: s.lstrip().upper().startswith(_SCHEMA_CHANGES))
    return seen


def _statements(app, path: Path, wanted, whole: bool = False) -> tuple[list[str], object]:
    """Import ``path`` in this process: the statements it ran that ``wanted`` picks (their
    first line, or ``whole``), and the import's report."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many):
        if wanted(statement):
            seen.append(statement if whole else statement.strip().split("\n")[0][:80])

    with app.app_context():
        engine = _db.engine
        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            report = import_and_commit(path, None, Options())
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)
            _db.session.remove()
        assert report.status == "ok" and report.imported, report.error
    return seen, report


def test_a_large_import_keeps_the_indexes_of_a_table_with_rows_and_sets_them_aside_when_empty(
    own_app, tmp_path
):
    rows = BULK_THRESHOLD
    ledger_csv(tmp_path / "first.csv", rows)
    first = _schema_changes(own_app, tmp_path / "first.csv")
    # Into the empty table: the indexes are dropped and made again after the load.
    assert any(s.upper().startswith("DROP INDEX") for s in first), first
    assert any(s.upper().startswith("CREATE INDEX") for s in first), first

    _small_ledger(tmp_path / "more.csv", rows)
    # The same number of rows into a table that holds some: no index or constraint touched.
    assert _schema_changes(own_app, tmp_path / "more.csv") == []
    with own_app.app_context():
        count = _db.session.scalar(sa.select(sa.func.count()).select_from(Invoice))
        assert count == 2 * rows


def test_an_import_keeps_more_of_the_database_in_memory_while_it_writes_and_then_no_more(
    own_app, tmp_path, monkeypatch
):
    """On SQLite the import's connection holds IMPORT_CACHE_MIB of pages while it writes the
    rows into the indexes it keeps, and their summaries, and has its own size back after, for
    whoever uses it next (a server's pooled connection). On PostgreSQL nothing is asked of
    the server."""
    seen = []
    add_written = summaries.add_written

    def watching(written):
        connection = _db.session.connection()
        if connection.dialect.name == "sqlite":
            seen.append(connection.exec_driver_sql("PRAGMA cache_size").scalar())
        else:
            seen.append(None)
        return add_written(written)

    monkeypatch.setattr(summaries, "add_written", watching)
    _small_ledger(tmp_path / "more.csv", 50)
    with own_app.app_context():
        connection = _db.session.connection()
        sqlite = connection.dialect.name == "sqlite"
        before = connection.exec_driver_sql("PRAGMA cache_size").scalar() if sqlite else None
        report = import_and_commit(tmp_path / "more.csv", None, Options())
        assert report.status == "ok" and report.imported == 50, report.error
        connection = _db.session.connection()
        after = connection.exec_driver_sql("PRAGMA cache_size").scalar() if sqlite else None
        _db.session.remove()
    # Negative sizes are KiB; the default is 2,000 KiB.
    assert seen == ([-IMPORT_CACHE_MIB * 1024] if sqlite else [None])
    assert after == before
    if sqlite:
        assert before != -IMPORT_CACHE_MIB * 1024


def test_what_follows_an_import_into_a_full_table_reads_only_its_new_rows(own_app, tmp_path):
    """After the load, the summaries and the contracts' flags read the rows just written by a
    range of ids (the primary key), not by their batch alone: that has no index, and each
    statement would read the whole table. The sums stay exact."""
    ledger_csv(tmp_path / "first.csv", 300)
    _statements(own_app, tmp_path / "first.csv", lambda statement: False)
    _small_ledger(tmp_path / "more.csv", 200)
    by_batch = _statements(
        own_app, tmp_path / "more.csv", lambda s: "import_batch_id = " in s, whole=True
    )[0]
    # One sum per date basis (each summary table then takes its share of those), and the
    # contracts the rows name.
    assert len(by_batch) == 3, by_batch
    assert all("invoices.id > " in statement for statement in by_batch), by_batch
    with own_app.app_context():
        assert summaries.differences() == []
        _db.session.remove()


def test_a_row_repeated_across_chunks_counts_only_what_was_there_before(
    own_app, tmp_path, monkeypatch
):
    """A known vendor's invoice the table lacks, listed twice in chunks apart, is imported
    twice (the second lookup must not find the first copy, just written); one the table holds
    once, listed twice, is imported once, and with another amount it is another posting."""
    from app.importing import records

    ledger_csv(tmp_path / "first.csv", 300)
    _statements(own_app, tmp_path / "first.csv", lambda statement: False)
    known = (tmp_path / "first.csv").read_text(encoding="utf-8").splitlines()[2]
    new = "Leverantör 2 AB;N-1;2015-01-01;10,00"
    fillers = [f"Leverantör {n} AB;X-{n};2016-02-0{n % 9 + 1};{n},50" for n in range(8)]
    # The known invoice's vendor and number again, with another amount: another posting.
    other = ";".join([*known.split(";")[:3], "1,00"])
    lines = [known, new, *fillers[:4], known, new, other, *fillers[4:]]
    (tmp_path / "repeats.csv").write_text(
        "\n".join(["Leverantör;Fakturanummer;Fakturadatum;Belopp", *lines, ""]), encoding="utf-8"
    )
    monkeypatch.setattr(records, "CHUNK", 3)
    _lookups, report = _statements(own_app, tmp_path / "repeats.csv", lambda statement: False)
    assert (report.imported, report.already_imported) == (8 + 2 + 1 + 1, 1)


def test_rows_are_looked_up_only_where_an_earlier_import_could_have_left_them(
    own_app, tmp_path, monkeypatch
):
    """A row already imported is recognised by its vendor and invoice number, one lookup per
    chunk of such pairs. None is made for a vendor the import itself creates, nor into a table
    that held no invoice: into an empty table the indexes are set aside during the load, and
    each lookup would read every row written so far."""
    from app.importing import load

    monkeypatch.setattr(load, "BULK_THRESHOLD", 1000)
    monkeypatch.setattr("app.importing.run.BULK_THRESHOLD", 1000)

    def is_lookup(statement: str) -> bool:
        # The pairs come as one parameter: a JSON array on SQLite, two arrays on PostgreSQL.
        return "json_each(" in statement or "unnest(" in statement

    # The vendors known, the table emptied past Insyn: a large load looks nothing up.
    ledger_csv(tmp_path / "vendors.csv", 300)
    _statements(own_app, tmp_path / "vendors.csv", is_lookup)
    with own_app.app_context():
        _db.session.execute(sa.text("DELETE FROM invoices"))
        _db.session.commit()
    ledger_csv(tmp_path / "first.csv", 2000)
    lookups, report = _statements(own_app, tmp_path / "first.csv", is_lookup)
    assert (lookups, report.imported) == ([], 2000)

    # Into a table with rows, by vendors the import creates: nothing to look up either.
    _small_ledger(tmp_path / "new-vendors.csv", 1500)
    lookups, report = _statements(own_app, tmp_path / "new-vendors.csv", is_lookup)
    assert (lookups, report.imported) == ([], 1500)

    # Known vendors' rows in a table with rows are looked up, and those already there found.
    ledger_csv(tmp_path / "overlapping.csv", 2100)
    lookups, report = _statements(own_app, tmp_path / "overlapping.csv", is_lookup)
    # One statement for the chunk's pairs, however many vendors they belong to.
    assert (len(lookups), report.imported, report.already_imported) == (1, 100, 2000)

    # The ledger's next months, known vendors and numbers they used before: dated after every
    # invoice there, so none can be one of them, and nothing is looked up.
    header = "Leverantör;Fakturanummer;Fakturadatum;Belopp"
    later = [f"Leverantör {n} AB;F-{n};2020-0{n % 9 + 1}-15;{n},25" for n in range(60)]
    (tmp_path / "later.csv").write_text("\n".join([header, *later, ""]), encoding="utf-8")
    lookups, report = _statements(own_app, tmp_path / "later.csv", is_lookup)
    assert (lookups, report.imported, report.already_imported) == ([], 60, 0)
    # The same months again with one more row: now within the dates there, looked up, found.
    more = [*later, "Leverantör 1 AB;F-1;2020-10-01;1,00"]
    (tmp_path / "again.csv").write_text("\n".join([header, *more, ""]), encoding="utf-8")
    lookups, report = _statements(own_app, tmp_path / "again.csv", is_lookup)
    assert (len(lookups), report.imported, report.already_imported) == (1, 1, 60)
