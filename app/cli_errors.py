"""Commands meet the database at their edge: a failure there (unreachable, locked, a
deadlock, a lost connection) ends a command with a plain message and its own exit status,
never a traceback.
"""

from __future__ import annotations

import contextlib
import functools

import click
import sqlalchemy as sa

#: Exit statuses of Insyn's commands (README, "Running Insyn for a public body").
EXIT_DONE = 0
EXIT_REJECTED = 1  #: rows rejected, a refusal, a bad option: nothing was written
EXIT_UNREADABLE = 2  #: the file cannot be read
EXIT_DATABASE = 3  #: the database could not be reached, was busy, or failed the work


class DatabaseFailed(click.ClickException):
    """The database could not do the work (unreachable, locked, a deadlock, a lost
    connection): said in plain words, with its own exit status, never a traceback."""

    exit_code = EXIT_DATABASE

    def __init__(self, error: Exception) -> None:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()
        super().__init__(
            "The database could not do this, so nothing was changed: "
            f"{reason[0] if reason else type(error).__name__}. Check that the database is "
            "running and reachable (insyn check), then run the command again."
        )


def database_errors(function):
    """Turn a database failure in ``function`` (a command) into :class:`DatabaseFailed`,
    after rolling back whatever it had begun."""

    @functools.wraps(function)
    def run(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except (sa.exc.DBAPIError, sa.exc.DisconnectionError, sa.exc.TimeoutError) as error:
            from app.extensions import db

            with contextlib.suppress(sa.exc.SQLAlchemyError):  # a lost connection: nothing to
                db.session.rollback()  # roll back
            raise DatabaseFailed(error) from None

    return run
