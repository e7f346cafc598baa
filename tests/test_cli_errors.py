"""A command that meets a database failure (unreachable, locked, a lost connection) says so in
plain words and exits with status 3, never with a traceback or the status 1 that means
rejected rows."""

from __future__ import annotations

import sqlite3

import pytest

from app import create_app
from app.cli_errors import EXIT_DATABASE
from tests.conftest import PASSWORD
from tests.conftest import TEST_CONFIG

UNREACHABLE = [
    "sqlite:////nonexistent-folder-of-insyn/insyn.sqlite3",
    "postgresql+psycopg://insyn@127.0.0.1:1/insyn",  # nothing listens on port 1
]

COMMANDS = [
    (["users", "list"], None),
    (["users", "create", "ny@kommun.example", "--role", "clerk"], PASSWORD + "\n"),
    (["export", "invoices", "--format", "csv", "-o", "-"], None),
    (["demo"], None),
]


def _says_database_failed(result) -> None:
    assert result.exit_code == EXIT_DATABASE, result.output
    assert "The database could not do this, so nothing was changed" in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("url", UNREACHABLE)
@pytest.mark.parametrize(("args", "stdin"), COMMANDS)
def test_an_unreachable_database_ends_a_command_plainly(url, args, stdin):
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    _says_database_failed(app.test_cli_runner().invoke(args=args, input=stdin))


def test_an_import_against_an_unreachable_database_ends_plainly(tmp_path):
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("Leverantör;Fakturanummer;Fakturadatum;Belopp\nA AB;1;2012-03-01;100\n")
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": UNREACHABLE[0]})
    _says_database_failed(app.test_cli_runner().invoke(args=["import", str(ledger)]))


def test_a_database_locked_by_another_writer_ends_a_command_plainly(tmp_path, migrated_app):
    """SQLite, locked for longer than the busy timeout by another process's transaction."""
    path = tmp_path / "insyn.sqlite3"
    app = migrated_app(f"sqlite:///{path}", SQLITE_BUSY_SECONDS=0.2)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        result = app.test_cli_runner().invoke(
            args=["users", "create", "ny@kommun.example", "--role", "clerk"], input=PASSWORD
        )
    finally:
        other.execute("ROLLBACK")
        other.close()
    _says_database_failed(result)
    assert "locked" in result.output
    again = app.test_cli_runner().invoke(
        args=["users", "create", "ny@kommun.example", "--role", "clerk"], input=PASSWORD
    )
    assert again.exit_code == 0, again.output
