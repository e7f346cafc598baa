"""The invoice table partitioned by year of invoice date, on PostgreSQL: for a region's or a
country's ledgers, where one table of hundreds of millions of rows is slow to maintain
(vacuum, index builds, backups) even though reports read the summaries.

After :func:`partition_invoices`, ``invoices`` is a table partitioned by range of
``invoiced_on``: one partition a year (``invoices_y2024``), and a default partition
(``invoices_default``) for dates past the last year's. Queries for a year read its partition
alone; an old year can be detached and archived as a table of its own.

What changes for the database, and how it is kept:

* The primary key becomes (``id``, ``invoiced_on``): PostgreSQL requires the partition key in
  every unique constraint. Ids still come from the one sequence, so they stay unique.
* For the same reason no foreign key can point at ``invoices``; the only one that did (a credit
  note's ``credits_invoice_id``) is checked by a trigger instead, on insert and update
  (Insyn never deletes an invoice: it voids it).
* Every other index, check and foreign key is made again under its own name, so later
  migrations find them; the id sequence stays the table's.

SQLite keeps one table: it has no partitions (:class:`PartitionError`).

The statements are made of this module's names and of years (integers): nothing typed by a
person enters them, hence the ``noqa: S608`` where they are built.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from dataclasses import field

import sqlalchemy as sa

TABLE = "invoices"
DEFAULT_PARTITION = "invoices_default"
SEQUENCE = "invoices_id_seq"
#: The trigger (and its function) that stands in for the credit note's foreign key.
CREDIT_CHECK = "insyn_invoices_credits_exist"


class PartitionError(Exception):
    """The invoices cannot be partitioned here; the message says why."""


@dataclass
class Outcome:
    """What :func:`partition_invoices` did: the years given a partition of their own, and the
    invoices moved into them (all of them the first time; later, those found in the default
    partition)."""

    partitioned_now: bool = False
    years: list[int] = field(default_factory=list)
    moved: int = 0


def partition_name(year: int) -> str:
    return f"invoices_y{year}"


def is_partitioned(connection: sa.Connection) -> bool:
    """Whether ``invoices`` is a partitioned table (never on SQLite)."""
    if connection.dialect.name != "postgresql":
        return False
    return bool(
        connection.scalar(
            sa.text("SELECT relkind = 'p' FROM pg_class WHERE oid = to_regclass(:table)"),
            {"table": TABLE},
        )
    )


def partition_years(connection: sa.Connection) -> list[int]:
    """The years that have a partition of their own, in order."""
    names = connection.scalars(
        sa.text(
            "SELECT child.relname FROM pg_inherits JOIN pg_class child ON child.oid = inhrelid "
            "WHERE inhparent = to_regclass(:table)"
        ),
        {"table": TABLE},
    )
    prefix = partition_name(0)[:-1]
    return sorted(int(name[len(prefix) :]) for name in names if name != DEFAULT_PARTITION)


def partition_invoices(connection: sa.Connection, through: int | None = None) -> Outcome:
    """Partition ``invoices`` by year, or, when it already is, give every year up to
    ``through`` (default: two years past this one) and every year found in the default
    partition a partition of its own. Runs in the caller's transaction, holding the table's
    exclusive lock while it copies (readers wait): run it in a quiet hour.

    Raises:
        PartitionError: not PostgreSQL, or ``through`` before the first year.
    """
    if connection.dialect.name != "postgresql":
        raise PartitionError(
            "Partitioning is PostgreSQL's: SQLite keeps the invoices in one table."
        )
    through = through if through is not None else dt.date.today().year + 2
    connection.execute(sa.text(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE"))
    if is_partitioned(connection):
        return _add_years(connection, through)
    return _partition(connection, through)


def _data_years(connection: sa.Connection, table: str) -> list[int]:
    return [
        int(year)
        for year in connection.scalars(
            sa.text(f"SELECT DISTINCT extract(year FROM invoiced_on) FROM {table} ORDER BY 1")  # noqa: S608
        )
    ]


def _partition(connection: sa.Connection, through: int) -> Outcome:
    execute = connection.exec_driver_sql
    years = _data_years(connection, TABLE)
    first = min([*years, dt.date.today().year])
    if through < first:
        raise PartitionError(f"The last year ({through}) is before the first ({first}).")
    indexes = connection.execute(
        sa.text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = :table AND indexname <> :primary"
        ),
        {"table": TABLE, "primary": f"pk_{TABLE}"},
    ).all()
    for name, definition in indexes:
        if definition.startswith("CREATE UNIQUE"):
            raise PartitionError(f"The unique index {name} does not hold the invoice date.")
    foreign_keys = connection.execute(
        sa.text(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = to_regclass(:table) AND contype = 'f' AND confrelid <> conrelid"
        ),
        {"table": TABLE},
    ).all()

    execute(f"ALTER SEQUENCE {SEQUENCE} OWNED BY NONE")
    execute(f"ALTER TABLE {TABLE} RENAME TO {TABLE}_unpartitioned")
    execute(
        f"CREATE TABLE {TABLE} (LIKE {TABLE}_unpartitioned INCLUDING DEFAULTS "
        "INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS) "
        "PARTITION BY RANGE (invoiced_on)"
    )
    all_years = list(range(first, through + 1))
    for year in all_years:
        _create_partition(connection, year)
    execute(f"CREATE TABLE {DEFAULT_PARTITION} PARTITION OF {TABLE} DEFAULT")
    # Rows go in before the indexes: one build per index rather than one insert per row each.
    moved = execute(f"INSERT INTO {TABLE} SELECT * FROM {TABLE}_unpartitioned").rowcount  # noqa: S608
    execute(f"DROP TABLE {TABLE}_unpartitioned")
    execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT pk_{TABLE} PRIMARY KEY (id, invoiced_on)")
    for _name, definition in indexes:
        execute(definition)
    for name, definition in foreign_keys:
        execute(f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" {definition}')
    _create_credit_check(connection)
    execute(f"ALTER SEQUENCE {SEQUENCE} OWNED BY {TABLE}.id")
    execute(f"ANALYZE {TABLE}")
    return Outcome(partitioned_now=True, years=all_years, moved=moved)


def _create_partition(connection: sa.Connection, year: int) -> None:
    connection.exec_driver_sql(
        f"CREATE TABLE {partition_name(year)} PARTITION OF {TABLE} "
        f"FOR VALUES FROM ('{year}-01-01') TO ('{year + 1}-01-01')"
    )


def _add_years(connection: sa.Connection, through: int) -> Outcome:
    """Partitions for the years the default partition holds and those up to ``through``.

    A partition cannot be attached while the default partition holds rows of its range, so
    each such year's rows are moved out first, into the new table, which is then attached."""
    execute = connection.exec_driver_sql
    have = set(partition_years(connection))
    stray = _data_years(connection, DEFAULT_PARTITION)
    first = min(have) if have else dt.date.today().year
    wanted = sorted({*range(first, through + 1), *stray} - have)
    outcome = Outcome()
    for year in wanted:
        name, start, end = partition_name(year), f"{year}-01-01", f"{year + 1}-01-01"
        if year not in stray:
            _create_partition(connection, year)
        else:
            execute(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
            outcome.moved += execute(
                f"WITH moved AS (DELETE FROM {DEFAULT_PARTITION} WHERE invoiced_on >= '{start}' "  # noqa: S608
                f"AND invoiced_on < '{end}' RETURNING *) INSERT INTO {name} SELECT * FROM moved"
            ).rowcount
            execute(
                f"ALTER TABLE {TABLE} ATTACH PARTITION {name} "
                f"FOR VALUES FROM ('{start}') TO ('{end}')"
            )
        outcome.years.append(year)
    # A table partitioned by an earlier release gets the credit check's present form.
    _create_credit_check(connection)
    return outcome


#: The trigger function, for :data:`TABLE` and :data:`CREDIT_CHECK`.
_CREDIT_FUNCTION = """
        CREATE OR REPLACE FUNCTION @check() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.credits_invoice_id IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM @table WHERE id = NEW.credits_invoice_id
            ) THEN
                RAISE foreign_key_violation USING
                    MESSAGE = format('invoice %s, credited by invoice %s, does not exist',
                                     NEW.credits_invoice_id, NEW.id);
            END IF;
            RETURN NEW;
        END $$
        """


def _create_credit_check(connection: sa.Connection) -> None:
    """The credit note's reference, checked as its foreign key did (made again, in the form
    below, where an older one is there).

    Only rows that name an invoice they credit call the function (the trigger's ``WHEN``):
    a foreign key checks nothing for a null reference either, and a ledger's rows are
    nearly all invoices, not credit notes, so a large import does not pay a PL/pgSQL call
    for each of them."""
    function = _CREDIT_FUNCTION.replace("@check", CREDIT_CHECK).replace("@table", TABLE)
    connection.exec_driver_sql(function)
    connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {CREDIT_CHECK} ON {TABLE}")
    connection.exec_driver_sql(
        f"CREATE TRIGGER {CREDIT_CHECK} BEFORE INSERT OR UPDATE OF credits_invoice_id "
        f"ON {TABLE} FOR EACH ROW WHEN (NEW.credits_invoice_id IS NOT NULL) "
        f"EXECUTE FUNCTION {CREDIT_CHECK}()"
    )
