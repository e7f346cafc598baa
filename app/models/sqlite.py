"""SQLite settings Insyn relies on, applied to every connection of a SQLite engine.

SQLite lets one writer in at a time. A transaction that reads first and writes later
(SQLite's default, a "deferred" BEGIN) cannot wait for another writer: when it comes to write
after someone else has, its snapshot is stale and it fails at once with "database is locked",
whatever the busy timeout. So the work that writes while others do (the web's POST requests:
clerks saving, people signing in) runs in :func:`writing`, whose transactions take the write
lock when they begin (``BEGIN IMMEDIATE``) and wait for it, up to the busy timeout, instead
of failing halfway. Everything else begins deferred, so that readers never queue behind
writers; write-ahead logging (WAL) lets them read while a writer writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import sqlalchemy as sa

#: Whether transactions begun in this context will write (see :func:`writing`).
_WRITING: ContextVar[bool] = ContextVar("insyn_sqlite_writing", default=False)


@contextmanager
def writing() -> Iterator[None]:
    """Within the block, SQLite transactions take the write lock when they begin, waiting for
    it up to the busy timeout: for work that writes while others may (a request that saves).
    They then hold it until they end, so keep such work short."""
    token = _WRITING.set(True)
    try:
        yield
    finally:
        _WRITING.reset(token)


def configure_sqlite(engine: sa.Engine, busy_seconds: float = 10) -> None:
    """Enforce foreign keys, write ahead (WAL), wait up to ``busy_seconds`` for the write lock,
    take it when a transaction begins within :func:`writing`, and let SQLAlchemy own
    transactions.

    The pysqlite driver starts transactions lazily on its own and never emits SAVEPOINTs
    correctly; turning its handling off and emitting BEGIN ourselves is the fix SQLAlchemy
    documents, and what nested transactions (and the test suite's rollbacks) need.
    """

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_seconds * 1000)}")
        if engine.url.database not in (None, "", ":memory:"):
            # Readers go on while a writer writes (the one writer no longer blocks them).
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _WRITING.get() else "BEGIN")


@contextmanager
def page_cache(connection: sa.Connection, mebibytes: int | None) -> Iterator[None]:
    """Within the block, let SQLite keep up to ``mebibytes`` MiB of the database's pages in
    this connection's memory (its default is 2 MiB), then give the old size back; nothing on
    another database, nor when ``mebibytes`` is None.

    A large write that keeps indexes up, row by row, lands each new row at a random place in
    most of them: with the default cache SQLite reads the same index pages from the file
    again and again, and writes half-filled pages out to the log only to read them back."""
    if mebibytes is None or connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = {-int(mebibytes) * 1024}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")
