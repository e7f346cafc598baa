"""Writing an import: vendors, categories and departments resolved once per distinct value,
rows already imported recognised by their natural key, invoices written in bulk at the
driver level, all in the caller's transaction.

The natural key counts: a file holding a row three times, of which two are already in the
database, imports one. That makes re-importing a file import nothing, and an overlapping file
import only its new rows, even when a ledger lists the same posting twice.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from dataclasses import field

import sqlalchemy as sa

from app.extensions import db
from app.identifiers import IdKind
from app.identifiers import OrgIdError
from app.identifiers import is_person_name
from app.identifiers import normalise_org_id
from app.importing.cells import split_code
from app.importing.cells import text
from app.importing.plan import Plan
from app.importing.records import I_CATEGORY
from app.importing.records import I_CATEGORY_CODE
from app.importing.records import I_CONTRACT
from app.importing.records import I_CURRENCY
from app.importing.records import I_DEPARTMENT
from app.importing.records import I_DESCRIPTION
from app.importing.records import I_HOURS
from app.importing.records import I_INVOICED
from app.importing.records import I_NET
from app.importing.records import I_NUMBER
from app.importing.records import I_PAID
from app.importing.records import I_ROW
from app.importing.records import I_VAT
from app.importing.records import I_VENDOR
from app.models import Category
from app.models import Contract
from app.models import Department
from app.models import Invoice
from app.models import Vendor
from app.models import VendorAlias
from app.models.base import utcnow
from app.text import name_key

#: Cells that mean "no id" in real ledgers.
MISSING_ID = {"null", "saknas", "n/a", "na", "-", "--", "0", "none", "ingen"}
#: Two or more Swedish-looking numbers in one cell.
_SEVERAL = re.compile(r"\d{6}-?\d{4}.*\d{6}-?\d{4}")
#: Names that stand for withheld data.
_REDACTED = re.compile(r"^(\*+|redacted.*)$", re.IGNORECASE)
#: Above this many rows, indexes are rebuilt after the load rather than kept up row by row.
BULK_THRESHOLD = 50_000


@dataclass
class Resolved:
    """What the distinct values of a file turned into."""

    vendors: dict = field(default_factory=dict)  #: (name, id, ref cells) → vendor id (< 0: new)
    new_vendors: list[str] = field(default_factory=list)
    flagged_ids: Counter = field(default_factory=Counter)  #: reason → rows' distinct cells
    flagged_examples: dict = field(default_factory=dict)
    categories: dict = field(default_factory=dict)
    departments: dict = field(default_factory=dict)
    new_categories: list[str] = field(default_factory=list)
    new_departments: list[str] = field(default_factory=list)
    contracts: dict = field(default_factory=dict)
    unknown_contracts: set = field(default_factory=set)


def org_id(cell) -> tuple[str | None, IdKind, str | None]:
    """A ledger's id cell as (normalised id, kind, flag): flags are "missing" (NULL,
    SAKNAS…), "several" (two numbers in one cell) and "invalid" (a Swedish-looking number
    that fails its check); flagged cells give no id, and the vendor is matched by name."""
    raw = text(cell)
    if raw is None:
        return None, IdKind.NONE, None
    if raw.casefold() in MISSING_ID:
        return None, IdKind.NONE, "missing"
    if _SEVERAL.search(raw):
        return None, IdKind.NONE, "several"
    try:
        found = normalise_org_id(raw)
    except OrgIdError:
        return None, IdKind.NONE, "invalid"
    if found.kind is IdKind.FOREIGN and not re.fullmatch(
        r"[A-Z]{2}[A-Z0-9]{2,14}", found.value or ""
    ):
        return None, IdKind.NONE, "invalid"
    return found.value, found.kind, None


class Resolver:
    """Maps a file's distinct vendor, category, department and contract cells to records,
    creating what is missing when ``write`` is set (as ORM objects, so the audit trail sees
    them); in a preview new records get negative placeholder ids."""

    def __init__(self, plan: Plan, write: bool) -> None:
        self.plan = plan
        self.write = write
        self.result = Resolved()
        self._next_placeholder = -1

    def _placeholder(self) -> int:
        self._next_placeholder -= 1
        return self._next_placeholder

    def resolve(self) -> Resolved:
        self._vendors()
        split = set(self.plan.profile.split_code) if self.plan.profile else set()
        self._list(
            Category,
            "category",
            "category_code",
            "category" in split,
            self.result.categories,
            self.result.new_categories,
        )
        self._list(
            Department,
            "department",
            None,
            "department" in split,
            self.result.departments,
            self.result.new_departments,
        )
        self._contracts()
        if self.write:
            db.session.flush()
        return self.result

    def _vendors(self) -> None:
        pairs = self.plan.distinct.get("vendor", set())
        numbers = dict(db.session.execute(sa.select(Vendor.id, Vendor.org_number)).all())
        by_number = {number: vendor_id for vendor_id, number in numbers.items() if number}
        by_name: dict[str, int] = {}
        for key, vendor_id in db.session.execute(
            sa.select(Vendor.name_key, Vendor.id).order_by(Vendor.id)
        ):
            by_name.setdefault(key, vendor_id)
        for key, vendor_id in db.session.execute(
            sa.select(VendorAlias.name_key, VendorAlias.vendor_id)
        ):
            by_name.setdefault(key, vendor_id)
        created: dict[int, Vendor] = {}
        # Rows with an id first, so that rows without one join the vendor the id made.
        for triple in sorted(
            pairs, key=lambda p: (text(p[1]) is None, str(p[0]), str(p[1]), str(p[2]))
        ):
            name_cell, id_cell, ref_cell = triple
            name = text(name_cell)
            if name is None:
                continue
            number, kind, flag = org_id(id_cell)
            if flag:
                self.result.flagged_ids[flag] += 1
                self.result.flagged_examples.setdefault(flag, text(id_cell))
            reference = text(ref_cell) or text(id_cell)
            if _REDACTED.match(name) and reference:
                # Withheld names under different supplier ids are different vendors.
                name = f"{name} ({reference})"
                number, kind = None, IdKind.NONE
            key = name_key(name)
            vendor_id = by_number.get(number) if number else None
            if vendor_id is None:
                vendor_id = by_name.get(key)
                if vendor_id is not None and number:
                    # The same name with another org number is another vendor.
                    known = (
                        created[vendor_id].org_number
                        if vendor_id in created
                        else numbers.get(vendor_id)
                    )
                    if known and known != number:
                        vendor_id = None
                    elif vendor_id in created and not known:
                        created[vendor_id].org_number, created[vendor_id].id_kind = number, kind
                        by_number[number] = vendor_id
            if vendor_id is None:
                vendor_id = self._new_vendor(name, number, kind, created)
                if number:
                    by_number[number] = vendor_id
                by_name.setdefault(key, vendor_id)
            self.result.vendors[triple] = vendor_id
        if self.write and created:
            db.session.flush()
            ids = {placeholder: vendor.id for placeholder, vendor in created.items()}
            self.result.vendors = {cells: ids.get(v, v) for cells, v in self.result.vendors.items()}

    def _new_vendor(self, name: str, number: str | None, kind: IdKind, created: dict) -> int:
        placeholder = self._placeholder()
        self.result.new_vendors.append(name)
        private = (
            kind is IdKind.PERSONNUMMER
            or is_person_name(name)
            or name.upper().startswith("REDACTED PERSONAL")
        )
        country = number[:2] if kind is IdKind.FOREIGN and number[:2].isalpha() else "SE"
        vendor = Vendor(
            name=name[:300],
            name_key=name_key(name)[:300],
            org_number=number,
            id_kind=kind,
            country=country,
            is_private_person=private,
            notes=f"Skapad vid import av {self.plan.source.filename}.",
        )
        if self.write:
            db.session.add(vendor)
        created[placeholder] = vendor
        return placeholder

    def _list(
        self, model, field_name: str, code_field: str | None, split: bool, mapping: dict, new: list
    ) -> None:
        cells = self.plan.distinct.get(field_name, set())
        if not cells and code_field:
            cells = self.plan.distinct.get(code_field, set())  # only codes: they name the entries
        if not cells:
            return
        existing = {
            name.casefold(): entry_id
            for name, entry_id in db.session.execute(sa.select(model.name, model.id))
        }
        made: dict[str, object] = {}
        for cell in cells:
            value = text(cell)
            if value is None:
                continue
            code, name = split_code(value) if split else (None, value)
            name = (name or value)[: 200 if model is Department else 120]
            folded = name.casefold()
            if folded in existing:
                mapping[cell] = existing[folded]
                continue
            if folded not in made:
                entry = model(name=name, code=code)
                new.append(name)
                if self.write:
                    db.session.add(entry)
                made[folded] = entry
            mapping[cell] = made[folded]
        if self.write and made:
            db.session.flush()
        for cell, entry in list(mapping.items()):
            if not isinstance(entry, int):
                mapping[cell] = entry.id if self.write else self._placeholder()

    def _contracts(self) -> None:
        cells = self.plan.distinct.get("contract_reference", set())
        if not cells:
            return
        references = {
            ref.casefold(): contract_id
            for ref, contract_id in db.session.execute(
                sa.select(Contract.reference, Contract.id).where(Contract.reference.is_not(None))
            )
        }
        for cell in cells:
            value = text(cell)
            if value is None:
                continue
            contract_id = references.get(value.casefold())
            if contract_id is None:
                self.result.unknown_contracts.add(value)
            else:
                self.result.contracts[cell] = contract_id


#: The natural key's parts and how a record tuple gives each.
_KEY_PARTS = {
    "vendor": lambda r, v: v,
    "invoice_number": lambda r, v: r[I_NUMBER],
    "invoiced_on": lambda r, v: r[I_INVOICED],
    "paid_on": lambda r, v: r[I_PAID],
    "net_amount": lambda r, v: r[I_NET],
    "description": lambda r, v: r[I_DESCRIPTION],
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

    ``existing`` counts the natural keys of live invoices of the file's known vendors within
    the file's dates; each matching row uses one count up instead of being written.
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
        self.existing = self._existing_keys()
        self.imported = 0
        self.already = 0
        self.totals: Counter = Counter()
        self.dropped_indexes: list[sa.Index] = []
        self.dropped_constraints: list[sa.ForeignKeyConstraint] = []
        self._insert = None
        now = utcnow()
        dialect = db.session.get_bind().dialect.name
        self._now = now.strftime("%Y-%m-%d %H:%M:%S.%f") if dialect == "sqlite" else now
        self._sqlite = dialect == "sqlite"

    def _existing_keys(self) -> Counter:
        known = {v for v in self.resolved.vendors.values() if v > 0}
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
            if days and "invoiced_on" in self.key:
                query = query.where(Invoice.invoiced_on.between(min(days), max(days)))
            for row in db.session.execute(query):
                counts[
                    tuple(
                        _key_value(part, value) for part, value in zip(self.key, row, strict=True)
                    )
                ] += 1
        return counts

    def key_of(self, record: tuple, vendor_id: int, category_id, department_id) -> tuple:
        parts = []
        for part in self.key:
            if part == "category":
                parts.append(category_id)
            elif part == "department":
                parts.append(department_id)
            else:
                parts.append(_KEY_PARTS[part](record, vendor_id))
        return tuple(parts)

    def add(self, records: list[tuple]) -> None:
        """Write a chunk of records (or, in a preview, count it)."""
        vendors = self.resolved.vendors
        categories, departments = self.resolved.categories, self.resolved.departments
        contracts = self.resolved.contracts
        existing = self.existing
        rows = []
        sqlite = self._sqlite
        for record in records:
            vendor_id = vendors[record[I_VENDOR]]
            category_id = (
                categories.get(record[I_CATEGORY])
                if record[I_CATEGORY] not in (None, "")
                else (
                    categories.get(record[I_CATEGORY_CODE])
                    if record[I_CATEGORY_CODE] not in (None, "")
                    else None
                )
            )
            department_id = (
                departments.get(record[I_DEPARTMENT])
                if record[I_DEPARTMENT] not in (None, "")
                else None
            )
            if existing:
                key = self.key_of(record, vendor_id, category_id, department_id)
                if existing.get(key):
                    existing[key] -= 1
                    self.already += 1
                    continue
            self.imported += 1
            self.totals[record[I_CURRENCY]] += record[I_NET]
            if not self.write:
                continue
            invoiced, paid = record[I_INVOICED], record[I_PAID]
            rows.append(
                (
                    vendor_id,
                    contracts.get(record[I_CONTRACT]) if record[I_CONTRACT] is not None else None,
                    record[I_NUMBER],
                    invoiced.isoformat() if sqlite else invoiced,
                    (paid.isoformat() if sqlite else paid) if paid else None,
                    record[I_NET],
                    record[I_VAT],
                    record[I_CURRENCY],
                    record[I_HOURS],
                    category_id if category_id and category_id > 0 else None,
                    department_id if department_id and department_id > 0 else None,
                    record[I_DESCRIPTION],
                    self._now,
                    self._now,
                    self.batch_id,
                    record[I_ROW],
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
        "version",
    )

    def _write(self, rows: list[tuple]) -> None:
        connection = db.session.connection()
        names = ", ".join(self._COLUMNS)
        if self._sqlite:
            placeholders = ", ".join("?" for _ in self._COLUMNS)
            statement = f"INSERT INTO invoices ({names}) VALUES ({placeholders})"  # noqa: S608
            connection.exec_driver_sql(statement, rows)
            return
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(f"COPY invoices ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def drop_indexes(self) -> None:
        """For a large load: drop the invoices' secondary indexes (and, on PostgreSQL, its
        foreign keys), to build them once after in one set-based pass rather than row by row.
        All in the import's transaction: a failed import leaves them as they were."""
        connection = db.session.connection()
        for index in Invoice.__table__.indexes:
            index.drop(connection)
            self.dropped_indexes.append(index)
        if connection.dialect.name == "postgresql":
            for constraint in Invoice.__table__.foreign_key_constraints:
                connection.execute(sa.schema.DropConstraint(constraint))
                self.dropped_constraints.append(constraint)

    def restore_indexes(self) -> None:
        connection = db.session.connection()
        while self.dropped_indexes:
            self.dropped_indexes.pop().create(connection)
        while self.dropped_constraints:
            # Adding the constraint checks every row at once.
            connection.execute(sa.schema.AddConstraint(self.dropped_constraints.pop()))


def _key_value(part: str, value):
    """A database value as the key compares it (money as öre)."""
    if part == "net_amount" and value is not None:
        return int(value.scaleb(2))
    if isinstance(value, dt.datetime):
        return value.date()
    return value
