"""``insyn check``: what an installation's settings and database say, in plain words.

Each finding is a problem (the installation is not safe or will not work as it should: the
command exits non-zero) or a warning (worth a look), with what to do about it.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import Flask

from app.config import is_production

#: A secret key shorter than this is guessable.
MIN_SECRET_KEY = 32


@dataclass(frozen=True)
class Finding:
    problem: bool  #: True: misconfigured (the check fails); False: a warning
    text: str


def check_installation(app: Flask, key_from_environment: bool) -> list[Finding]:
    """Check ``app``'s settings, folders and database. ``key_from_environment`` says whether
    ``SECRET_KEY`` came from the environment (in production it must)."""
    found: list[Finding] = []
    production = is_production()
    config = app.config
    found += _secret_key(config, production, key_from_environment)
    found += _cookies(config, production)
    found += _folders(app)
    found += _database(app, production)
    found += _review_share_setting(app)
    if production and config["PUBLISHER_ORG_NUMBER"] == "212999-0004":
        found.append(
            Finding(
                False,
                "The publisher in open-data files is the example one: set "
                "INSYN_PUBLISHER_NAME and INSYN_PUBLISHER_ORG_NUMBER.",
            )  # fmt: skip
        )
    return found


def _review_share_setting(app: Flask) -> list[Finding]:
    """INSYN_AMENDMENT_REVIEW_PERCENT, which Insyn no longer reads (the share is kept in the
    database), still set: whoever set it expects it to count. It reaches the config through
    the environment when the app is made; the environment is read too, for a variable set
    since."""
    if not (
        "INSYN_AMENDMENT_REVIEW_PERCENT" in os.environ or "AMENDMENT_REVIEW_PERCENT" in app.config
    ):
        return []
    share = _review_share(app)
    in_force = f" The share in force is {share} %." if share is not None else ""
    return [
        Finding(False, "INSYN_AMENDMENT_REVIEW_PERCENT is set, but Insyn no longer reads it: "
                "the amendment review share is kept in the database, and an administrator "
                "changes it on the direct-award thresholds page (Rapporter → "
                f"Direktupphandlingsgränser, /reports/thresholds/).{in_force} Remove the "
                "variable.")
    ]  # fmt: skip


def _review_share(app: Flask) -> str | None:
    """The amendment review share in force, as written (``10``), or ``None`` when the
    database cannot say (the findings about the database say why)."""
    from app.extensions import db
    from app.services.flag_rules import flag_rules
    from app.services.flag_rules import plain_percent

    with app.app_context():
        try:
            return plain_percent(flag_rules().review_percent)
        except sa.exc.SQLAlchemyError:
            return None
        finally:
            db.session.remove()


def _secret_key(config, production: bool, from_environment: bool) -> list[Finding]:
    if production and not from_environment:
        return [
            Finding(True, "SECRET_KEY is not set. In production Insyn needs a long random key "
                    "in its environment (it signs every session); generate one with "
                    "python3 -c 'import secrets; print(secrets.token_hex(32))' and keep it.")
        ]  # fmt: skip
    key = config.get("SECRET_KEY") or ""
    if from_environment and len(key) < MIN_SECRET_KEY:
        return [
            Finding(True, f"SECRET_KEY is only {len(key)} characters long; use at least "
                    f"{MIN_SECRET_KEY} random ones.")
        ]  # fmt: skip
    return []


def _cookies(config, production: bool) -> list[Finding]:
    found = []
    behind_proxy = bool(config["PROXY_HOPS"])
    if (production or behind_proxy) and not (
        config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    ):
        found.append(
            Finding(True, "Sign-in cookies may travel without HTTPS: behind HTTPS set "
                    "INSYN_SESSION_COOKIE_SECURE=true and INSYN_REMEMBER_COOKIE_SECURE=true.")
        )  # fmt: skip
    if production and not behind_proxy:
        found.append(
            Finding(False, "INSYN_PROXY_HOPS is 0: behind a reverse proxy set it to the number "
                    "of proxies (usually 1), or every sign-in counts as the proxy's and one "
                    "guesser locks everyone out.")
        )  # fmt: skip
    return found


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def _folders(app: Flask) -> list[Finding]:
    found = []
    for folder, use in (
        (Path(app.instance_path), "the instance folder"),
        (Path(app.instance_path) / "uploads", "the upload folder, where imports wait"),
    ):
        if not _writable(folder):
            found.append(
                Finding(True, f"{folder} ({use}) cannot be written by the server's account "
                        f"({os.getuid()}): uploads and imports will fail. Give it write access.")
            )  # fmt: skip
            break
    return found


def _database(app: Flask, production: bool) -> list[Finding]:
    from app.database_roles import can_disable_audit_triggers
    from app.database_roles import can_make_temporary_tables
    from app.extensions import db

    found = []
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite" and production:
            found.append(
                Finding(True, f"The database is SQLite ({engine.url.database}): fine for trying "
                        "Insyn out, but a real installation runs on PostgreSQL (set DATABASE_URL).")
            )  # fmt: skip
        try:
            with engine.connect() as connection:
                has_schema = sa.inspect(connection).has_table("alembic_version")
                current = (
                    connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
                    if has_schema
                    else None
                )
                owner = has_schema and can_disable_audit_triggers(connection)
                temporary = can_make_temporary_tables(connection)
        except sa.exc.SQLAlchemyError as error:
            reason = str(getattr(error, "orig", None) or error).strip().splitlines()
            return [*found, Finding(True, f"The database cannot be reached: {reason[0]}.")]
        head = ScriptDirectory(str(Path(app.root_path).parent / "migrations")).get_current_head()
        if current is None:
            found.append(
                Finding(True, "The database has no Insyn schema yet: run insyn setup.")
            )  # fmt: skip
        elif current != head:
            found.append(
                Finding(True, f"The database schema is at revision {current}; this version of "
                        f"Insyn needs {head}. Back up (insyn backup), then run insyn setup.")
            )  # fmt: skip
        if not temporary:
            found.append(
                Finding(True, "The role Insyn connects as may not make temporary tables, which "
                        "every import needs. Give it the rights again: insyn grant ROLE, run as "
                        "the tables' owner (README).")
            )  # fmt: skip
        if owner:
            found.append(
                Finding(False, "Insyn connects as the owner of its tables (or a superuser), "
                        "which could switch off the audit trail's triggers. Run the server as "
                        "a role of its own with insyn grant ROLE (README).")
            )  # fmt: skip
    return found
