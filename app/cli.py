"""The ``insyn`` command: Flask's CLI over the app factory, plus Insyn's own commands.

``insyn run``, ``insyn db upgrade`` and ``insyn shell`` come from Flask and Flask-Migrate;
``insyn setup`` and ``insyn demo`` are defined here. Commands are thin: they call services
and commit once at the end.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup
from flask.cli import FlaskGroup
from flask.cli import with_appcontext
from flask_migrate.cli import db as migrate_db

from app.cli_errors import database_errors
from app.cli_operations import check_command
from app.cli_operations import partition_invoices_command
from app.cli_operations import rebuild_summaries_command
from app.cli_support import as_command
from app.cli_support import commit_or_rollback
from app.cli_support import service_call
from app.cli_support import user_by_email
from app.config import is_production

#: Commands that serve no request: their app starts without the pages (see ``create_app``).
WITHOUT_WEB = frozenset({"import"})


def _create_app(*_args, **_kwargs) -> Flask:
    from app import create_app

    context = click.get_current_context(silent=True)
    command = context.command.name if context is not None else None
    return create_app(web=command not in WITHOUT_WEB)


cli = FlaskGroup(
    create_app=_create_app,
    help="Insyn: consultant costs and fee income of a public body, open to scrutiny.",
)


# On the group itself, so that it runs even when the app refuses to start (no secret key in
# production): saying why is its job.
cli.add_command(check_command)
# Beside Flask-Migrate's own: the summaries are part of the database's upkeep.
migrate_db.add_command(rebuild_summaries_command)
migrate_db.add_command(partition_invoices_command)


def main() -> None:
    """Entry point of the ``insyn`` console script."""
    cli.main(prog_name="insyn")


@click.command("demo")
@with_appcontext
@as_command("demo")
def demo_command() -> None:
    """Load the demo data set (modelled on the Katrineholm case; rows are illustrative), with
    demo accounts whose passwords are printed once.

    Records that exist are left alone: running it twice changes nothing.
    """
    from app.services.demo import load_demo
    from app.settings import plausibility_rules

    added = commit_or_rollback(lambda: load_demo(plausibility_rules()))
    if any(added.values()):
        click.echo("Demo data loaded: " + ", ".join(f"{n} {k}" for k, n in added.items()) + ".")
    else:
        click.echo("Demo data already loaded; nothing changed.")
    _open_demo_accounts()


def _open_demo_accounts() -> None:
    """Open the demo accounts that are missing and show their passwords, once."""
    from app.services.demo import load_demo_users
    from app.settings import password_policy

    accounts = commit_or_rollback(lambda: load_demo_users(password_policy()))
    if accounts:
        click.echo("")
        click.echo("Demo accounts (the passwords are shown this once; keep them):")
        for email, role, password in accounts:
            click.echo(f"  {role:<8} {email:<24} {password}")
        click.echo("")


@click.command("setup")
@click.option(
    "--demo/--no-demo",
    default=None,
    help="Load the demo data into an empty database (default: yes, except when "
    "INSYN_ENV=production).",
)
@with_appcontext
@as_command("setup")
def setup_command(demo: bool | None) -> None:
    """Bring the database up to date (migrations, and the stored flags of contracts that have
    none) and, when it is empty, load the demo data (never by default in production: its demo
    accounts would open a real installation)."""
    from flask_migrate import upgrade

    from app.extensions import db
    from app.models import Contract
    from app.models import Engagement
    from app.models import ImportBatch
    from app.models import Invoice
    from app.models import User
    from app.models import Vendor
    from app.services import flag_store

    if demo is None:
        demo = not is_production()
    upgrade()
    click.echo("Database schema is up to date.")
    stored = flag_store.fill_missing()
    if stored:
        click.echo(f"Stored the flags of {stored} contract(s) that had none.")

    def count(model) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))

    if demo and all(count(model) == 0 for model in (Vendor, Contract, Invoice, Engagement)):
        click.get_current_context().invoke(demo_command)
    elif count(User) == 0 and db.session.scalar(
        sa.select(ImportBatch.id).where(ImportBatch.kind == "demo")
    ):
        # A demo database from before accounts existed gets its demo accounts now.
        _open_demo_accounts()
    if count(User) == 0:
        click.echo("No accounts yet. Create the first administrator with:")
        click.echo("  insyn users create you@example.org --role admin --name 'Your Name'")


users_cli = AppGroup("users", help="Accounts: create, list, change role, deactivate.")


def _read_password() -> str:
    """The password from a prompt (typed twice, hidden), or the first line of standard input
    when it is not a terminal."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


ROLES = click.Choice(["admin", "clerk", "auditor"])


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=ROLES, required=True, help="What the account may do.")
@click.option("--name", default="", help="The person's name (default: the email's first part).")
@click.option(
    "--service",
    is_flag=True,
    help="A service account for a system: it never signs in and works through API tokens "
    "(see insyn tokens); no password is asked for.",
)
@as_command("users create")
def users_create(email: str, role: str, name: str, service: bool) -> None:
    """Open an account. The password is asked for (or read from standard input)."""
    from app.services.accounts import create_user
    from app.settings import password_policy

    if service:
        from app.services.tokens import create_service_account

        user = service_call(
            lambda: create_service_account({"email": email, "name": name, "role": role})
        )
        click.echo(f"Service account {user.email} ({user.role.value}) created.")
        return
    password = _read_password()
    user = service_call(
        lambda: create_user(
            {"email": email, "name": name, "role": role, "password": password},
            policy=password_policy(),
        )
    )
    click.echo(f"Account {user.email} ({user.role.value}) created.")


@users_cli.command("list")
@database_errors
def users_list() -> None:
    """List the accounts."""
    from app.extensions import db
    from app.services.accounts import users

    for user in db.session.scalars(users()):
        state = "active" if user.is_active else "inactive"
        click.echo(f"{user.email:<32} {user.role.value:<8} {state:<8} {user.name}")


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=ROLES)
@as_command("users set-role")
def users_set_role(email: str, role: str) -> None:
    """Give an account another role."""
    from app.services.accounts import set_role

    user = service_call(lambda: set_role(user_by_email(email), role))
    click.echo(f"{user.email} is now {user.role.value}.")


@users_cli.command("deactivate")
@click.argument("email")
@as_command("users deactivate")
def users_deactivate(email: str) -> None:
    """Stop an account from signing in (it stays in the history)."""
    from app.services.accounts import deactivate

    user = service_call(lambda: deactivate(user_by_email(email)))
    click.echo(f"{user.email} is deactivated and signed out everywhere.")


@users_cli.command("activate")
@click.argument("email")
@as_command("users activate")
def users_activate(email: str) -> None:
    """Let a deactivated account sign in again."""
    from app.services.accounts import update_user

    user = service_call(lambda: update_user(user_by_email(email), {"is_active": True}))
    click.echo(f"{user.email} is active again.")


@users_cli.command("set-password")
@click.argument("email")
@as_command("users set-password")
def users_set_password(email: str) -> None:
    """Give an account a new password (asked for, or read from standard input)."""
    from app.services.accounts import set_password
    from app.settings import password_policy

    user = user_by_email(email)
    password = _read_password()
    service_call(lambda: set_password(user, password, policy=password_policy()))
    click.echo(f"New password set for {user.email}; it is signed out everywhere.")


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--kind",
    type=click.Choice(["invoices", "contracts", "income"]),
    default=None,
    help="What the rows are (detected when the file is unambiguous).",
)
@click.option(
    "--profile",
    default="auto",
    show_default=True,
    help="An import profile from imports/profiles, or auto.",
)
@click.option(
    "--sheet",
    default=None,
    help="The one sheet to read (default: every visible sheet in the layout of the data).",
)
@click.option(
    "--period", default=None, metavar="YYYY-MM", help="The month a file without dates covers."
)
@click.option(
    "--currency",
    default=None,
    metavar="CODE",
    help="The currency of the amounts (default: a currency column, the amount's header or the "
    "title above it, else INSYN_DEFAULT_CURRENCY, SEK unless set).",
)
@click.option(
    "--column",
    "columns",
    multiple=True,
    metavar="FIELD=HEADER",
    callback=lambda _ctx, _param, value: _column_choices(value),
    help="Read FIELD from the column headed HEADER (repeatable; an empty HEADER leaves the "
    "field unread), e.g. --column net_amount='Summa kr'.",
)
@click.option(
    "--skip-invalid", is_flag=True, help="Import the valid rows and list the invalid ones."
)
@click.option(
    "--accept",
    multiple=True,
    type=click.Choice(["prepaid", "vat"]),
    help="Confirm that the file is right where it looks implausible (repeatable): 'prepaid' "
    "keeps payments dated before their invoice (payments in advance), 'vat' keeps a VAT that "
    "is no Swedish rate of a SEK amount. Without it such rows are refused.",
)
@click.option("--dry-run", is_flag=True, help="Read and check everything, write nothing.")
@with_appcontext
@as_command("import")
def import_command(
    file: Path, kind, profile, sheet, period, currency, columns, skip_invalid, accept, dry_run
) -> None:
    """Import a spreadsheet or CSV file of invoices, contracts or fee income.

    Every visible sheet of a workbook in the layout of its data is read, in one batch; a
    header repeated inside a sheet starts a table read by its own header. Columns are
    recognised by their names and, where names do not decide it, by their content; when
    they cannot be told, the refusal lists every column with two values and the --column
    choices to type.

    Exit status: 0 imported (or checked); 1 rows or columns were refused and nothing was
    written; 2 the file cannot be read; 3 the database could not be reached, stayed busy
    or failed (nothing written).
    """
    from app.importing.summary import run_from_cli

    sys.exit(
        run_from_cli(
            file,
            kind,
            profile,
            sheet,
            period,
            currency,
            skip_invalid,
            dry_run,
            columns,
            accept=tuple(accept),
        )
    )


def _column_choices(values: tuple[str, ...]) -> dict[str, str] | None:
    """``("net_amount=Summa kr", …)`` → ``{"net_amount": "Summa kr"}``."""
    chosen: dict[str, str] = {}
    for value in values:
        name, sep, header = value.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{value!r} is not FIELD=HEADER", param_hint="--column")
        chosen[name.strip()] = header.strip()
    return chosen or None


# On the group too, so that the command is found without making an app first: the app is made
# when the command runs (``with_appcontext``), knowing which command it is for.
cli.add_command(import_command)


def register(app: Flask) -> None:
    """Add Insyn's commands to ``app.cli``."""
    app.cli.add_command(demo_command)
    app.cli.add_command(setup_command)
    app.cli.add_command(users_cli)
    from app.token_commands import tokens_cli

    app.cli.add_command(tokens_cli)
    app.cli.add_command(import_command)
    from app.exporting.command import export_command
    from app.importing.command import imports_cli

    app.cli.add_command(imports_cli)

    app.cli.add_command(export_command)
    from app import cli_operations

    cli_operations.register(app)
