"""A chunk's rows written behind the reading: one write at a time, on a thread of its own,
its error told on the import's thread, and a failed import's rollback never meeting a write
still under way."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from app.extensions import db as _db
from app.importing import load
from app.importing import records
from app.importing.behind import WriteBehind
from app.importing.plan import Options
from app.importing.run import import_and_commit
from app.models import ImportBatch
from app.models import Invoice
from tests.processes import ledger_csv


def test_writes_run_one_after_the_other_in_the_order_given():
    behind = WriteBehind()
    first_started, release = threading.Event(), threading.Event()
    order: list[str] = []

    def first():
        first_started.set()
        release.wait(5)
        order.append("first")

    behind.submit(first)
    assert first_started.wait(5)
    threading.Timer(0.1, release.set).start()
    # The second waits for the first to end before it starts.
    behind.submit(lambda: order.append("second"))
    behind.wait()
    assert order == ["first", "second"]


def test_a_writes_error_is_raised_on_the_callers_thread_once():
    behind = WriteBehind()
    threads: list[threading.Thread] = []

    def failing():
        threads.append(threading.current_thread())
        raise ValueError("refused by the database")

    behind.submit(failing)
    with pytest.raises(ValueError, match="refused by the database"):
        behind.wait()
    assert threads and threads[0] is not threading.current_thread()
    behind.wait()  # told once; the next write starts afresh
    behind.submit(failing)
    with pytest.raises(ValueError):
        behind.submit(lambda: None)  # the write before failed: the next one is not started


def test_abandon_lets_the_write_end_and_forgets_its_error():
    behind = WriteBehind()
    ended = threading.Event()

    def slow_failure():
        threading.Event().wait(0.2)
        ended.set()
        raise ValueError("too late to tell")

    behind.submit(slow_failure)
    behind.abandon()
    assert ended.is_set()
    behind.wait()  # nothing left to raise


def _rows_and_batches(app) -> tuple[int, int]:
    with app.app_context():
        counts = (
            _db.session.scalar(sa.select(sa.func.count()).select_from(Invoice)),
            _db.session.scalar(sa.select(sa.func.count()).select_from(ImportBatch)),
        )
        _db.session.remove()
    return counts


def test_an_import_whose_rows_the_database_refuses_writes_nothing(own_app, tmp_path, monkeypatch):
    """The database refuses a later chunk's rows (here: a batch that does not exist, which its
    foreign key stops), while the import reads on. The import fails with the database's error,
    nothing of the file is kept, and the connection serves the next import."""
    ledger_csv(tmp_path / "first.csv", 300)
    with own_app.app_context():
        assert import_and_commit(tmp_path / "first.csv", None, Options()).written
        _db.session.remove()
    before = _rows_and_batches(own_app)
    monkeypatch.setattr(records, "CHUNK", 100)
    adds = []
    original = load.InvoiceWriter.add

    def add(writer, chunk):
        adds.append(len(chunk))
        if len(adds) == 3:
            writer.batch_id = 10**9  # no such batch
        original(writer, chunk)

    monkeypatch.setattr(load.InvoiceWriter, "add", add)
    ledger_csv(tmp_path / "second.csv", 1000)
    with own_app.app_context():
        with pytest.raises(sa.exc.IntegrityError):
            import_and_commit(tmp_path / "second.csv", None, Options())
        _db.session.remove()
    assert _rows_and_batches(own_app) == before
    monkeypatch.setattr(load.InvoiceWriter, "add", original)
    with own_app.app_context():
        report = import_and_commit(tmp_path / "second.csv", None, Options())
        assert report.written and report.imported == 1000 - report.already_imported
        _db.session.remove()


def test_rows_go_in_in_the_files_order_on_the_threads_the_database_allows(
    own_app, tmp_path, monkeypatch
):
    """Chunk after chunk, the ids follow the file's rows. On PostgreSQL each chunk's COPY runs
    on a thread of its own while the next chunk is read; on SQLite on the import's own
    thread (its driver would take Python's lock back after every row)."""
    ledger_csv(tmp_path / "first.csv", 50)
    with own_app.app_context():
        assert import_and_commit(tmp_path / "first.csv", None, Options()).written
        _db.session.remove()
    monkeypatch.setattr(records, "CHUNK", 250)
    writers: list[threading.Thread] = []
    copy, insert = load._copy, sa.Connection.exec_driver_sql

    def watched_copy(connection, rows):
        writers.append(threading.current_thread())
        copy(connection, rows)

    def watched_insert(connection, statement, *args, **kwargs):
        if statement == load._INSERT:
            writers.append(threading.current_thread())
        return insert(connection, statement, *args, **kwargs)

    monkeypatch.setattr(load, "_copy", watched_copy)
    monkeypatch.setattr(sa.Connection, "exec_driver_sql", watched_insert)
    ledger_csv(tmp_path / "second.csv", 1000)
    with own_app.app_context():
        report = import_and_commit(tmp_path / "second.csv", None, Options())
        assert report.written
        sqlite = _db.session.get_bind().dialect.name == "sqlite"
        rows = (
            _db.session.execute(
                sa.select(Invoice.source_row)
                .where(Invoice.import_batch_id == report.batch_id)
                .order_by(Invoice.id)
            )
            .scalars()
            .all()
        )
        _db.session.remove()
    assert len(rows) == report.imported > 250 and rows == sorted(rows)
    assert len(writers) == 4  # the 1,000 rows in chunks of 250
    on_import_thread = {thread is threading.current_thread() for thread in writers}
    assert on_import_thread == ({True} if sqlite else {False})
