"""``insyn imports …``: the imports made so far, undoing one (an administrator's, audited),
and the layouts imports read by, as profiles."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from app.extensions import db

imports_cli = AppGroup("imports", help="Imports: list them, undo one, export a saved layout.")


@imports_cli.command("list")
@click.option("--all", "show_all", is_flag=True, help="Every import (default: the latest 50).")
def imports_list(show_all: bool) -> None:
    """List the imports, newest first: id, when, file, sheets, records, totals, by whom."""
    from app.models import ImportBatch
    from app.services.imports import batches

    query = batches() if show_all else batches().limit(50)
    found = db.session.scalars(query).all()
    if not found:
        click.echo("Nothing imported yet.")
        return
    for batch in found:
        batch: ImportBatch
        state = f"UNDONE {batch.undone_at:%Y-%m-%d}" if batch.is_undone else "standing"
        totals = ", ".join(f"{amount} {code}" for code, amount in (batch.totals or {}).items())
        sheets = f" [{batch.sheet_name}]" if batch.sheet_name else ""
        click.echo(
            f"{batch.id:>5}  {batch.imported_at:%Y-%m-%d %H:%M}  {batch.filename}{sheets}  "
            f"{batch.kind}  {batch.row_count} records  {totals or '-'}  {state}  "
            f"by {batch.actor or '-'}"
        )


@imports_cli.command("undo")
@click.argument("batch_id", type=int)
@click.option("--reason", required=True, help="Why the import is undone (kept in the history).")
@click.option(
    "--as",
    "admin_email",
    required=True,
    metavar="EMAIL",
    help="The administrator undoing it: the email of an active administrator's account.",
)
def imports_undo(batch_id: int, reason: str, admin_email: str) -> None:
    """Undo import BATCH_ID: void every record it created (nothing is erased), withdraw the
    vendors, categories and departments it created that nothing else uses, and let the file
    be imported again (with other options). Audited under the administrator named by --as.

    Exit status: 0 undone; 1 refused (no such import, already undone, not an administrator).
    """
    from app.audit import Actor
    from app.audit import acting_as
    from app.models import ImportBatch
    from app.services.accounts import find_user
    from app.services.errors import ServiceError
    from app.services.imports import undo_batch

    user = find_user(admin_email)
    if user is None or not user.is_active or not user.is_admin:
        _refuse(f"{admin_email} is not an active administrator's account: only one may undo.")
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None:
        _refuse(f"There is no import {batch_id}; `insyn imports list` shows them.")
    actor = Actor(
        label=f"{user.name} <{user.email}> (command: insyn imports undo, {getpass.getuser()})"[
            :300
        ],
        origin="command",
        user_id=user.id,
    )
    try:
        with acting_as(actor):
            voided = undo_batch(batch, reason)
        db.session.commit()
    except ServiceError as error:
        db.session.rollback()
        _refuse(f"Import {batch_id}: {error}")
    except Exception:
        db.session.rollback()
        raise
    click.echo(
        f"Import {batch_id} ({batch.filename}) undone: {voided} records voided. "
        "The file can be imported again."
    )


@imports_cli.command("profile-export")
@click.argument("name")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file (default: standard output), e.g. imports/profiles/NAME.toml.",
)
def imports_profile_export(name: str, output: Path | None) -> None:
    """Write the saved layout NAME as a TOML profile for imports/profiles/."""
    from app.importing.saved import layout_named
    from app.importing.saved import layout_toml

    layout = layout_named(name)
    if layout is None:
        _refuse(f"There is no saved layout called {name}; `insyn imports profiles` lists them.")
    text = layout_toml(layout)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Layout {name} written to {output}.")


@imports_cli.command("profiles")
def imports_profiles() -> None:
    """List the profiles imports recognise layouts by: shipped ones and saved layouts."""
    from app.importing.profiles import all_profiles

    for profile in all_profiles():
        origin = "saved" if profile.saved else "shipped"
        click.echo(f"{profile.name:<28} {profile.kind:<12} {origin:<8} {profile.title}")


def _refuse(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)
