"""Invoice summaries kept exact: the valid invoices' sums per (date basis, vendor, year,
month, currency, category, department, contract), per (date basis, year, vendor, currency),
per (date basis, year, contract, vendor, currency) and per (date basis, year, month,
currency, category, department), changed in the same
transaction as every write that changes an invoice.

Every change is a delta: what the invoices it touches summed before is taken off, what they
sum after is added, key by key, in whole öre, with an upsert (``INSERT … ON CONFLICT DO
UPDATE``) that two transactions can run side by side on PostgreSQL; a row whose count falls
to zero is removed. Three doors lead in, so that no code path can change an invoice without
its summary following:

- the ORM's unit of work (entering, editing, voiding and restoring an invoice, credit notes,
  moving invoices in a vendor merge, the API's writes): a session hook reads the sums of the
  changed invoices before the flush and after it (:func:`install`);
- ORM statements on invoices run through the session (``session.execute(update(Invoice)…)``
  or a bulk ``insert(Invoice)`` with rows): another hook wraps them the same way;
- the importer's driver-level bulk insert, which no hook sees: it calls :func:`add_written`
  after its rows are in, and undoing an import calls :func:`remove` before voiding its rows.

Writing invoices with plain SQL on a connection goes past all three; ``insyn db
rebuild-summaries`` (:func:`rebuild`) finds and repairs the difference.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Invoice
from app.money import to_money
from app.money import to_ore

#: A summary row's key, in the primary key's order.
KEY = (
    "date_basis",
    "vendor_id",
    "year",
    "month",
    "currency",
    "category_id",
    "department_id",
    "contract_id",
)
#: What a summary row sums, in whole öre and invoices.
SUMS = ("net_amount", "vat_amount", "invoice_count")
#: The table as this module writes it: amounts as plain öre (the model's ``Money`` columns
#: would take an integer for kronor).
TABLE = sa.table(
    "invoice_summaries",
    *(sa.column(name, sa.String if name in ("date_basis", "currency") else sa.Integer)
      for name in KEY),
    *(sa.column(name, sa.BigInteger) for name in SUMS),
)  # fmt: skip
#: The year table's key, and where each part is in :data:`KEY`.
YEAR_KEY = ("date_basis", "year", "vendor_id", "currency")
_YEAR_PARTS = tuple(KEY.index(name) for name in YEAR_KEY)
YEAR_TABLE = sa.table(
    "invoice_year_summaries",
    *(sa.column(name, sa.String if name in ("date_basis", "currency") else sa.Integer)
      for name in YEAR_KEY),
    *(sa.column(name, sa.BigInteger) for name in SUMS),
)  # fmt: skip
#: The month table's key (every vendor and contract together), and where each part is in
#: :data:`KEY`.
MONTH_KEY = ("date_basis", "year", "month", "currency", "category_id", "department_id")
_MONTH_PARTS = tuple(KEY.index(name) for name in MONTH_KEY)
MONTH_TABLE = sa.table(
    "invoice_month_summaries",
    *(sa.column(name, sa.String if name in ("date_basis", "currency") else sa.Integer)
      for name in MONTH_KEY),
    *(sa.column(name, sa.BigInteger) for name in SUMS),
)  # fmt: skip
#: The contract year table's key, and where each part is in :data:`KEY`.
CONTRACT_YEAR_KEY = ("date_basis", "year", "contract_id", "vendor_id", "currency")
_CONTRACT_YEAR_PARTS = tuple(KEY.index(name) for name in CONTRACT_YEAR_KEY)
CONTRACT_YEAR_TABLE = sa.table(
    "invoice_contract_year_summaries",
    *(sa.column(name, sa.String if name in ("date_basis", "currency") else sa.Integer)
      for name in CONTRACT_YEAR_KEY),
    *(sa.column(name, sa.BigInteger) for name in SUMS),
)  # fmt: skip
#: Each table with its key, in the order every write changes them (two transactions lock
#: the rows they share in the same order).
TABLES = (
    (TABLE, KEY),
    (YEAR_TABLE, YEAR_KEY),
    (CONTRACT_YEAR_TABLE, CONTRACT_YEAR_KEY),
    (MONTH_TABLE, MONTH_KEY),
)
#: Where each part of a table's key is in :data:`KEY` (None: all of it, in order).
_PARTS = {
    TABLE.name: None,
    YEAR_TABLE.name: _YEAR_PARTS,
    CONTRACT_YEAR_TABLE.name: _CONTRACT_YEAR_PARTS,
    MONTH_TABLE.name: _MONTH_PARTS,
}
#: The invoice attributes a summary depends on: a change to any other leaves every sum as is.
WATCHED = (
    "vendor_id",
    "vendor",
    "contract_id",
    "contract",
    "category_id",
    "category",
    "department_id",
    "department",
    "invoiced_on",
    "paid_on",
    "net_amount",
    "vat_amount",
    "currency",
    "voided_at",
)
#: Each date basis and the invoice date that places an invoice in its year and month.
BASES = (("invoiced", Invoice.invoiced_on), ("paid", Invoice.paid_on))
#: Ids per ``IN (…)``: below every database's limit on parameters.
CHUNK = 500

Key = tuple
Deltas = dict  # Key → [net öre, VAT öre, count]


def _grouped(basis: str, date, where, sign: int = 1, parts: tuple | None = None) -> sa.Select:
    """The valid invoices matching ``where`` summed by ``basis`` (in whole öre; negated with
    ``sign`` -1), in :data:`TABLE`'s column order (or by the key ``parts`` of :data:`KEY`
    another table keeps, in its order)."""
    keys = [
        sa.literal_column(f"'{basis}'", sa.String).label("date_basis"),
        Invoice.vendor_id,
        sa.cast(sa.extract("year", date), sa.Integer),
        sa.cast(sa.extract("month", date), sa.Integer),
        Invoice.currency,
        sa.func.coalesce(Invoice.category_id, 0),
        sa.func.coalesce(Invoice.department_id, 0),
        sa.func.coalesce(Invoice.contract_id, 0),
    ]
    if parts is not None:
        keys = [keys[part] for part in parts]
    net = sa.func.sum(sa.type_coerce(Invoice.net_amount, sa.BigInteger))
    vat = sa.func.sum(sa.type_coerce(Invoice.vat_amount, sa.BigInteger))
    count = sa.func.count()
    if sign < 0:
        net, vat, count = -net, -vat, -count
    return (
        sa.select(*keys, net, vat, count)
        .where(where, Invoice.voided_at.is_(None), date.is_not(None))
        .group_by(*keys[1:])
    )


def _read(connection: sa.Connection, where, deltas: Deltas, sign: int = 1) -> None:
    """Add the sums of the valid invoices matching ``where`` to ``deltas`` (times ``sign``)."""
    for basis, date in BASES:
        for *key, net, vat, count in connection.execute(_grouped(basis, date, where)):
            _add(deltas, tuple(key), sign * int(net), sign * int(vat), sign * count)


def _read_ids(connection: sa.Connection, ids: Iterable[int], deltas: Deltas, sign: int) -> None:
    ids = sorted(ids)
    for start in range(0, len(ids), CHUNK):
        _read(connection, Invoice.id.in_(ids[start : start + CHUNK]), deltas, sign)


def _add(deltas: Deltas, key: Key, net: int, vat: int, count: int) -> None:
    found = deltas.get(key)
    if found is None:
        deltas[key] = [net, vat, count]
    else:
        found[0] += net
        found[1] += vat
        found[2] += count


def _insert(connection: sa.Connection, table: sa.TableClause):
    return (postgresql if connection.dialect.name == "postgresql" else sqlite).insert(table)


def _upsert(insert, table: sa.TableClause, key: tuple[str, ...]) -> sa.Insert:
    """``insert`` adding its sums to the rows already there."""
    return insert.on_conflict_do_update(
        index_elements=list(key),
        set_={name: table.c[name] + insert.excluded[name] for name in SUMS},
    )


def projected(deltas: Deltas, parts: tuple | None) -> Deltas:
    """``deltas`` by another table's key (``parts`` of :data:`KEY`; None: as they are)."""
    if parts is None:
        return deltas
    found: Deltas = {}
    for key, (net, vat, count) in deltas.items():
        _add(found, tuple(key[part] for part in parts), net, vat, count)
    return found


def by_year(deltas: Deltas) -> Deltas:
    """``deltas`` by the year table's key."""
    return projected(deltas, _YEAR_PARTS)


def apply(connection: sa.Connection, deltas: Deltas) -> None:
    """Add ``deltas`` (key → [net öre, VAT öre, count], negative to take off) to every
    summary table, and remove the rows left with no invoice."""
    for table, key in TABLES:
        _apply_to(connection, table, key, projected(deltas, _PARTS[table.name]))


def _apply_to(connection, table: sa.TableClause, key: tuple[str, ...], deltas: Deltas) -> None:
    # In key order: two transactions lock the rows they share in the same order, and never
    # wait for each other in a circle.
    rows = [
        dict(zip(key, parts, strict=True), net_amount=net, vat_amount=vat, invoice_count=count)
        for parts, (net, vat, count) in sorted(deltas.items())
        if net or vat or count
    ]
    if not rows:
        return
    connection.execute(_upsert(_insert(connection, table), table, key), rows)
    emptied = [
        {f"k_{name}": value for name, value in zip(key, parts, strict=True)}
        for parts, (_net, _vat, count) in deltas.items()
        if count < 0
    ]
    if emptied:
        connection.execute(
            sa.delete(table).where(
                *(table.c[name] == sa.bindparam(f"k_{name}") for name in key),
                table.c.invoice_count == 0,
            ),
            emptied,
        )


#: The scratch table a whole batch's invoices are summed into, by :data:`KEY`, before every
#: summary table takes its share: the invoices are read once per date basis, not once per
#: table. Temporary, so private to the connection and gone with its transaction.
_SCRATCH = sa.Table(
    "summary_scratch",
    sa.MetaData(),
    *(sa.Column(name, sa.String if name in ("date_basis", "currency") else sa.Integer)
      for name in KEY),
    *(sa.Column(name, sa.BigInteger) for name in SUMS),
    prefixes=["TEMPORARY"],
)  # fmt: skip


def _apply_select(connection: sa.Connection, where, sign: int) -> None:
    """Add (``sign`` 1) or take off (-1) the sums of the valid invoices matching ``where``,
    grouped and merged in the database: for a whole import batch, or all invoices.

    The invoices are summed by the whole key into :data:`_SCRATCH` (one statement per date
    basis); each summary table then adds up its own key from there, a few thousand rows
    where the invoices may be millions."""
    scratch = _SCRATCH
    scratch.drop(connection, checkfirst=True)  # left by a statement that failed half-way
    scratch.create(connection)
    for basis, date in BASES:
        connection.execute(
            sa.insert(scratch).from_select([*KEY, *SUMS], _grouped(basis, date, where, sign))
        )
    for table, key in TABLES:
        parts = [scratch.c[name] for name in key]
        if key == KEY:
            # Already one row per key, in the key's order (as grouped).
            grouped = sa.select(*parts, *(scratch.c[name] for name in SUMS))
        else:
            grouped = sa.select(*parts, *(sa.func.sum(scratch.c[name]) for name in SUMS))
            grouped = grouped.group_by(*parts)
        # SQLite reads an ``ON`` after ``INSERT … SELECT … FROM t`` as a join's unless a
        # WHERE ends the SELECT (its documented way round).
        grouped = grouped.where(sa.true())
        statement = _insert(connection, table).from_select([*key, *SUMS], grouped)
        connection.execute(_upsert(statement, table, key))
    if sign < 0:
        # The month table is small: its emptied rows are found without a vendor.
        connection.execute(sa.delete(MONTH_TABLE).where(MONTH_TABLE.c.invoice_count == 0))
        vendors = sa.select(scratch.c.vendor_id).distinct().scalar_subquery()
        for table in (TABLE, YEAR_TABLE, CONTRACT_YEAR_TABLE):
            connection.execute(
                sa.delete(table).where(table.c.invoice_count == 0, table.c.vendor_id.in_(vendors))
            )
    scratch.drop(connection)


def add_written(where) -> None:
    """Add the invoices matching ``where`` (an import's rows, just written at the driver
    level, past the session's hooks) to the summaries: read once per date basis, then merged
    into each table in one statement. Call it once, after the last row is in; ``where``
    should be one an index answers (the importer's bounds its rows by id), or both reads go
    through the whole table."""
    _apply_select(db.session.connection(), where, 1)


def remove(where) -> None:
    """Take the valid invoices matching ``where`` off the summaries, before a statement that
    voids them all (undoing an import) and is run with
    ``execution_options={"summaries": "kept"}``."""
    _apply_select(db.session.connection(), where, -1)


# --- the hooks ---------------------------------------------------------------------------------

_BEFORE = "summaries_before"


def _changes_sums(obj: Invoice) -> bool:
    attrs = sa.inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in WATCHED)


def _before_flush(session: Session, _context, _instances) -> None:
    """Read what the invoices this flush changes sum before it."""
    ids = {
        obj.id
        for obj in session.dirty
        if isinstance(obj, Invoice) and obj.id is not None and _changes_sums(obj)
    }
    ids |= {obj.id for obj in session.deleted if isinstance(obj, Invoice)}
    if not ids:
        session.info.pop(_BEFORE, None)
        return
    deltas: Deltas = {}
    _read_ids(session.connection(), ids, deltas, -1)
    # Replaces whatever a flush that failed half-way left.
    session.info[_BEFORE] = (ids, deltas)


def _after_flush(session: Session, _context) -> None:
    """Add what the changed and new invoices sum now, less what they summed before."""
    ids, deltas = session.info.pop(_BEFORE, (set(), {}))
    ids = set(ids) | {obj.id for obj in session.new if isinstance(obj, Invoice)}
    ids -= {obj.id for obj in session.deleted if isinstance(obj, Invoice)}
    if not ids and not deltas:
        return
    connection = session.connection()
    _read_ids(connection, ids, deltas, 1)
    apply(connection, deltas)


def _on_execute(state: ORMExecuteState):
    """Follow an ORM ``insert``, ``update`` or ``delete`` of invoices run on the session."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    statement = state.statement
    # The statement's table is an annotated copy of the invoices' when built from the model.
    if getattr(getattr(statement, "table", None), "name", None) != Invoice.__tablename__:
        return None
    if state.execution_options.get("summaries") == "kept":
        return None
    connection = state.session.connection()
    deltas: Deltas = {}
    if state.is_insert:
        params = state.parameters
        rows = params if isinstance(params, list | tuple) else [params] if params else []
        if not rows or getattr(statement, "select", None) is not None:
            raise NotImplementedError(
                "insert invoices as rows (or through the ORM) so that the summaries follow"
            )
        for row in rows:
            _add_values(deltas, row)
        result = state.invoke_statement()
        apply(connection, deltas)
        return result
    ids = _target_ids(connection, statement, state.parameters)
    _read_ids(connection, ids, deltas, -1)
    result = state.invoke_statement()
    _read_ids(connection, ids, deltas, 1)
    apply(connection, deltas)
    return result


def _target_ids(connection: sa.Connection, statement, parameters) -> list[int]:
    """The ids of the invoices an ``update`` or ``delete`` will change."""
    if statement.whereclause is None and isinstance(parameters, list | tuple) and parameters:
        return [row["id"] for row in parameters]  # a bulk update by primary key
    query = sa.select(Invoice.id)
    if statement.whereclause is not None:
        query = query.where(statement.whereclause)
    return list(connection.scalars(query))


def _add_values(deltas: Deltas, row: dict) -> None:
    """Add one invoice given as column values (a bulk insert's row) to ``deltas``."""
    if row.get("voided_at") is not None:
        return
    vat = row.get("vat_amount")
    net, vat = to_ore(to_money(row["net_amount"])), to_ore(to_money(vat or Decimal(0)))
    for basis, date in BASES:
        on = row.get(date.key)
        if on is None:
            continue
        if isinstance(on, str):
            on = dt.date.fromisoformat(on[:10])
        key = (
            basis,
            row["vendor_id"],
            on.year,
            on.month,
            row.get("currency") or "SEK",
            row.get("category_id") or 0,
            row.get("department_id") or 0,
            row.get("contract_id") or 0,
        )
        _add(deltas, key, net, vat, 1)


def install() -> None:
    """Attach the hooks to every ORM session (once)."""
    if sa.event.contains(Session, "after_flush", _after_flush):
        return
    sa.event.listen(Session, "before_flush", _before_flush)
    sa.event.listen(Session, "after_flush", _after_flush)
    sa.event.listen(Session, "do_orm_execute", _on_execute)


# --- checking and rebuilding -------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    """A summary row that differs from the invoices: its table, its key (named by the
    table's key, :data:`KEY` or :data:`YEAR_KEY`), what the table holds and what the invoices
    sum, each as (net öre, VAT öre, count), or None where there is no row."""

    table: str
    key: dict
    stored: tuple[int, int, int] | None
    actual: tuple[int, int, int] | None


def differences() -> list[Difference]:
    """Every row where the summary tables differ from a fresh aggregation of the invoices,
    in table and key order."""
    connection = db.session.connection()
    fresh: Deltas = {}
    _read(connection, sa.true(), fresh)
    found = []
    for table, key in TABLES:
        actual = projected(fresh, _PARTS[table.name])
        stored = {
            tuple(row[: len(key)]): tuple(int(v) for v in row[len(key) :])
            for row in connection.execute(sa.select(*table.c))
        }
        for parts in sorted(set(stored) | set(actual), key=_sort_key):
            now = tuple(actual[parts]) if parts in actual else None
            if stored.get(parts) != now:
                named = dict(zip(key, parts, strict=True))
                found.append(Difference(table.name, named, stored.get(parts), now))
    return found


def _sort_key(key: Key) -> tuple:
    return tuple(str(part) if isinstance(part, str) else f"{part:012d}" for part in key)


def rebuild() -> list[Difference]:
    """Recompute the summaries from the invoices; returns the differences found (none when
    they were exact, and then nothing is written). Flushes, never commits."""
    db.session.flush()
    found = differences()
    if found:
        connection = db.session.connection()
        for table, _key in TABLES:
            connection.execute(sa.delete(table))
        _apply_select(connection, sa.true(), 1)
    return found
