"""Insyn: what a public body spends on consultants and earns back, open to scrutiny.

``create_app`` is the only place an app is made: config, then extensions, blueprints, error
pages, template filters and CLI commands, each in a small step of its own.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from app.config import Config
from app.config import database_url
from app.config import is_production


def create_app(config: Mapping[str, Any] | None = None, *, web: bool = True) -> Flask:
    """Build an Insyn app.

    Args:
        config: settings that win over the defaults and the environment (tests pass these).
        web: mount the pages and what serving them needs (blueprints, sign-in, rate limits,
            caches, headers, template filters). A command that serves no request (``insyn
            import``) passes ``False`` and starts in about half the time; the database, the
            audit trail, the summaries' hooks and the translations are set up either way.

    Raises:
        RuntimeError: in production mode (``INSYN_ENV=production``) without a ``SECRET_KEY``.
    """
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(Config)
    app.config.from_prefixed_env("INSYN")
    if config:
        app.config.update(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = database_url(app.instance_path)
    _configure_secret_key(app)
    if app.config["PROXY_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    register_extensions(app)
    from app import audit
    from app.services import flag_store
    from app.services import summaries

    audit.install()
    flag_store.install()  # before the summaries': see its docstring
    summaries.install()
    if web:
        register_web(app)

    from app import cli

    cli.register(app)
    return app


def register_web(app: Flask) -> None:
    """Mount the pages, and what serving a request needs around them."""
    register_blueprints(app)
    from app.web import access
    from app.web import errors
    from app.web import filters
    from app.web import history
    from app.web import http_cache
    from app.web import limits
    from app.web import response_cache
    from app.web import security
    from app.web import transactions

    transactions.register(app)
    access.register(app)
    errors.register(app)
    limits.register(app)
    response_cache.register(app)
    http_cache.register(app)
    filters.register(app)
    history.register(app)
    security.register(app)


def _configure_secret_key(app: Flask) -> None:
    """Take ``SECRET_KEY`` from the environment; outside production, keep a generated one in
    the instance folder so sessions survive a restart of the embedded default."""
    key = app.config.get("SECRET_KEY") or os.environ.get("SECRET_KEY")
    if key:
        app.config["SECRET_KEY"] = key
        return
    if is_production():
        raise RuntimeError(
            "SECRET_KEY is not set. In production Insyn needs a long random SECRET_KEY in its "
            "environment, e.g. "
            "SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    app.config["SECRET_KEY"] = path.read_text().strip()


def register_extensions(app: Flask) -> None:
    """Bind the extensions of ``app.extensions`` to ``app``."""
    from app import i18n
    from app.extensions import babel
    from app.extensions import csrf
    from app.extensions import db
    from app.extensions import migrate
    from app.models.search import include_object

    db.init_app(app)
    # Batch mode lets migrations alter tables on SQLite, which has no ALTER COLUMN.
    migrate.init_app(
        app,
        db,
        directory=str(Path(app.root_path).parent / "migrations"),
        render_as_batch=True,
        compare_type=True,
        include_object=include_object,
    )
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_translation_directories=i18n.compiled_translations(app),
    )
    i18n.install_template_callables(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        from app.models.sqlite import configure_sqlite

        with app.app_context():
            configure_sqlite(db.engine, app.config["SQLITE_BUSY_SECONDS"])


def register_blueprints(app: Flask) -> None:
    """Mount every feature's blueprint."""
    from app.extensions import csrf
    from app.web.listing import IdConverter

    app.url_map.converters["id"] = IdConverter
    from app.web.api import bp as api
    from app.web.audit.views import bp as audit
    from app.web.auth.views import bp as auth
    from app.web.contracts.views import bp as contracts
    from app.web.downloads import bp as exports
    from app.web.feeds import bp as feeds
    from app.web.imports.views import bp as imports
    from app.web.income.views import bp as income
    from app.web.invoices.views import bp as invoices
    from app.web.lists.views import bp as lists
    from app.web.main.views import bp as main
    from app.web.reports.views import bp as reports
    from app.web.thresholds.views import bp as thresholds
    from app.web.tokens.views import bp as tokens
    from app.web.users.views import bp as users
    from app.web.vendors.views import bp as vendors

    for blueprint in (
        main,
        auth,
        vendors,
        contracts,
        invoices,
        income,
        lists,
        imports,
        reports,
        thresholds,
        exports,
        feeds,
        users,
        tokens,
        audit,
    ):
        app.register_blueprint(blueprint)
    # The API authenticates writes by token, never by cookie (app.web.api.saving), so a
    # forged cross-site request has nothing to ride on; its views take no CSRF token.
    csrf.exempt(api)
    app.register_blueprint(api)
