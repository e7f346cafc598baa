"""Resolving a file's distinct vendor, category, department and contract cells to records,
once per distinct value, not once per row: found by organisation number, name or other
spelling, or created (remembering the import that created them). A vendor found by its
organisation number keeps the file's own spelling as another spelling; an entry an undone
import withdrew comes back when a file uses it again.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from dataclasses import field

import sqlalchemy as sa

from app.extensions import db
from app.identifiers import IdKind
from app.identifiers import OrgIdError
from app.identifiers import normalise_org_id
from app.importing.cells import split_code
from app.importing.cells import text
from app.importing.currency import country_for
from app.importing.plan import Plan
from app.models import Category
from app.models import Contract
from app.models import Department
from app.models import Vendor
from app.models import VendorAlias
from app.models.base import utcnow
from app.privacy import is_private_person
from app.text import name_key

#: Cells that mean "no id" in real ledgers.
MISSING_ID = {"null", "saknas", "n/a", "na", "-", "--", "0", "none", "ingen"}
#: Two or more Swedish-looking numbers in one cell.
_SEVERAL = re.compile(r"\d{6}-?\d{4}.*\d{6}-?\d{4}")
#: Names that stand for withheld data.
_REDACTED = re.compile(r"^(\*+|redacted.*)$", re.IGNORECASE)


@dataclass
class Resolved:
    """What the distinct values of a file turned into."""

    vendors: dict = field(default_factory=dict)  #: (name, id, ref cells) → vendor id (< 0: new)
    new_vendors: list[str] = field(default_factory=list)
    #: The ids the new vendors were given (none of them has an invoice before this import).
    new_vendor_ids: set[int] = field(default_factory=set)
    #: Spellings kept as another spelling of a vendor found by organisation number.
    new_spellings: list[str] = field(default_factory=list)
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
    them, each pointing at ``batch``); in a preview new records get negative placeholder ids.
    """

    def __init__(self, plan: Plan, write: bool, batch=None) -> None:
        self.plan = plan
        self.write = write
        self.batch = batch
        self.result = Resolved()
        self._next_placeholder = -1
        options = plan.options
        self.country = country_for(
            plan.currency.code, options.default_currency.upper(), options.default_country.upper()
        )

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
        cells = self.plan.distinct.get("vendor", set())
        known = _KnownVendors()
        created: dict[int, Vendor] = {}
        # Rows with an id first, so that rows without one join the vendor the id made.
        for triple in sorted(
            cells, key=lambda p: (text(p[1]) is None, str(p[0]), str(p[1]), str(p[2]))
        ):
            vendor_id = self._vendor(triple, known, created)
            if vendor_id is not None:
                self.result.vendors[triple] = vendor_id
        if self.write:
            # Other spellings go on the vendor's own list of them, so the audit trail records
            # each as a change of the vendor.
            for vendor_id, name, key in known.new_spellings:
                vendor = created.get(vendor_id)
                if vendor is None:
                    vendor = db.session.get(Vendor, vendor_id)
                    vendor.updated_at = utcnow()  # its version moves on with its spellings
                vendor.aliases.append(
                    VendorAlias(
                        name=name[:300],
                        name_key=key[:300],
                        import_batch_id=self.batch.id if self.batch is not None else None,
                    )
                )
        if self.write and created:
            db.session.flush()
            ids = {placeholder: vendor.id for placeholder, vendor in created.items()}
            self.result.new_vendor_ids = set(ids.values())
            self.result.vendors = {cells: ids.get(v, v) for cells, v in self.result.vendors.items()}
        if self.write:
            _revive(Vendor, known.withdrawn & set(self.result.vendors.values()))

    def _vendor(self, triple: tuple, known: _KnownVendors, created: dict) -> int | None:
        name_cell, id_cell, ref_cell = triple
        name = text(name_cell)
        if name is None:
            return None
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
        vendor_id = known.by_number.get(number) if number else None
        if vendor_id is not None:
            if known.spelling(key, name, vendor_id):
                self.result.new_spellings.append(name)
            return vendor_id
        vendor_id = known.by_name.get(key)
        if vendor_id is not None and number:
            # The same name with another org number is another vendor.
            held = (
                created[vendor_id].org_number
                if vendor_id in created
                else known.numbers.get(vendor_id)
            )
            if held and held != number:
                vendor_id = None
            elif vendor_id in created and not held:
                created[vendor_id].org_number, created[vendor_id].id_kind = number, kind
                known.by_number[number] = vendor_id
        if vendor_id is None:
            vendor_id = self._new_vendor(name, number, kind, created)
            if number:
                known.by_number[number] = vendor_id
            known.by_name.setdefault(key, vendor_id)
            known.keys[key] = vendor_id
        return vendor_id

    def _new_vendor(self, name: str, number: str | None, kind: IdKind, created: dict) -> int:
        placeholder = self._placeholder()
        self.result.new_vendors.append(name)
        private = (
            kind is IdKind.PERSONNUMMER
            or is_private_person(name, number)  # also a personnummer inside a VAT-shaped id
            or name.upper().startswith("REDACTED PERSONAL")
        )
        country = number[:2] if kind is IdKind.FOREIGN and number[:2].isalpha() else self.country
        vendor = Vendor(
            name=name[:300],
            name_key=name_key(name)[:300],
            org_number=number,
            id_kind=kind,
            country=country,
            is_private_person=private,
            notes=f"Skapad vid import av {self.plan.source.filename}.",
            import_batch_id=self.batch.id if self.batch is not None else None,
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
        existing, withdrawn = {}, set()
        for name, entry_id, gone in db.session.execute(
            sa.select(model.name, model.id, model.withdrawn_at.is_not(None))
        ):
            existing[name.casefold()] = entry_id
            if gone:
                withdrawn.add(entry_id)
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
                entry = model(
                    name=name,
                    code=code,
                    import_batch_id=self.batch.id if self.batch is not None else None,
                )
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
        if self.write:
            _revive(model, withdrawn & set(mapping.values()))

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


class _KnownVendors:
    """The vendors in the database, by organisation number, name and other spelling."""

    def __init__(self) -> None:
        self.numbers: dict[int, str | None] = {}
        self.withdrawn: set[int] = set()
        self.by_number: dict[str, int] = {}
        self.by_name: dict[str, int] = {}
        #: Every name and spelling in use, and whose it is.
        self.keys: dict[str, int] = {}
        for vendor_id, number, key, gone in db.session.execute(
            sa.select(
                Vendor.id, Vendor.org_number, Vendor.name_key, Vendor.withdrawn_at.is_not(None)
            ).order_by(Vendor.id)
        ):
            self.numbers[vendor_id] = number
            if number:
                self.by_number[number] = vendor_id
            self.by_name.setdefault(key, vendor_id)
            self.keys.setdefault(key, vendor_id)
            if gone:
                self.withdrawn.add(vendor_id)
        for key, vendor_id in db.session.execute(
            sa.select(VendorAlias.name_key, VendorAlias.vendor_id)
        ):
            self.by_name.setdefault(key, vendor_id)
            self.keys.setdefault(key, vendor_id)
        #: (vendor id or placeholder, spelling, its key) to keep as other spellings.
        self.new_spellings: list[tuple[int, str, str]] = []

    def spelling(self, key: str, name: str, vendor_id: int) -> bool:
        """Keep ``name`` as another spelling of ``vendor_id`` (found by its organisation
        number), unless it already names a vendor; whether it was new."""
        if not key or key in self.keys:
            return False
        self.keys[key] = vendor_id
        self.by_name.setdefault(key, vendor_id)
        self.new_spellings.append((vendor_id, name, key))
        return True


def _revive(model, ids: set) -> None:
    """Bring back entries an undone import withdrew, now that a file uses them again (as ORM
    changes, so the audit trail records each)."""
    ids = {i for i in ids if isinstance(i, int) and i > 0}
    if not ids:
        return
    for entry in db.session.scalars(sa.select(model).where(model.id.in_(sorted(ids)))):
        entry.withdrawn_at = None
