"""Requests and database transactions: on SQLite a request that may write (POST and the like)
takes the database's write lock when its transaction begins, and waits its turn for it; one
that only reads (GET, HEAD, OPTIONS) does not, and never waits (see :mod:`app.models.sqlite`).
"""

from __future__ import annotations

from flask import Flask
from flask import g
from flask import request

from app.models.sqlite import writing

#: Methods that never change anything.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def register(app: Flask) -> None:
    """Mark writing requests, on SQLite only (PostgreSQL locks rows, not the database)."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return

    @app.before_request
    def _writing():
        if request.method not in SAFE_METHODS:
            g.writing = writing()
            g.writing.__enter__()

    @app.teardown_request
    def _done(_error=None):
        block = g.pop("writing", None)
        if block is not None:
            block.__exit__(None, None, None)
