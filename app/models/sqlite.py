"""SQLite settings Insyn relies on, applied to every connection of a SQLite engine."""

from __future__ import annotations

import sqlalchemy as sa


def configure_sqlite(engine: sa.Engine) -> None:
    """Enforce foreign keys, write ahead (WAL), and let SQLAlchemy own transactions.

    The pysqlite driver starts transactions lazily on its own and never emits SAVEPOINTs
    correctly; turning its handling off and emitting BEGIN ourselves is the fix SQLAlchemy
    documents, and what nested transactions (and the test suite's rollbacks) need.
    """

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            # Readers go on while an import writes (the one writer no longer blocks them).
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN")
