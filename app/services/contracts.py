"""Contracts and their amendments; a contract's terms over time, derived, never stored twice."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import AmendmentKind
from app.models import Contract
from app.models import ContractAmendment
from app.models import Invoice
from app.models import ProcurementBasis
from app.models import Vendor
from app.money import N_
from app.privacy import Audience
from app.services import fulltext
from app.services import plausibility
from app.services import voiding
from app.services.conflicts import check_version
from app.services.errors import DuplicateError
from app.services.errors import ServiceError
from app.services.keyset import Key
from app.services.keyset import column_key
from app.services.keyset import order_by
from app.services.provenance import in_use
from app.services.provenance import set_provenance
from app.services.vendors import vendor_ids_matching
from app.text import clean_text

#: Sortable columns of the contract list.
SORTS = {
    "reference": Contract.reference,
    "title": Contract.title,
    "vendor": Vendor.name_key,
    "starts_on": Contract.starts_on,
    "ends_on": Contract.ends_on,
    "ceiling": Contract.ceiling_amount,
}


@dataclass(frozen=True)
class ContractFilters:
    vendor_id: int | None = None
    vendor_text: str | None = None  #: part of the vendor's name, an alias or its org number
    year: int | None = None  #: contracts running at some point of that year
    q: str | None = None  #: part of the reference, title or purpose
    batch_id: int | None = None  #: imported by this batch
    status: str = "active"  #: "active" (not voided: the default), "voided" or "all"
    #: Who is reading: the public cannot find a private person's contracts by name or number.
    audience: Audience = Audience.PUBLIC


@dataclass(frozen=True)
class Terms:
    """A contract's terms from a date on: the original ones, or after an amendment.

    Amounts are excl. VAT in the contract's currency; ``None`` means not set.
    """

    effective_on: dt.date | None  #: when these terms began (the start for the original)
    ends_on: dt.date | None
    ceiling_amount: Decimal | None
    hour_quota: Decimal | None
    hourly_rate: Decimal | None
    amendment: ContractAmendment | None  #: the amendment that made them; None for the original

    def changed_from(self, before: Terms) -> set[str]:
        """Names of the terms that differ from ``before``."""
        names = ("ends_on", "ceiling_amount", "hour_quota", "hourly_rate")
        return {n for n in names if getattr(self, n) != getattr(before, n)}


def contract_select(filters: ContractFilters, sort: str = "starts_on", descending: bool = True):
    """Contracts matching ``filters`` with their vendors, ordered by ``sort``."""
    query = sa.select(Contract).join(Contract.vendor)
    if filters.vendor_id:
        query = query.where(Contract.vendor_id == filters.vendor_id)
    if filters.vendor_text:
        query = query.where(
            Contract.vendor_id.in_(vendor_ids_matching(filters.vendor_text, filters.audience))
        )
    if filters.year:
        first, last = dt.date(filters.year, 1, 1), dt.date(filters.year, 12, 31)
        # Running that year: started by its end, and (finally) ending after its start.
        final_end = (
            sa.select(sa.func.max(ContractAmendment.new_ends_on))
            .where(
                ContractAmendment.contract_id == Contract.id,
                ContractAmendment.voided_at.is_(None),
            )
            .scalar_subquery()
        )
        query = query.where(
            sa.or_(Contract.starts_on.is_(None), Contract.starts_on <= last),
            sa.or_(
                sa.func.coalesce(final_end, Contract.ends_on).is_(None),
                sa.func.coalesce(final_end, Contract.ends_on) >= first,
            ),
        )
    if filters.batch_id:
        query = query.where(Contract.import_batch_id == filters.batch_id)
    if filters.status == "active":
        query = query.where(Contract.voided_at.is_(None))
    elif filters.status == "voided":
        query = query.where(Contract.voided_at.is_not(None))
    if filters.q:
        like = f"%{filters.q.strip().lower()}%"
        query = query.where(
            sa.or_(
                sa.func.lower(Contract.reference).like(like),
                sa.func.lower(Contract.title).like(like),
                sa.func.lower(Contract.purpose).like(like),
                # Words, whatever their diacritics (the full-text index).
                fulltext.matches(fulltext.CONTRACTS, filters.q),
            )
        )
    return query.order_by(*order_by(contract_keys(filters, sort, descending)))


def contract_keys(
    filters: ContractFilters, sort: str = "starts_on", descending: bool = True
) -> list[Key]:
    """The contract list's order: ``sort`` (a key of ``SORTS``; empty values last), then the
    id the same way."""
    column = SORTS.get(sort, Contract.starts_on)
    keys = [column_key(column, descending), Key(Contract.id, descending)]
    if column is Vendor.name_key and not filters.audience.sees_personal_data:
        keys.insert(0, Key(Vendor.is_private_person))  # private persons together, not by name
    return keys


def with_related(statement: sa.Select) -> sa.Select:
    """``statement`` (of :func:`contract_select`) loading each contract's vendor and
    amendments with it."""
    return statement.options(contains_eager(Contract.vendor), selectinload(Contract.amendments))


def contract_terms(contract: Contract, amendments=None) -> list[Terms]:
    """The contract's terms over time: the original, then one entry per valid amendment in
    date order, each applying its changes to the terms before it. The last entry is current.
    Voided amendments change nothing. ``amendments`` replaces the contract's own (to try a
    change before making it)."""
    if amendments is None:
        amendments = contract.amendments
    terms = [
        Terms(
            effective_on=contract.starts_on,
            ends_on=contract.ends_on,
            ceiling_amount=contract.ceiling_amount,
            hour_quota=contract.hour_quota,
            hourly_rate=contract.hourly_rate,
            amendment=None,
        )
    ]
    valid = [a for a in amendments if not a.is_voided]
    for amendment in sorted(valid, key=lambda a: (a.dated_on, a.id or 0)):
        before = terms[-1]
        terms.append(
            Terms(
                effective_on=amendment.dated_on,
                ends_on=amendment.new_ends_on or before.ends_on,
                ceiling_amount=_add(before.ceiling_amount, amendment.added_amount),
                hour_quota=_add(before.hour_quota, amendment.added_hours),
                hourly_rate=amendment.new_hourly_rate or before.hourly_rate,
                amendment=amendment,
            )
        )
    return terms


def current_terms(contract: Contract) -> Terms:
    """The terms in force after every amendment."""
    return contract_terms(contract)[-1]


def _add(base: Decimal | None, added: Decimal | None) -> Decimal | None:
    if added is None:
        return base
    return (base or Decimal("0.00")) + added


@dataclass(frozen=True)
class Usage:
    """What has been invoiced under a contract (voided invoices excluded), by currency."""

    amount: Decimal
    hours: Decimal
    count: int


def contract_usage(contract: Contract) -> Usage:
    """Sum of the contract's live invoices in its currency, their hours and their number."""
    row = db.session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(Invoice.net_amount), 0),
            sa.func.coalesce(sa.func.sum(Invoice.hours), 0),
            sa.func.count(Invoice.id),
        ).where(
            Invoice.contract_id == contract.id,
            Invoice.voided_at.is_(None),
            Invoice.currency == contract.currency,
        )
    ).one()
    return Usage(amount=Decimal(row[0]), hours=Decimal(row[1]), count=row[2])


def contract_usages(contracts) -> dict[int, Usage]:
    """:func:`contract_usage` of each of ``contracts`` in one grouped query, by contract id
    (a list's page of contracts costs one query, not one per contract)."""
    ids = [c.id for c in contracts]
    found = dict.fromkeys(ids, Usage(amount=Decimal(0), hours=Decimal(0), count=0))
    if not ids:
        return found
    rows = db.session.execute(
        sa.select(
            Invoice.contract_id,
            sa.func.coalesce(sa.func.sum(Invoice.net_amount), 0),
            sa.func.coalesce(sa.func.sum(Invoice.hours), 0),
            sa.func.count(Invoice.id),
        )
        .join(Contract, Contract.id == Invoice.contract_id)
        .where(
            Invoice.contract_id.in_(ids),
            Invoice.voided_at.is_(None),
            Invoice.currency == Contract.currency,
        )
        .group_by(Invoice.contract_id)
    )
    for contract_id, amount, hours, count in rows:
        found[contract_id] = Usage(amount=Decimal(amount), hours=Decimal(hours), count=count)
    return found


def create_contract(data: dict) -> Contract:
    """Register a contract with its original terms.

    Args:
        data: ``vendor`` (a ``Vendor``), ``title``; optionally ``reference``, ``purpose``,
            ``procurement_basis``, ``signed_on``, ``starts_on``, ``ends_on``,
            ``ceiling_amount`` and ``hourly_rate`` (``Decimal``, excl. VAT), ``hour_quota``
            (``Decimal`` hours), ``currency`` (default SEK), ``notes``.

    Raises:
        ServiceError: the period ends before it starts, or an amount is negative.
        DuplicateError: the reference is taken; ``existing`` is that contract.
    """
    contract = Contract()
    _apply(contract, data)
    set_provenance(contract, data)
    db.session.add(contract)
    db.session.flush()
    return contract


def update_contract(contract: Contract, data: dict) -> Contract:
    """Change a contract's original terms; raises as :func:`create_contract`, and
    ``VersionConflict`` when ``data["version"]`` is stale, and refuses a voided contract or a
    ceiling its amendments would then take below zero."""
    voiding.refuse_if_voided(contract)
    check_version(contract, data)
    _apply(contract, data)
    _check_terms(contract, contract.amendments, "ceiling_amount", "hour_quota")
    db.session.flush()
    return contract


def void_contract(contract: Contract, reason: str, version: int | str | None = None) -> Contract:
    """Void a contract entered by mistake: it stays on record, struck through, and leaves
    every list, flag, export and search.

    A contract that valid invoices name is not voided: money was paid under it. Its invoices
    are linked to the right contract (or voided) first, so that no total moves silently.

    Raises:
        ServiceError: no reason, already voided, or valid invoices name the contract;
            ``VersionConflict``.
    """
    linked = linked_invoice_count(contract)
    if linked and not contract.is_voided:
        raise ServiceError(
            N_(
                "Valid invoices name this contract (%(count)s). Link them to the right "
                "contract, or void them, first."
            ),
            field="reason",
            count=linked,
        )
    return voiding.void(contract, reason, version)


def restore_contract(contract: Contract, version: int | str | None = None) -> Contract:
    """Count a voided contract again.

    Raises:
        ServiceError: the contract is not voided; ``VersionConflict``.
    """
    return voiding.restore(contract, version)


def linked_invoice_count(contract: Contract) -> int:
    """How many valid invoices name ``contract``."""
    return (
        db.session.scalar(
            sa.select(sa.func.count()).where(
                Invoice.contract_id == contract.id, Invoice.voided_at.is_(None)
            )
        )
        or 0
    )


def _check_terms(contract: Contract, amendments, ceiling_field: str, hours_field: str) -> None:
    """Refuse terms whose ceiling or hour quota falls below zero after an amendment."""
    steps = [
        (t.effective_on, t.ceiling_amount, t.hour_quota)
        for t in contract_terms(contract, amendments)
    ]
    plausibility.refuse(plausibility.terms_problems(steps, ceiling_field, hours_field))


def _apply(contract: Contract, data: dict) -> None:
    vendor = data.get("vendor")
    in_use(vendor)
    if vendor is None:
        raise ServiceError(N_("Choose a vendor."), field="vendor")
    title = clean_text(data.get("title"))
    if not title:
        raise ServiceError(N_("The contract needs a title."), field="title")
    reference = clean_text(data.get("reference"))
    if reference:
        other = db.session.scalar(
            sa.select(Contract).where(
                sa.func.lower(Contract.reference) == reference.lower(), Contract.id != contract.id
            )
        )
        if other is not None:
            raise DuplicateError(
                N_("Reference %(reference)s is already used by another contract."),
                field="reference",
                existing=other,
                reference=reference,
            )
    starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        raise ServiceError(N_("The contract cannot end before it starts."), field="ends_on")
    for field in ("ceiling_amount", "hour_quota", "hourly_rate"):
        value = data.get(field)
        if value is not None and value < 0:
            raise ServiceError(N_("This cannot be negative."), field=field)
    currency = (data.get("currency") or "SEK").upper()
    plausibility.refuse(
        plausibility.contract_problems(
            signed_on=data.get("signed_on"),
            starts_on=starts_on,
            ends_on=ends_on,
            currency=currency,
            rules=data.get("rules") or plausibility.default_rules(),
        )
    )
    contract.vendor = vendor
    contract.title = title
    contract.reference = reference
    contract.purpose = (data.get("purpose") or "").strip() or None
    contract.procurement_basis = ProcurementBasis(
        data.get("procurement_basis") or ProcurementBasis.OTHER
    )
    contract.signed_on = data.get("signed_on")
    contract.starts_on = starts_on
    contract.ends_on = ends_on
    contract.ceiling_amount = data.get("ceiling_amount")
    contract.hour_quota = data.get("hour_quota")
    contract.hourly_rate = data.get("hourly_rate")
    contract.currency = currency
    contract.notes = (data.get("notes") or "").strip() or None


def add_amendment(contract: Contract, data: dict) -> ContractAmendment:
    """Record an amendment to ``contract``.

    Args:
        data: ``dated_on``, ``kind``; and what changes: ``new_ends_on``, ``added_amount``
            (excl. VAT, negative to reduce), ``added_hours``, ``new_hourly_rate``; ``reason``.

    Raises:
        ServiceError: nothing changes and no reason is given, the new end date is before
            the contract's start, or the contract is voided.
        ImplausibleError: a date outside the plausible window, or a ceiling or hour quota
            below zero after this or a later amendment.
    """
    voiding.refuse_if_voided(contract)
    amendment = ContractAmendment()
    _apply_amendment(amendment, contract, data)
    _check_terms(contract, [*contract.amendments, amendment], "added_amount", "added_hours")
    set_provenance(amendment, data)
    contract.amendments.append(amendment)
    db.session.flush()
    return amendment


def update_amendment(amendment: ContractAmendment, data: dict) -> ContractAmendment:
    """Correct an amendment; raises as :func:`add_amendment`, and ``VersionConflict``."""
    voiding.refuse_if_voided(amendment)
    check_version(amendment, data)
    _apply_amendment(amendment, amendment.contract, data)
    _check_terms(amendment.contract, amendment.contract.amendments, "added_amount", "added_hours")
    db.session.flush()
    return amendment


def void_amendment(
    amendment: ContractAmendment, reason: str, version: int | str | None = None
) -> ContractAmendment:
    """Void an amendment entered by mistake: it stays on the contract's page, struck through,
    and changes the terms no more.

    Raises:
        ServiceError: no reason, already voided; ``VersionConflict``.
        ImplausibleError: without it, a later amendment would take the ceiling or the hour
            quota below zero.
    """
    others = [a for a in amendment.contract.amendments if a is not amendment]
    _check_terms(amendment.contract, others, "reason", "reason")
    return voiding.void(amendment, reason, version)


def restore_amendment(
    amendment: ContractAmendment, version: int | str | None = None
) -> ContractAmendment:
    """Let a voided amendment change the terms again.

    Raises:
        ServiceError: not voided; ``VersionConflict``.
        ImplausibleError: with it, the ceiling or the hour quota would fall below zero.
    """
    voiding.restore(amendment, version)
    # Shown at the top of the page: the restore button has no field of its own.
    _check_terms(amendment.contract, amendment.contract.amendments, "terms", "terms")
    return amendment


def _apply_amendment(amendment: ContractAmendment, contract: Contract, data: dict) -> None:
    if not data.get("dated_on"):
        raise ServiceError(N_("Give the date of the amendment."), field="dated_on")
    changes = [
        data.get(k) for k in ("new_ends_on", "added_amount", "added_hours", "new_hourly_rate")
    ]
    reason = (data.get("reason") or "").strip() or None
    if all(c is None for c in changes) and not reason:
        raise ServiceError(
            N_(
                "An amendment must change the end date, the amount, the hours or the rate, "
                "or give a reason."
            ),
            field="reason",
        )
    new_ends_on = data.get("new_ends_on")
    if new_ends_on and contract.starts_on and new_ends_on < contract.starts_on:
        raise ServiceError(
            N_("The new end date is before the contract starts."), field="new_ends_on"
        )
    rate = data.get("new_hourly_rate")
    if rate is not None and rate < 0:
        raise ServiceError(N_("This cannot be negative."), field="new_hourly_rate")
    plausibility.refuse(
        plausibility.amendment_problems(
            dated_on=data["dated_on"],
            new_ends_on=new_ends_on,
            rules=data.get("rules") or plausibility.default_rules(),
        )
    )
    amendment.dated_on = data["dated_on"]
    amendment.kind = AmendmentKind(data.get("kind") or AmendmentKind.OTHER)
    amendment.new_ends_on = new_ends_on
    amendment.added_amount = data.get("added_amount")
    amendment.added_hours = data.get("added_hours")
    amendment.new_hourly_rate = rate
    amendment.reason = reason
