"""PostgreSQL: the search document computed by a PL/pgSQL function, five times faster.

``insyn_search_vector(…)`` (revision e7a3f9c2b1d6) was a SQL function with a search path
of its own (a ``SET`` clause). The clause kept the planner from inlining it, which it must
not do: costed as the bare expression, the document would be computed row after row in
another index's order rather than read from the GIN index. But the clause also made every
call set the search path and put it back, about 10 µs a row, paid by every insert (an
import's rows among them), every update of a document and every row a search rechecks:
3.0 s to compute the documents of 300,000 invoices, 6.9 s to build their index.

A PL/pgSQL function is never inlined either, and keeps its expression planned for the
session: 0.5 s for the same 300,000 documents, 1.9 s for the index; inserting 300,000
invoices into a table of as many, every index and key kept, 12 s instead of 20. Every name
in it is qualified, so it means the same whatever the caller's search path (a restore's
empty one included). It returns the same vectors as before, so the indexes built on it stay
valid as they are.

SQLite: nothing changes.

Revision ID: 4a263784a5e0
Revises: 4016d82bfdae
Create Date: 2026-12-06 18:00:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "4a263784a5e0"
down_revision = "4016d82bfdae"
branch_labels = None
depends_on = None

#: The documents' functions: one for each number of columns a document joins.
ARITIES = (1, 2, 3)


def _schema() -> str:
    """The schema the functions were made in (the one current when e7a3f9c2b1d6 ran)."""
    return (
        op.get_bind()
        .exec_driver_sql(
            "SELECT n.nspname FROM pg_catalog.pg_proc p "
            "JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
            "WHERE p.proname = 'insyn_search_text'"
        )
        .scalar_one()
    )


def _joined(count: int) -> str:
    """The columns' text as one, with a space between them (the operator qualified too)."""
    return " OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) ".join(
        f"coalesce(${i}, '')" for i in range(1, count + 1)
    )


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    schema = _schema()
    for count in ARITIES:
        arguments = ", ".join(["text"] * count)
        # COST as before: the planner keeps preferring the GIN index to computing documents.
        op.execute(
            f"""
            CREATE OR REPLACE FUNCTION {schema}.insyn_search_vector({arguments})
            RETURNS tsvector LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE COST 1000 AS $$
            BEGIN
                RETURN pg_catalog.to_tsvector('pg_catalog.simple'::pg_catalog.regconfig,
                    {schema}.insyn_search_text({_joined(count)}));
            END
            $$
            """
        )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    schema = _schema()
    for count in ARITIES:
        arguments = ", ".join(["text"] * count)
        joined = " || ' ' || ".join(f"coalesce(${i}, '')" for i in range(1, count + 1))
        op.execute(
            f"""
            CREATE OR REPLACE FUNCTION {schema}.insyn_search_vector({arguments})
            RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE COST 1000
            SET search_path = pg_catalog, {schema} AS $$
                SELECT pg_catalog.to_tsvector('pg_catalog.simple'::regconfig,
                    {schema}.insyn_search_text({joined}))
            $$
            """
        )
