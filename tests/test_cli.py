"""The insyn command line."""

from __future__ import annotations

import sqlalchemy as sa

from app.models import Vendor


def test_setup_migrates_and_loads_the_demo_only_into_an_empty_database(runner, db):
    result = runner.invoke(args=["setup"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output and "Demo data loaded" in result.output
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Vendor))
    assert count == 4  # the demo's consultant, phone shop, photo archive and video host
    again = runner.invoke(args=["setup"])
    assert again.exit_code == 0
    assert "Demo data" not in again.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vendor)) == count


def test_setup_without_demo_leaves_the_database_empty(runner, db):
    result = runner.invoke(args=["setup", "--no-demo"])
    assert result.exit_code == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vendor)) == 0


def test_setup_in_production_loads_no_demo_unless_asked(runner, db, monkeypatch):
    """A real installation must not open with the demo's accounts and invented invoices."""
    monkeypatch.setenv("INSYN_ENV", "production")
    result = runner.invoke(args=["setup"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vendor)) == 0
    assert "insyn users create" in result.output and "Demo" not in result.output
    result = runner.invoke(args=["setup", "--demo"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vendor)) == 4


def test_the_console_script_lists_insyns_commands():
    import subprocess
    import sys
    from pathlib import Path

    script = Path(sys.executable).with_name("insyn")
    result = subprocess.run(
        [str(script), "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    for command in ("run", "db", "demo", "setup"):
        assert f"  {command} " in result.stdout


def test_setup_opens_demo_accounts_for_demo_data_that_has_none(runner, db):
    from app.services.demo import load_demo

    load_demo()
    db.session.commit()
    result = runner.invoke(args=["setup"])
    assert result.exit_code == 0, result.output
    assert "admin@insyn.example" in result.output and "Demo data loaded" not in result.output
    assert "insyn users create" not in result.output


def test_insyn_import_makes_its_app_without_the_pages_and_other_commands_with_them(monkeypatch):
    import click

    import app as insyn
    from app import cli as insyn_cli

    made = []
    monkeypatch.setattr(insyn, "create_app", lambda config=None, *, web=True: made.append(web))
    for command in (insyn_cli.import_command, insyn_cli.demo_command, insyn_cli.setup_command):
        with click.Context(command):
            insyn_cli._create_app()
    insyn_cli._create_app()  # outside any command (``insyn run`` serves the pages)
    assert made == [False, True, True, True]


def test_an_app_without_the_pages_imports_a_file_as_the_whole_app_does(databases, tmp_path):
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.models import AuditEvent
    from app.models import Invoice
    from tests.conftest import TEST_CONFIG

    lean = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": databases.new()}, web=False)
    assert lean.blueprints == {}
    assert {"import", "imports", "export"} <= set(lean.cli.commands)
    path = tmp_path / "leverantorsfakturor.csv"
    path.write_text(
        "Leverantör;Organisationsnummer;Fakturanummer;Fakturadatum;Belopp\n"
        "Exempel AB;556036-0793;A-1;2020-01-31;1 000,50\n"
        "Exempel AB;556036-0793;A-2;2020-02-29;250,25-\n",
        encoding="utf-8",
    )
    try:
        with lean.app_context():
            upgrade()
        result = lean.test_cli_runner().invoke(args=["import", str(path)])
        assert result.exit_code == 0, result.output
        with lean.app_context():
            net = db.session.scalars(sa.select(Invoice.net_amount).order_by(Invoice.id)).all()
            assert [str(amount) for amount in net] == ["1000.50", "-250.25"]
            # The audit trail's hooks are there without the pages: the new vendor has its event.
            events = db.session.scalars(
                sa.select(AuditEvent.record_type).where(AuditEvent.action == "insert")
            ).all()
            assert sorted(events) == ["import_batches", "vendors"]
    finally:
        with lean.app_context():
            db.engine.dispose()


def test_the_wsgi_module_builds_the_app_and_sets_its_loaded_objects_aside(tmp_path):
    """``gunicorn 'app.wsgi:application'`` (the README's production command) finds a Flask
    application there, and the objects loaded with it are out of the collector's reach."""
    import subprocess
    import sys

    from tests.processes import ROOT
    from tests.processes import child_env

    probe = (
        "import gc, flask, app.wsgi as w;"
        "print(isinstance(w.application, flask.Flask), gc.get_freeze_count())"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=child_env(f"sqlite:///{tmp_path / 'wsgi.sqlite3'}"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    is_flask, frozen = result.stdout.split()
    assert is_flask == "True"
    assert int(frozen) > 10_000  # the modules, mapped classes and templates of the app
