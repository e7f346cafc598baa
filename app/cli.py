"""The ``insyn`` command: Flask's CLI over the app factory, plus Insyn's own commands.

``insyn run``, ``insyn db upgrade`` and ``insyn shell`` come from Flask and Flask-Migrate;
``insyn setup`` and ``insyn demo`` are defined here. Commands are thin: they call services
and commit once at the end.
"""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import FlaskGroup
from flask.cli import with_appcontext


def _create_app(*_args, **_kwargs) -> Flask:
    from app import create_app

    return create_app()


cli = FlaskGroup(
    create_app=_create_app,
    help="Insyn: consultant costs and fee income of a public body, open to scrutiny.",
)


def main() -> None:
    """Entry point of the ``insyn`` console script."""
    cli.main(prog_name="insyn")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the demo data set (modelled on the Katrineholm case; rows are illustrative).

    Records that exist are left alone: running it twice changes nothing.
    """
    from app.extensions import db
    from app.services.demo import load_demo

    try:
        added = load_demo()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if any(added.values()):
        click.echo("Demo data loaded: " + ", ".join(f"{n} {k}" for k, n in added.items()) + ".")
    else:
        click.echo("Demo data already loaded; nothing changed.")


@click.command("setup")
@click.option("--demo/--no-demo", default=True, help="Load the demo data into an empty database.")
@with_appcontext
def setup_command(demo: bool) -> None:
    """Bring the database up to date (migrations) and, when it is empty, load the demo data."""
    from flask_migrate import upgrade

    from app.extensions import db
    from app.models import Contract
    from app.models import Engagement
    from app.models import Invoice
    from app.models import Vendor

    upgrade()
    click.echo("Database schema is up to date.")
    empty = all(
        db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0
        for model in (Vendor, Contract, Invoice, Engagement)
    )
    if demo and empty:
        from click import get_current_context

        get_current_context().invoke(demo_command)


def register(app: Flask) -> None:
    """Add Insyn's commands to ``app.cli``."""
    app.cli.add_command(demo_command)
    app.cli.add_command(setup_command)
