"""SQLite needs to be told to enforce foreign keys, once per connection."""

from __future__ import annotations

import sqlalchemy as sa


def enable_foreign_keys(engine: sa.Engine) -> None:
    """Turn on ``PRAGMA foreign_keys`` for every connection ``engine`` opens."""

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()
