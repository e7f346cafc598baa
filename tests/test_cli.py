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
