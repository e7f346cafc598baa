"""``insyn check``: each misconfiguration is said in plain words and makes the command exit
non-zero; a sound installation passes."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from flask_migrate import upgrade

from app.cli_operations import check_command

SECURE = {"SESSION_COOKIE_SECURE": True, "REMEMBER_COOKIE_SECURE": True, "PROXY_HOPS": 1}


@pytest.fixture
def installation(databases, migrated_app, tmp_path):
    from app.extensions import db

    app = migrated_app(databases.new(), **SECURE)
    app.instance_path = str(tmp_path / "instance")
    yield app
    with app.app_context():
        db.engine.dispose()


def _check(app):
    return app.test_cli_runner().invoke(check_command)


def test_a_sound_installation_passes(installation):
    result = _check(installation)
    assert result.exit_code == 0, result.output
    assert "No problems found" in result.output and "PROBLEM" not in result.output


def test_production_without_a_secret_key_is_a_problem(monkeypatch, tmp_path):
    monkeypatch.setenv("INSYN_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("INSYN_SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'insyn.sqlite3'}")
    from app.cli import cli

    result = CliRunner().invoke(cli, ["check"])  # as the insyn command runs it
    assert result.exit_code == 1, result.output
    assert "PROBLEM: SECRET_KEY is not set" in result.output
    # And, on the same SQLite file: not PostgreSQL, no schema, cookies without HTTPS.
    assert "The database is SQLite" in result.output
    assert "no Insyn schema yet: run insyn setup" in result.output
    assert "INSYN_SESSION_COOKIE_SECURE=true" in result.output
    assert "Traceback" not in result.output


def test_a_pending_migration_is_a_problem(installation):
    from flask_migrate import downgrade

    from app.extensions import db

    with installation.app_context():
        downgrade(revision="492c06ee5d0d")
    try:
        result = _check(installation)
    finally:
        with installation.app_context():
            upgrade()
            db.session.remove()
    assert result.exit_code == 1
    assert "schema is at revision 492c06ee5d0d" in result.output
    assert "insyn backup" in result.output and "insyn setup" in result.output


def test_insecure_cookies_behind_a_proxy_are_a_problem(installation):
    installation.config["SESSION_COOKIE_SECURE"] = False
    result = _check(installation)
    assert result.exit_code == 1 and "INSYN_SESSION_COOKIE_SECURE=true" in result.output


def test_an_upload_folder_that_cannot_be_written_is_a_problem(installation, tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "uploads").write_text("a file where the folder should be")
    result = _check(installation)
    assert result.exit_code == 1 and "the upload folder" in result.output


def test_sqlite_in_production_is_a_problem(migrated_app, tmp_path, monkeypatch):
    app = migrated_app(f"sqlite:///{tmp_path / 'insyn.sqlite3'}", **SECURE)
    app.instance_path = str(tmp_path / "instance")
    monkeypatch.setenv("INSYN_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    result = _check(app)
    assert result.exit_code == 1
    assert "The database is SQLite" in result.output and "PostgreSQL" in result.output


def test_an_amendment_review_share_still_set_in_the_environment_is_a_warning(
    installation, monkeypatch
):
    """The share is kept in the database now: a variable still set says nothing to Insyn,
    and whoever set it should learn where the share is changed."""
    monkeypatch.setenv("INSYN_AMENDMENT_REVIEW_PERCENT", "15")
    result = _check(installation)
    assert result.exit_code == 0, result.output
    assert "warning: " in result.output and "PROBLEM" not in result.output
    output = " ".join(result.output.split())
    assert "INSYN_AMENDMENT_REVIEW_PERCENT is set, but Insyn no longer reads it" in output
    assert "/reports/thresholds/" in output and "The share in force is 10 %" in output


def test_an_amendment_review_share_given_to_the_app_is_a_warning_too(installation):
    installation.config["AMENDMENT_REVIEW_PERCENT"] = 15  # as from_prefixed_env puts it
    try:
        result = _check(installation)
    finally:
        del installation.config["AMENDMENT_REVIEW_PERCENT"]
    assert "INSYN_AMENDMENT_REVIEW_PERCENT is set" in result.output


def test_a_sound_installation_says_nothing_of_the_review_share(installation, monkeypatch):
    monkeypatch.delenv("INSYN_AMENDMENT_REVIEW_PERCENT", raising=False)
    assert "AMENDMENT_REVIEW_PERCENT" not in _check(installation).output
