"""Vendors: creating, editing, finding and matching suppliers."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.identifiers import IdKind
from app.identifiers import normalise_org_id
from app.models import Vendor
from app.models import VendorAlias
from app.models.base import utcnow
from app.money import N_
from app.privacy import Audience
from app.privacy import hides_private_persons
from app.privacy import is_private_person
from app.services import fulltext
from app.services.conflicts import check_version
from app.services.errors import DuplicateError
from app.services.errors import ServiceError
from app.services.keyset import Key
from app.services.keyset import column_key
from app.services.keyset import order_by
from app.text import clean_text
from app.text import name_key

#: The longest name or other spelling a vendor has, in characters (as the columns hold).
MAX_NAME = 300

#: Sortable columns of the vendor list, by the name used in URLs.
SORTS = {"name": Vendor.name_key, "org_number": Vendor.org_number, "created": Vendor.created_at}


@dataclass(frozen=True)
class VendorFilters:
    """What a vendor list is narrowed to."""

    q: str | None = None  #: part of the name, an alias or the org number
    #: Who is reading: the public cannot find a private person by name or number.
    audience: Audience = Audience.PUBLIC


def vendor_select(filters: VendorFilters, sort: str = "name", descending: bool = False):
    """Vendors matching ``filters``, ordered by ``sort`` (a key of ``SORTS``)."""
    query = sa.select(Vendor).where(Vendor.withdrawn_at.is_(None))
    if filters.q:
        query = query.where(_matches(filters.q, filters.audience))
    return query.order_by(*order_by(vendor_keys(filters, sort, descending)))


def vendor_keys(filters: VendorFilters, sort: str = "name", descending: bool = False) -> list[Key]:
    """The vendor list's order: ``sort`` (a key of ``SORTS``; empty values last), then the
    id the same way."""
    column = SORTS.get(sort, Vendor.name_key)
    keys = [column_key(column, descending), Key(Vendor.id, descending)]
    if hides_private_persons(filters.audience) is not None:
        # Listed as "Privatperson" to the public, and last: a place among the names would
        # hint at the name.
        keys.insert(0, Key(Vendor.is_private_person))
    return keys


def with_related(statement: sa.Select) -> sa.Select:
    """``statement`` (of :func:`vendor_select`) loading each vendor's other spellings."""
    return statement.options(selectinload(Vendor.aliases))


def _matches(text: str, audience: Audience):
    """A condition: the vendor's name, an alias or its org number (or VAT number) contains
    ``text``; private persons only when ``audience`` may see them."""
    key = f"%{_escape_like(name_key(text))}%"
    digits = "".join(ch for ch in text if ch.isdigit())
    conditions = [
        Vendor.name_key.like(key, escape="\\"),
        Vendor.id.in_(
            sa.select(VendorAlias.vendor_id).where(VendorAlias.name_key.like(key, escape="\\"))
        ),
        # Words, whatever their diacritics, in the name or another spelling (full-text index).
        fulltext.matches(fulltext.VENDORS, text),
        Vendor.id.in_(
            sa.select(VendorAlias.vendor_id).where(fulltext.matches(fulltext.VENDOR_ALIASES, text))
        ),
    ]
    if len(digits) >= 4:
        # Org numbers are stored NNNNNN-NNNN: compare digits with the hyphen taken out.
        conditions.append(sa.func.replace(Vendor.org_number, "-", "").like(f"%{digits}%"))
    found = sa.or_(*conditions)
    # The public cannot find a private person by name or personnummer (app.privacy).
    hidden = hides_private_persons(audience)
    return found if hidden is None else sa.and_(found, hidden)


def vendor_ids_matching(text: str, audience: Audience) -> sa.Select:
    """A subquery of the ids of vendors whose name, alias or org number contains ``text``,
    among those ``audience`` may find."""
    return sa.select(Vendor.id).where(_matches(text, audience))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(text: str, audience: Audience, limit: int = 10) -> list[Vendor]:
    """Vendors for a type-ahead: those whose name starts with ``text`` first, then others that
    contain it (in name, alias or org number), at most ``limit``, among those ``audience``
    may find."""
    text = clean_text(text) or ""
    if not text:
        return []
    starts = sa.case(
        (Vendor.name_key.like(f"{_escape_like(name_key(text))}%", escape="\\"), 0), else_=1
    )
    query = (
        sa.select(Vendor)
        .where(_matches(text, audience), Vendor.withdrawn_at.is_(None))
        .order_by(starts, Vendor.name_key)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def resolve(text: str) -> Vendor:
    """The one vendor that ``text`` (as typed in an invoice form) designates.

    Tried in order: an exact org number, an exact name or alias (ignoring case and spacing),
    then a single vendor containing the text.

    Raises:
        ServiceError: no vendor matches, or several do (the message names some of them).
    """
    text = clean_text(text) or ""
    if not text:
        raise ServiceError(N_("Choose a vendor."), field="vendor")
    try:
        org_id = normalise_org_id(text)
    except ValueError:
        org_id = None
    if org_id is not None and org_id.kind in (IdKind.ORGNR, IdKind.PERSONNUMMER):
        vendor = db.session.scalar(sa.select(Vendor).where(Vendor.org_number == org_id.value))
        if vendor is not None:
            return vendor
    vendor = find_by_name(text)
    if vendor is not None:
        return vendor
    # Only staff fill in forms that pick a vendor.
    candidates = search(text, Audience.STAFF, limit=6)
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise ServiceError(
            N_("No vendor matches “%(text)s”. Add the vendor first."), field="vendor", text=text
        )
    names = ", ".join(v.name for v in candidates[:5])
    raise ServiceError(
        N_("Several vendors match “%(text)s”: %(names)s. Type more of the name or the org number."),
        field="vendor",
        text=text,
        names=names,
    )


def find_by_name(name: str) -> Vendor | None:
    """The vendor called ``name`` or known by it as an alias (case and spacing ignored)."""
    key = name_key(name)
    vendor = db.session.scalar(sa.select(Vendor).where(Vendor.name_key == key).limit(1))
    if vendor is None:
        vendor = db.session.scalar(
            sa.select(Vendor).join(VendorAlias).where(VendorAlias.name_key == key)
        )
    return vendor


def create_vendor(data: dict) -> Vendor:
    """Add a vendor.

    Args:
        data: ``name``; optionally ``org_number`` (any notation; validated and normalised),
            ``vat_number``, ``country`` (ISO alpha-2), ``is_private_person``, ``notes`` and
            ``aliases`` (a list of names, or text with one name per line).

    Raises:
        ServiceError: the org number is invalid.
        DuplicateError: another vendor has the org number or uses an alias; ``existing`` is it.
    """
    vendor = Vendor()
    _apply(vendor, data)
    db.session.add(vendor)
    db.session.flush()
    return vendor


def update_vendor(vendor: Vendor, data: dict) -> Vendor:
    """Change a vendor's details; raises as :func:`create_vendor`, and
    :class:`~app.services.conflicts.VersionConflict` when ``data["version"]`` is stale."""
    check_version(vendor, data)
    _apply(vendor, data)
    db.session.flush()
    return vendor


def _apply(vendor: Vendor, data: dict) -> None:
    name = clean_text(data.get("name"))
    if not name:
        raise ServiceError(N_("The vendor needs a name."), field="name")
    vendor.name = name
    vendor.name_key = name_key(name)
    try:
        org_id = normalise_org_id(data.get("org_number"))
    except ValueError as error:
        raise ServiceError(error.message, field="org_number", **error.params) from None
    if org_id.value is not None:
        other = db.session.scalar(
            sa.select(Vendor).where(Vendor.org_number == org_id.value, Vendor.id != vendor.id)
        )
        if other is not None:
            raise DuplicateError(
                N_("Org number %(number)s already belongs to %(name)s."),
                field="org_number",
                existing=other,
                number=org_id.value,
                name=other.name,
            )
    vendor.org_number = org_id.value
    vendor.id_kind = org_id.kind
    vendor.vat_number = (clean_text(data.get("vat_number")) or "").replace(" ", "").upper() or None
    vendor.country = (clean_text(data.get("country")) or "SE").upper()[:2]
    # A personnummer (as the id, a foreign id or inside the VAT number), or a name written
    # SURNAME;FIRSTNAME as ledgers write people, makes the vendor a private person (as an
    # import decides); the flag can also be set by hand.
    vendor.is_private_person = org_id.is_personal_data or is_private_person(
        vendor.name,
        vendor.org_number,
        vendor.vat_number,
        flagged=bool(data.get("is_private_person")),
    )
    vendor.notes = (data.get("notes") or "").strip() or None
    if "aliases" in data:
        _set_aliases(vendor, data["aliases"])


def _set_aliases(vendor: Vendor, aliases) -> None:
    """Replace the vendor's aliases with ``aliases`` (a list, or text with one per line)."""
    if isinstance(aliases, str):
        aliases = aliases.splitlines()
    wanted: dict[str, str] = {}
    for alias in aliases or []:
        cleaned = clean_text(alias)
        if cleaned and len(cleaned) > MAX_NAME:
            raise ServiceError(
                N_("The spelling “%(alias)s…” is longer than the %(limit)s characters a name has."),
                field="aliases",
                alias=cleaned[:40],
                limit=str(MAX_NAME),
            )
        if cleaned and name_key(cleaned) != vendor.name_key:
            wanted.setdefault(name_key(cleaned), cleaned)
    for key, alias_name in wanted.items():
        owner = db.session.scalar(
            sa.select(Vendor).join(VendorAlias).where(VendorAlias.name_key == key)
        )
        if owner is None:
            owner = db.session.scalar(sa.select(Vendor).where(Vendor.name_key == key))
        if owner is not None and owner is not vendor:
            raise DuplicateError(
                N_("“%(alias)s” already names %(name)s."),
                field="aliases",
                existing=owner,
                alias=alias_name,
                name=owner.name,
            )
    current = {alias.name_key: alias for alias in vendor.aliases}
    if set(current) != set(wanted) and vendor.id is not None:
        # Only the alias rows change: touch the vendor so its version moves on too.
        vendor.updated_at = utcnow()
    for key, alias in current.items():
        if key not in wanted:
            vendor.aliases.remove(alias)
    for key, alias_name in wanted.items():
        if key in current:
            current[key].name = alias_name
        else:
            vendor.aliases.append(VendorAlias(name=alias_name, name_key=key))


def merge_vendors(target: Vendor, duplicate: Vendor, version=None) -> int:
    """Make ``duplicate`` part of ``target``: one supplier entered twice (two spellings, one
    of them without its org number) becomes one vendor, so that its totals are whole.

    Every invoice and contract of ``duplicate`` moves to ``target`` (each change in the audit
    trail); its name and other spellings become other spellings of ``target``, so a later
    import of the same file finds ``target`` and imports nothing twice; its org number, if
    ``target`` has none, passes to ``target``; then ``duplicate`` is removed (the audit trail
    keeps what it was). ``version`` is the version of ``target`` the user saw.

    Returns:
        The number of invoices moved.

    Raises:
        ServiceError: the two are the same vendor, or both have org numbers and they differ
            (two legal entities, not one entered twice).
        VersionConflict: ``target`` changed since ``version``.
    """
    check_version(target, {"version": version})
    if target.id == duplicate.id:
        raise ServiceError(N_("A vendor cannot be merged with itself."), field="vendor")
    if target.org_number and duplicate.org_number and target.org_number != duplicate.org_number:
        raise ServiceError(
            N_(
                "%(name)s has another org number (%(number)s): they are two vendors, not one "
                "entered twice."
            ),
            field="vendor",
            name=duplicate.name,
            number=duplicate.org_number,
        )
    from app.models import Invoice

    invoices = list(db.session.scalars(sa.select(Invoice).where(Invoice.vendor_id == duplicate.id)))
    for invoice in invoices:
        invoice.vendor = target
    for contract in list(duplicate.contracts):
        contract.vendor = target
    names = [duplicate.name, *(alias.name for alias in duplicate.aliases)]
    org_number, id_kind = duplicate.org_number, duplicate.id_kind
    private = duplicate.is_private_person
    db.session.flush()
    # Remove the duplicate first: its org number and spellings are unique, and pass on.
    db.session.delete(duplicate)
    db.session.flush()
    if org_number and not target.org_number:
        target.org_number, target.id_kind = org_number, id_kind
    target.is_private_person = target.is_private_person or private
    kept = {alias.name for alias in target.aliases}
    _set_aliases(target, [*kept, *names])
    target.updated_at = utcnow()
    db.session.flush()
    return len(invoices)


#: Legal forms and filler words that two spellings of one supplier differ by: "Penseo AB",
#: "PENSEO AKTIEBOLAG" and "Penseo Aktiebolag (publ)" are one company.
_LEGAL_FORMS = frozenset(
    {"ab", "aktiebolag", "aktiebolaget", "publ", "hb", "handelsbolag", "kb", "kommanditbolag",
     "ek", "för", "ekonomisk", "förening", "ef", "enskild", "firma", "ltd", "limited", "inc",
     "llc", "plc", "gmbh", "oy", "as", "a/s", "aps", "bv", "sa", "the", "och", "and", "&"}
)  # fmt: skip
_WORD = re.compile(r"[^\w&]+")


def company_key(name: str) -> str:
    """A name with case, punctuation, legal forms and filler words taken out: what two
    spellings of one supplier have in common (``"Penseo AB"`` → ``"penseo"``)."""
    words = [w for w in _WORD.split(name_key(name)) if w and w not in _LEGAL_FORMS]
    return " ".join(words)


@dataclass(frozen=True)
class DuplicateGroup:
    """Vendors whose names differ only by legal form, case or punctuation, with no two
    org numbers that differ: probably one supplier entered more than once."""

    key: str
    vendors: list[Vendor]


def possible_duplicates(limit: int = 200) -> list[DuplicateGroup]:
    """Groups of vendors that are probably one supplier (see :class:`DuplicateGroup`), the
    largest groups first, at most ``limit``. Vendors with different org numbers are two
    legal entities and never grouped together."""
    groups: dict[str, list[tuple[int, str, str | None]]] = {}
    rows = db.session.execute(
        sa.select(Vendor.id, Vendor.name, Vendor.org_number).where(Vendor.withdrawn_at.is_(None))
    )
    for vendor_id, name, org_number in rows:
        key = company_key(name)
        if key:
            groups.setdefault(key, []).append((vendor_id, name, org_number))
    found = []
    for key, members in groups.items():
        numbers = {org for _id, _name, org in members if org}
        if len(members) > 1 and len(numbers) <= 1:
            found.append((key, [vendor_id for vendor_id, _name, _org in members]))
    found.sort(key=lambda item: (-len(item[1]), item[0]))
    found = found[:limit]
    wanted = {vendor_id for _key, ids in found for vendor_id in ids}
    vendors = {
        v.id: v for v in db.session.scalars(sa.select(Vendor).where(Vendor.id.in_(wanted)))
    } if wanted else {}  # fmt: skip
    return [
        DuplicateGroup(key, sorted((vendors[i] for i in ids), key=lambda v: v.org_number is None))
        for key, ids in found
    ]
