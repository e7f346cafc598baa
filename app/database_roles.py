"""PostgreSQL roles: the application runs as a role that can read and write records and append
to the audit trail, and nothing more.

The role that owns the tables (the one that runs the migrations) could switch the audit
trail's triggers off (``ALTER TABLE audit_events DISABLE TRIGGER``) and then change or remove
events; so could a superuser. The application's own role is given rights on the rows only:
it cannot alter a table, so it cannot disable a trigger, and it may not update, delete or
truncate audit events at all, whatever the triggers say.
"""

from __future__ import annotations

import sqlalchemy as sa

#: Tables the application only reads and appends to.
APPEND_ONLY = ("audit_events",)
#: Tables the application only reads (the migrations write them).
READ_ONLY = ("alembic_version",)


class RoleError(Exception):
    """The role cannot be set up; the message says why."""


def grant_statements(connection: sa.Connection, role: str) -> list[str]:
    """The statements that give ``role`` what the application needs on the current schema."""
    quote = connection.dialect.identifier_preparer.quote
    name, database = quote(role), quote(connection.engine.url.database or "")
    schema = quote(connection.execute(sa.text("SELECT current_schema()")).scalar())
    statements = [
        # TEMPORARY: an import sums its rows for the summaries in a table of its session.
        f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {name}",
        f"GRANT USAGE ON SCHEMA {schema} TO {name}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {name}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {name}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {name}",
    ]
    statements += [f"REVOKE UPDATE, DELETE ON {quote(t)} FROM {name}" for t in APPEND_ONLY]
    statements += [f"REVOKE INSERT, UPDATE, DELETE ON {quote(t)} FROM {name}" for t in READ_ONLY]
    return statements


def grant_application_role(engine: sa.Engine, role: str) -> list[str]:
    """Give ``role`` (an existing PostgreSQL role, not the one running this) the rights the
    application needs, and only those, on every table of the schema; returns the statements
    run. Run it as the tables' owner after every upgrade, since new tables need rights too.

    Raises:
        RoleError: not PostgreSQL, the role does not exist, or it is the role running this
            (the owner must stay another role).
    """
    if engine.dialect.name != "postgresql":
        raise RoleError(
            "Database roles are PostgreSQL's: on SQLite, whoever can write the database file "
            "can change anything in it; keep the file readable by the server's account only."
        )
    with engine.begin() as connection:
        exists = connection.execute(
            sa.text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role}
        ).scalar()
        if not exists:
            raise RoleError(
                f"There is no role {role}. Create it first (as a superuser): "
                f"CREATE ROLE {role} LOGIN PASSWORD '…';"
            )
        if connection.execute(sa.text("SELECT current_user")).scalar() == role:
            raise RoleError(
                f"{role} is the role running this command, which owns the tables. Give the "
                "application a role of its own and run this as the owner."
            )
        statements = grant_statements(connection, role)
        for statement in statements:
            connection.execute(sa.text(statement))
    return statements


def can_disable_audit_triggers(connection: sa.Connection) -> bool:
    """Whether the connected role could switch the audit trail's triggers off: a superuser,
    or (a member of) the role that owns ``audit_events``. Always false on SQLite (no roles)."""
    if connection.dialect.name != "postgresql":
        return False
    return bool(
        connection.execute(
            sa.text(
                "SELECT r.rolsuper OR pg_has_role(current_user, t.tableowner, 'MEMBER') "
                "FROM pg_roles r, pg_tables t "
                "WHERE r.rolname = current_user AND t.tablename = 'audit_events' "
                "AND t.schemaname = current_schema()"
            )
        ).scalar()
    )


def can_make_temporary_tables(connection: sa.Connection) -> bool:
    """Whether the connected role may make temporary tables in the database, as an import
    does (:func:`grant_statements` gives the right). Always true on SQLite."""
    if connection.dialect.name != "postgresql":
        return True
    return bool(
        connection.execute(
            sa.text("SELECT has_database_privilege(current_database(), 'TEMPORARY')")
        ).scalar()
    )


def owns_table(connection: sa.Connection, table: str) -> bool:
    """Whether the connected role owns ``table`` (or is a member of its owner's role), and so
    may drop and build its indexes. Always true on SQLite (no roles)."""
    if connection.dialect.name != "postgresql":
        return True
    return bool(
        connection.execute(
            sa.text(
                "SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class "
                "WHERE oid = CAST(:table AS regclass)"
            ),
            {"table": table},
        ).scalar()
    )
