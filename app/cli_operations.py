"""The operator's commands: ``insyn backup``, ``insyn restore``, ``insyn check``,
``insyn grant`` and ``insyn db rebuild-summaries``.

Exit statuses, as every Insyn command: 0 done; 1 refused or misconfigured (nothing changed);
2 the file cannot be read or is not an Insyn backup; 3 the database could not be reached or
failed.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import NoAppException
from flask.cli import ScriptInfo
from flask.cli import with_appcontext

from app.cli_errors import EXIT_REJECTED
from app.cli_errors import EXIT_UNREADABLE
from app.cli_errors import database_errors


def _migrations() -> Path:
    return Path(current_app.root_path).parent / "migrations"


def _fail(error, code: int = EXIT_REJECTED):
    click.echo(f"Error: {error}", err=True)
    sys.exit(code)


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
@database_errors
def backup_command(file: Path) -> None:
    """Copy the whole database, audit trail included, to FILE: a SQLite database file (made
    with SQLite's online backup API, safe while the server runs) or a pg_dump custom-format
    file for PostgreSQL. Restore it with insyn restore FILE."""
    from app.backup import BackupError
    from app.backup import write_backup
    from app.extensions import db

    try:
        info = write_backup(db.engine, file, current_app.config["PG_BIN_DIR"])
    except BackupError as error:
        _fail(error)
    size = file.stat().st_size
    click.echo(f"Backed up the database (schema {info.revision}) to {file} ({size:,} bytes).")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
@database_errors
def restore_command(file: Path, yes: bool) -> None:
    """Replace everything in the database with the backup in FILE (made by insyn backup),
    then bring its schema up to date. Stop the server first. The database as it was is
    saved beside the instance folder's other files first, in instance/backups/.

    Refuses a file that is not an Insyn backup (exit 2), and a backup of another kind of
    database or from a newer version of Insyn (exit 1).
    """
    from flask_migrate import upgrade

    from app.backup import BackupError
    from app.backup import check_restorable
    from app.backup import read_backup
    from app.backup import restore_backup
    from app.backup import write_backup
    from app.extensions import db

    engine, pg_bin = db.engine, current_app.config["PG_BIN_DIR"]
    try:
        info = read_backup(file, engine, pg_bin)
        check_restorable(info, engine, _migrations())
    except BackupError as error:
        _fail(error, EXIT_UNREADABLE if error.unreadable else EXIT_REJECTED)
    target = engine.url.render_as_string(hide_password=True)
    if not yes and not click.confirm(
        f"Replace everything in {target} with the backup {file} (schema {info.revision})?"
    ):
        click.echo("Nothing restored.")
        sys.exit(EXIT_REJECTED)
    db.session.remove()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    suffix = ".sqlite3" if engine.dialect.name == "sqlite" else ".dump"
    before = Path(current_app.instance_path) / "backups" / f"before-restore-{stamp}{suffix}"
    before.parent.mkdir(parents=True, exist_ok=True)
    try:
        write_backup(engine, before, pg_bin)
        click.echo(f"The database as it was is saved in {before}.")
    except BackupError:
        before = None  # nothing of Insyn's in it to keep
    try:
        restore_backup(file, engine, pg_bin)
    except BackupError as error:
        _fail(f"{error}. The database is as it was.")
    upgrade(directory=str(_migrations()))
    click.echo(f"Restored {file}; the database schema is up to date.")


@click.command("check")
def check_command() -> None:
    """Check the installation: the secret key, the database (reachable, PostgreSQL in
    production, migrations applied, the application's role), HTTPS cookie settings and the
    folders Insyn writes. Prints each problem in plain words; exits 1 if there is one."""
    from app.checks import check_installation

    from_environment = bool(os.environ.get("SECRET_KEY") or os.environ.get("INSYN_SECRET_KEY"))
    try:
        app = click.get_current_context().ensure_object(ScriptInfo).load_app()
    except (RuntimeError, NoAppException):
        from app import create_app

        # Without a key in production the app refuses to start, and saying so is this
        # command's job: built here with a stand-in key to check everything else.
        app = create_app({"SECRET_KEY": "not-set-" + "x" * 32})
    # A key given in the app's own settings (a test, an embedding) is not a generated one.
    from_environment = from_environment or bool(app.config.get("TESTING"))
    findings = check_installation(app, from_environment)
    for finding in findings:
        click.echo(("PROBLEM: " if finding.problem else "warning: ") + finding.text)
    problems = sum(1 for f in findings if f.problem)
    if problems:
        click.echo(f"{problems} problem(s) found.")
        sys.exit(EXIT_REJECTED)
    click.echo("No problems found." + (" (See the warnings above.)" if findings else ""))


@click.command("grant")
@click.argument("role")
@with_appcontext
@database_errors
def grant_command(role: str) -> None:
    """Give the PostgreSQL role ROLE what the server needs and nothing more: read and write
    records, append to the audit trail. It cannot alter tables (so it cannot switch the audit
    trail's triggers off) nor change or remove audit events. Run as the tables' owner after
    insyn setup, and again after every upgrade; then run the server as ROLE."""
    from app.database_roles import RoleError
    from app.database_roles import grant_application_role
    from app.extensions import db

    try:
        statements = grant_application_role(db.engine, role)
    except RoleError as error:
        _fail(error)
    for statement in statements:
        click.echo(statement + ";")
    click.echo(f"{role} may now run Insyn's server, and no more.")


@click.command("rebuild-summaries")
@click.option("--check", is_flag=True, help="Only compare; change nothing.")
@with_appcontext
@database_errors
def rebuild_summaries_command(check: bool) -> None:
    """Recompute the invoice summaries (the sums reports read) and the contracts' stored
    flags from the invoices, and print every key where they differed. Exits 0 when they were
    exact; 1 when a difference was found (repaired, unless --check). Writes to invoices
    always keep them exact, and so do changes of the amendment review share and the
    thresholds: a difference means records were changed past Insyn (plain SQL), or a fault."""
    from app.extensions import db
    from app.money import from_ore
    from app.services import flag_store
    from app.services import summaries

    found = summaries.differences() if check else summaries.rebuild()
    flagged = flag_store.differences() if check else flag_store.rebuild()

    def sums(values) -> str:
        if values is None:
            return "no row"
        net, vat, count = values
        return f"{from_ore(net)} + VAT {from_ore(vat)} in {count} invoice(s)"

    for difference in found[:SHOWN_DIFFERENCES]:
        key = " ".join(f"{name}={value}" for name, value in difference.key.items())
        click.echo(
            f"{difference.table} {key}: summaries {sums(difference.stored)}, "
            f"invoices {sums(difference.actual)}"
        )
    if len(found) > SHOWN_DIFFERENCES:
        click.echo(f"… and {len(found) - SHOWN_DIFFERENCES} more.")
    if flagged:
        shown = ", ".join(str(i) for i in flagged[:SHOWN_DIFFERENCES])
        hidden = len(flagged) - SHOWN_DIFFERENCES
        more = f" and {hidden} more" if hidden > 0 else ""
        click.echo(f"contract_flag_sets: the stored flags of contract(s) {shown}{more} differ.")
    if not found and not flagged:
        click.echo("The invoice summaries and the stored flags are exact.")
        return
    if check:
        click.echo(
            f"{len(found)} summary row(s) and {len(flagged)} contract(s)' flags differ; "
            "nothing was changed."
        )
    else:
        db.session.commit()
        click.echo(
            f"{len(found)} summary row(s) and {len(flagged)} contract(s)' flags differed; "
            "rebuilt from the invoices."
        )
    sys.exit(EXIT_REJECTED)


@click.command("partition-invoices")
@click.option(
    "--through",
    type=int,
    help="The last year to give a partition (default: two years past this one).",
)
@with_appcontext
@database_errors
def partition_invoices_command(through: int | None) -> None:
    """PostgreSQL: partition the invoices by year of invoice date (for a region's or a
    country's ledgers), or, once they are, add partitions up to --through and for the years
    that arrived in the default partition. Locks the invoices while it copies them: run it in
    a quiet hour, with a backup first, and run insyn grant again after it."""
    from app.extensions import db
    from app.models.partitioning import PartitionError
    from app.models.partitioning import partition_invoices

    try:
        outcome = partition_invoices(db.session.connection(), through)
    except PartitionError as error:
        db.session.rollback()
        _fail(error)
    db.session.commit()
    years = ", ".join(str(year) for year in outcome.years) or "none"
    if outcome.partitioned_now:
        first, last = outcome.years[0], outcome.years[-1]
        click.echo(f"The invoices are now partitioned by year: {outcome.moved} invoice(s), in")
        click.echo(f"a partition for each year {first}–{last} and a default one for later dates.")
        click.echo("Run insyn grant ROLE again for the server's role.")
    else:
        click.echo(f"New partitions: {years}; {outcome.moved} invoice(s) moved into them.")


#: How many differing keys ``insyn db rebuild-summaries`` prints.
SHOWN_DIFFERENCES = 50


def register(app) -> None:
    for command in (backup_command, restore_command, check_command, grant_command):
        app.cli.add_command(command)
