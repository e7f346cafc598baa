"""What the commands that change records share: their changes attributed to them in the
audit trail, one commit (or a rollback) per command, and a service's refusal said plainly
with exit status 1."""

from __future__ import annotations

import functools
import getpass

import click

from app.cli_errors import database_errors


def as_command(name: str):
    """Attribute the changes a command makes to it (and to whoever ran it) in the audit trail;
    a database failure ends it with a plain message and exit status 3."""

    def decorator(function):
        @functools.wraps(function)
        @database_errors
        def run(*args, **kwargs):
            from app.audit import Actor
            from app.audit import acting_as

            with acting_as(
                Actor(label=f"command: insyn {name} ({getpass.getuser()})", origin="command")
            ):
                return function(*args, **kwargs)

        return run

    return decorator


def commit_or_rollback(work):
    """Run ``work``, then commit; roll back if it raises."""
    from app.extensions import db

    try:
        result = work()
        db.session.commit()
        return result
    except Exception:
        db.session.rollback()
        raise


def user_by_email(email: str):
    """The account with ``email``; a plain error (exit 1) when there is none."""
    from app.services.accounts import find_user

    user = find_user(email)
    if user is None:
        raise click.ClickException(f"No account has the email {email}.")
    return user


def service_call(work):
    """Run a service change and commit, turning a refusal into a clear error (exit 1)."""
    from app.services.errors import ServiceError

    try:
        return commit_or_rollback(work)
    except ServiceError as error:
        raise click.ClickException(str(error)) from None
