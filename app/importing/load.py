"""Writing an import's invoices: rows already imported recognised by their natural key, the
rest written in bulk at the driver level, all in the caller's transaction. (``resolve`` turns
the file's vendors, categories and departments into ids first.)

The natural key counts: a file holding a row three times, of which two are already in the
database, imports one. That makes re-importing a file import nothing, and an overlapping file
import only its new rows, even when a ledger lists the same posting twice.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from app.database_roles import owns_table
from app.extensions import db
from app.importing.behind import WriteBehind
from app.importing.plan import Plan
from app.importing.readers import InvoiceRecord
from app.importing.resolve import Resolved
from app.models import Invoice
from app.models.base import utcnow
from app.services import fulltext

#: Above this many rows into an empty invoices table, its indexes are built after the load
#: rather than kept up row by row (see :meth:`InvoiceWriter.into_empty_table`).
BULK_THRESHOLD = 50_000


#: The natural key's parts and how a record tuple gives each.
_KEY_PARTS = {
    "vendor": lambda r, v: v,
    "invoice_number": lambda r, v: r.number,
    "invoiced_on": lambda r, v: r.invoiced_on,
    "paid_on": lambda r, v: r.paid_on,
    "net_amount": lambda r, v: r.net,
    "description": lambda r, v: r.description,
}
_KEY_COLUMNS = {
    "vendor": Invoice.vendor_id,
    "invoice_number": Invoice.invoice_number,
    "invoiced_on": Invoice.invoiced_on,
    "paid_on": Invoice.paid_on,
    "net_amount": Invoice.net_amount,
    "description": Invoice.description,
    "category": Invoice.category_id,
    "department": Invoice.department_id,
}


class InvoiceWriter:
    """Recognises rows already imported and writes the rest, in bulk.

    ``existing`` counts the natural keys of live invoices already there that rows of the file
    may match; each matching row uses one count up instead of being written. When the key
    holds the vendor and the invoice number, they are looked up chunk by chunk, by the
    (vendor, number) pairs the chunk holds (an index lookup each), so that an import costs
    the same into a table of ten million invoices as into an empty one; otherwise every
    live invoice of the file's known vendors within the file's dates is read first.
    """

    def __init__(self, plan: Plan, resolved: Resolved, batch_id: int | None, write: bool) -> None:
        self.plan = plan
        self.resolved = resolved
        self.batch_id = batch_id
        self.write = write
        self.key = (
            plan.profile.key
            if plan.profile
            else ("vendor", "invoice_number", "invoiced_on", "net_amount")
        )
        #: Whether ``existing`` is filled chunk by chunk (see :meth:`_look_up`).
        self._by_number = "vendor" in self.key and "invoice_number" in self.key
        #: The natural keys counted into ``existing`` so far: each once, with every invoice
        #: there that has it. Only keys that some row of the file has and some invoice there
        #: has too are kept, so this stays as small as the overlap of the file and the table.
        self._counted: set[tuple] = set()
        self._lookup: sa.Select | None = None
        self.existing = Counter() if self._by_number else self._existing_keys()
        self.imported = 0
        self.already = 0
        self.totals: Counter = Counter()
        self.dropped_indexes: list[sa.Index] = []
        self.dropped_constraints: list[sa.ForeignKeyConstraint] = []
        self._insert = None
        #: The highest invoice id before this import's first row: every row it writes has a
        #: higher one (ids only grow), so its rows are found by a range of the primary key.
        self.after_id: int | None = None
        #: The earliest and latest invoice date before this import (None: no invoice), when
        #: the natural key holds the date: a row dated outside them matches nothing there and
        #: is not looked up (a municipality's next month or year, appended to ten years).
        self.dated: tuple[dt.date, dt.date] | None = None
        #: Whether any row was written.
        self._wrote = False
        #: The search index's trigger set aside while rows go in (see ``finish``).
        self._search: fulltext.BulkInsert | None = None
        now = utcnow()
        dialect = db.session.get_bind().dialect.name
        self._now = now.strftime("%Y-%m-%d %H:%M:%S.%f") if dialect == "sqlite" else now
        self._sqlite = dialect == "sqlite"
        #: On PostgreSQL each chunk's rows go into the table on a thread of their own while
        #: the next chunk is read (see :mod:`~app.importing.behind`); every statement of
        #: this writer's own waits for them first.
        self._behind = WriteBehind()

    def _existing_keys(self) -> Counter:
        known = {v for v in self.resolved.vendors.values() if v > 0} - self.resolved.new_vendor_ids
        if not known:
            return Counter()
        days = [d for column in self.plan.dates.values() for d in (column.low, column.high) if d]
        if self.plan.period:
            days.append(self.plan.period)
        columns = [_KEY_COLUMNS[part] for part in self.key]
        counts: Counter = Counter()
        known_list = sorted(known)
        for start in range(0, len(known_list), 500):
            query = sa.select(*columns).where(
                Invoice.vendor_id.in_(known_list[start : start + 500]), Invoice.voided_at.is_(None)
            )
            # Rows dated by their year (or month) column can fall anywhere in it: no bound.
            if days and "invoiced_on" in self.key and "year" not in self.plan.columns:
                query = query.where(Invoice.invoiced_on.between(min(days), max(days)))
            for row in db.session.execute(query):
                counts[
                    tuple(
                        _key_value(part, value) for part, value in zip(self.key, row, strict=True)
                    )
                ] += 1
        return counts

    def _look_up(self, records: list[InvoiceRecord], keys_of: list[tuple]) -> None:
        """Count the live invoices already there whose natural key a row of ``records`` has
        (``keys_of``, in the records' order; those not counted before) into ``existing``.

        They are found by vendor and invoice number (an index lookup each) and kept only when
        their whole key is one of the chunk's: a vendor's number can recur over the years
        with other dates and amounts, and keeping every such invoice would hold a large part
        of the table in memory. A pair may be looked up again in a later chunk; the keys
        counted before are not counted again. Only rows that were there before this import
        are read (ids up to ``after_id``), never the chunk before's.

        Nothing is looked up for a row dated outside the dates of the invoices there (when
        the key holds the date), for a vendor this import created, nor when the table was empty
        (the one case where its indexes are set aside: see :meth:`into_empty_table`). Those
        lookups would find nothing, and without the indexes each would read every row
        written so far (the caller does not call it then)."""
        vendors = self.resolved.vendors
        new = self.resolved.new_vendor_ids
        first, last = self.dated or (None, None)
        wanted, keys = set(), set()
        for record, key in zip(records, keys_of, strict=True):
            if first is not None and not first <= record.invoiced_on <= last:
                continue
            vendor_id = vendors[record.vendor]
            if vendor_id > 0 and vendor_id not in new:
                wanted.add((vendor_id, record.number))
                keys.add(key)
        keys -= self._counted
        if not keys:
            return
        if self._lookup is None:
            self._lookup = self._lookup_statement()
        if self._sqlite:
            parameters = {"pairs": json.dumps(list(wanted))}
        else:
            vendor_ids, numbers = zip(*wanted, strict=True)
            parameters = {"vendors": list(vendor_ids), "numbers": list(numbers)}
        parameters["after_id"] = self.after_id
        for row in db.session.connection().execute(self._lookup, parameters):
            key = tuple(_key_value(part, value) for part, value in zip(self.key, row, strict=True))
            if key in keys:
                self.existing[key] += 1
                # Only keys that found invoices are remembered: one that found none, looked
                # up again in a later chunk, finds none again.
                self._counted.add(key)

    def _before_first_chunk(self) -> None:
        """Read what the lookups are bounded by: the highest invoice id, and (when the key
        holds the date) the earliest and latest invoice date, each from its index."""
        self.after_id = db.session.execute(
            sa.select(sa.func.coalesce(sa.func.max(Invoice.id), 0))
        ).scalar_one()
        if "invoiced_on" in self.key:
            # Two subqueries: SQLite reads a lone min() or max() off the index, but both in
            # one select from the same ones would read the whole table.
            first, last = db.session.execute(
                sa.select(
                    sa.select(sa.func.min(Invoice.invoiced_on)).scalar_subquery(),
                    sa.select(sa.func.max(Invoice.invoiced_on)).scalar_subquery(),
                )
            ).one()
            if first is not None:
                self.dated = (first, last)

    def _list_ids(self, record: InvoiceRecord) -> tuple[int | None, int | None]:
        """The record's category and department ids (None when its cells are empty): its
        account names the category when the category cell is empty."""
        category, code, department = record.category, record.category_code, record.department
        categories, departments = self.resolved.categories, self.resolved.departments
        category_id = (
            categories.get(category)
            if category not in (None, "")
            else (categories.get(code) if code not in (None, "") else None)
        )
        department_id = departments.get(department) if department not in (None, "") else None
        return category_id, department_id

    def _lookup_statement(self) -> sa.Select:
        """The live invoices that were there before this import (ids up to ``after_id``) with
        one of the (vendor id, invoice number) pairs given: their natural key's columns. Each
        pair is an index lookup. The pairs are one parameter (a JSON array on SQLite, two
        arrays on PostgreSQL), so the statement has one shape for every chunk, compiled
        once, whatever the number of pairs."""
        if self._sqlite:
            pairs = sa.func.json_each(sa.bindparam("pairs", type_=sa.Text)).table_valued("value")
            vendor_id = sa.func.json_extract(pairs.c.value, "$[0]")
            number = sa.func.json_extract(pairs.c.value, "$[1]")
        else:
            pairs = (
                sa.func.unnest(
                    sa.bindparam("vendors", type_=postgresql.ARRAY(sa.BigInteger)),
                    sa.bindparam("numbers", type_=postgresql.ARRAY(sa.Text)),
                )
                .table_valued("vendor_id", "invoice_number")
                .render_derived(name="pairs")
            )
            vendor_id, number = pairs.c.vendor_id, pairs.c.invoice_number
        columns = [_KEY_COLUMNS[part] for part in self.key]
        return (
            sa.select(*columns)
            .select_from(pairs)
            .join(
                Invoice, sa.and_(Invoice.vendor_id == vendor_id, Invoice.invoice_number == number)
            )
            .where(Invoice.voided_at.is_(None), Invoice.id <= sa.bindparam("after_id"))
        )

    def key_of(self, record: InvoiceRecord, vendor_id: int, category_id, department_id) -> tuple:
        parts = []
        for part in self.key:
            if part == "category":
                parts.append(category_id)
            elif part == "department":
                parts.append(department_id)
            else:
                parts.append(_KEY_PARTS[part](record, vendor_id))
        return tuple(parts)

    def add(self, records: list[InvoiceRecord]) -> None:
        """Write a chunk of records (or, in a preview, count it)."""
        vendors = self.resolved.vendors
        contracts = self.resolved.contracts
        if self.after_id is None:
            self._before_first_chunk()
        list_ids = self._list_ids
        ids = [(vendors[record.vendor], *list_ids(record)) for record in records]
        existing = self.existing
        # Each row's natural key, once: for the lookup, then to tell the rows already there.
        # None into an empty table (nothing there, nothing looked up).
        lookup = self._by_number and not self.dropped_indexes
        keys_of = (
            [self.key_of(record, *found) for record, found in zip(records, ids, strict=True)]
            if lookup or existing
            else [None] * len(records)
        )
        if lookup:
            self._behind.wait()
            self._look_up(records, keys_of)
        rows = []
        sqlite = self._sqlite
        for record, (vendor_id, category_id, department_id), key in zip(
            records, ids, keys_of, strict=True
        ):
            # One record's fields, by name (the tuple unpacks at C speed).
            (sheet, row, vendor, number, invoiced, paid, net, vat, currency, category, code,
             department, description, contract, hours) = record  # fmt: skip
            if existing and existing.get(key):
                existing[key] -= 1
                self.already += 1
                continue
            self.imported += 1
            self.totals[currency] += net
            if not self.write:
                continue
            rows.append(
                (
                    vendor_id,
                    contracts.get(contract) if contract is not None else None,
                    number,
                    invoiced.isoformat() if sqlite else invoiced,
                    (paid.isoformat() if sqlite else paid) if paid else None,
                    net,
                    vat,
                    currency,
                    hours,
                    category_id if category_id and category_id > 0 else None,
                    department_id if department_id and department_id > 0 else None,
                    description,
                    self._now,
                    self._now,
                    self.batch_id,
                    row,
                    sheet,
                    1,
                )
            )
        if rows:
            self._write(rows)

    _COLUMNS = (
        "vendor_id",
        "contract_id",
        "invoice_number",
        "invoiced_on",
        "paid_on",
        "net_amount",
        "vat_amount",
        "currency",
        "hours",
        "category_id",
        "department_id",
        "description",
        "created_at",
        "updated_at",
        "import_batch_id",
        "source_row",
        "source_sheet",
        "version",
    )

    def _write(self, rows: list[tuple]) -> None:
        """Write a chunk's rows. On PostgreSQL a thread runs the ``COPY`` while the next chunk
        is read: the server puts the rows into the indexes in a process of its own, and
        this one need not wait for it. On SQLite the rows go in at once: its driver takes
        Python's lock back after each row, so a thread writing row by row would wait on the
        reading for every row (and moving a chunk staged in a temporary table in one
        statement measured slower than the plain ``executemany``)."""
        self._behind.wait()
        connection = db.session.connection()
        self._wrote = True
        if not self._sqlite:
            self._behind.submit(lambda: _copy(connection, rows))
            return
        if self._search is None:
            self._search = fulltext.BulkInsert(connection, self.after_id)
        connection.exec_driver_sql(_INSERT, rows)

    def written(self) -> sa.ColumnElement[bool] | None:
        """The condition that finds the rows this writer wrote (None when it wrote none): by
        their batch, within the range of ids they took, so that the statements run after the
        load (summaries, flags) read the new rows through the primary key, not the table."""
        if not self._wrote or self.batch_id is None:
            return None
        return sa.and_(Invoice.id > self.after_id, Invoice.import_batch_id == self.batch_id)

    def finish(self) -> None:
        """After the last chunk: wait for its rows, and index the rows written for the search
        (one statement)."""
        self._behind.wait()
        if self._search is not None:
            self._search.finish()
            self._search = None

    def abandon(self) -> None:
        """The import stops on an error: let a chunk being written end, so that the caller
        rolls back a connection nothing else is using."""
        self._behind.abandon()

    def into_empty_table(self) -> bool:
        """Whether the invoices table holds no row (none committed, none of this import yet):
        the one case where a large load drops its indexes (:meth:`drop_indexes`).

        Into a table that holds rows, the indexes and foreign keys are kept and the rows go in
        with plain inserts, which take no lock a reader waits for: dropping an index takes
        the table's exclusive lock until the import commits (on PostgreSQL every query of the
        invoices, every public page, would wait for the whole import), and building it again
        reads the whole table, not just the new rows. (On PostgreSQL imports run one at a
        time, under the advisory lock, so a first large import that finds the table empty
        is not racing another one.)"""
        return not db.session.execute(sa.select(sa.exists().select_from(Invoice))).scalar()

    @staticmethod
    def may_set_indexes_aside() -> bool:
        """Whether this connection may drop the invoices' indexes and build them again. On
        PostgreSQL only the table's owner (or a member of the owner's role) may: the
        application's own role (``insyn grant``) loads with the indexes kept, slower but to
        the same end. On SQLite whoever writes the file may."""
        return owns_table(db.session.connection(), Invoice.__tablename__)

    def drop_indexes(self) -> None:
        """For a large load into an empty table: drop the invoices' secondary indexes (and,
        on PostgreSQL, its foreign keys), to build them once after in one set-based pass
        rather than row by row. All in the import's transaction: a failed import leaves them
        as they were."""
        connection = db.session.connection()
        for index in Invoice.__table__.indexes:
            index.drop(connection)
            self.dropped_indexes.append(index)
        if connection.dialect.name == "postgresql":
            # Those the table has: partitioned by year, it has no key that points at itself.
            present = {key["name"] for key in sa.inspect(connection).get_foreign_keys("invoices")}
            for constraint in Invoice.__table__.foreign_key_constraints:
                if constraint.name in present:
                    connection.execute(sa.schema.DropConstraint(constraint))
                    self.dropped_constraints.append(constraint)

    def restore_indexes(self) -> None:
        connection = db.session.connection()
        while self.dropped_indexes:
            self.dropped_indexes.pop().create(connection)
        while self.dropped_constraints:
            # Adding the constraint checks every row at once.
            connection.execute(sa.schema.AddConstraint(self.dropped_constraints.pop()))


#: The columns an import writes, in the order of its rows.
_NAMES = ", ".join(InvoiceWriter._COLUMNS)
#: SQLite's insert of one row.
_INSERT = (
    f"INSERT INTO invoices ({_NAMES}) "  # noqa: S608 - constants
    f"VALUES ({', '.join('?' for _ in InvoiceWriter._COLUMNS)})"
)


def _copy(connection: sa.Connection, rows: list[tuple]) -> None:
    """Write rows into PostgreSQL's invoices with ``COPY``."""
    raw = connection.connection.driver_connection
    statement = f"COPY invoices ({_NAMES}) FROM STDIN"
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    except raw.Error as error:
        # The driver's own error (COPY runs past SQLAlchemy), made SQLAlchemy's as every
        # other statement's: the edges tell a lost connection or a refusal by that.
        raise sa.exc.DBAPIError.instance(statement, None, error, raw.Error) from None


def _key_value(part: str, value):
    """A database value as the key compares it (money as öre)."""
    if part == "net_amount" and value is not None:
        return int(value.scaleb(2))
    if isinstance(value, dt.datetime):
        return value.date()
    return value
