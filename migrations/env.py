"""Alembic environment for Insyn, driven by Flask-Migrate (``insyn db …``)."""

import logging
from logging.config import fileConfig

import sqlalchemy as sa
from alembic import context
from flask import current_app

config = context.config
if config.config_file_name is not None:
    # Keep the app's own loggers (and pytest's) alive while migrating.
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db
# Usually an Engine; a Connection when the caller (the test suite) holds one open.
bind = target_db.engine
config.set_main_option(
    "sqlalchemy.url", bind.engine.url.render_as_string(hide_password=False).replace("%", "%%")
)


def render_item(type_, obj, autogen_context):
    """Write Insyn's column types as their plain SQL types, so a migration never imports
    application code that may change after it has merged."""
    if type_ == "type" and isinstance(obj, sa.types.TypeDecorator):
        impl = obj.impl if isinstance(obj.impl, sa.types.TypeEngine) else obj.impl()
        if isinstance(impl, sa.DateTime):
            return f"sa.DateTime(timezone={impl.timezone})"
        return "sa." + repr(impl)
    return False


def run_migrations_offline():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_db.metadata,
        literal_binds=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        # An autogenerate with no changes writes no empty revision.
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args.setdefault("render_item", render_item)

    if isinstance(bind, sa.Connection):
        context.configure(connection=bind, target_metadata=target_db.metadata, **conf_args)
        with context.begin_transaction():
            context.run_migrations()
        return
    with bind.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch migrations rebuild SQLite tables (copy, drop, rename); with foreign keys
            # enforced, dropping a table others point at fails. The pragma only takes effect
            # outside a transaction, hence on the driver's connection, before SQLAlchemy's BEGIN.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")
        context.configure(connection=connection, target_metadata=target_db.metadata, **conf_args)
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"the migration left rows pointing at nothing: {broken[:5]}")
        if sqlite:
            # Not turned back on here: the pragma does nothing inside a transaction, and
            # SQLAlchemy may hold one still. The connection is closed instead of going back
            # to the pool, so the next one opens anew, with foreign keys enforced.
            connection.invalidate()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
