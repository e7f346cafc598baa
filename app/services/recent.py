"""What is new: the latest invoices, contracts and amendments, for the whole body, one
supplier or one contract (the Atom feeds), newest first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from app.extensions import db
from app.models import Contract
from app.models import ContractAmendment
from app.models import Invoice
from app.models import Vendor

#: Entries of each kind a feed looks at.
LATEST = 50


@dataclass(frozen=True)
class NewRecord:
    """A record as news: ``kind`` is "invoice", "contract" or "amendment"."""

    kind: str
    record: object
    at: dt.datetime


def latest(vendor_id: int | None = None, contract_id: int | None = None, limit: int = LATEST):
    """The newest invoices, contracts and amendments (by when they were entered), of one
    vendor or one contract when given; at most ``limit`` in all."""
    invoices = (
        sa.select(Invoice)
        .join(Invoice.vendor)
        .options(contains_eager(Invoice.vendor))
        .order_by(Invoice.created_at.desc(), Invoice.id.desc())
        .limit(limit)
    )
    contracts = (
        sa.select(Contract)
        .join(Contract.vendor)
        .options(contains_eager(Contract.vendor))
        .order_by(Contract.created_at.desc(), Contract.id.desc())
        .limit(limit)
    )
    amendments = (
        sa.select(ContractAmendment)
        .join(ContractAmendment.contract)
        .join(Contract.vendor)
        .options(contains_eager(ContractAmendment.contract).contains_eager(Contract.vendor))
        .order_by(ContractAmendment.created_at.desc(), ContractAmendment.id.desc())
        .limit(limit)
    )
    if vendor_id is not None:
        invoices = invoices.where(Invoice.vendor_id == vendor_id)
        contracts = contracts.where(Contract.vendor_id == vendor_id)
        amendments = amendments.where(Vendor.id == vendor_id)
    if contract_id is not None:
        invoices = invoices.where(Invoice.contract_id == contract_id)
        contracts = contracts.where(Contract.id == contract_id)
        amendments = amendments.where(ContractAmendment.contract_id == contract_id)
    found = [NewRecord("invoice", r, r.created_at) for r in db.session.scalars(invoices)]
    found += [NewRecord("contract", r, r.created_at) for r in db.session.scalars(contracts)]
    found += [NewRecord("amendment", r, r.created_at) for r in db.session.scalars(amendments)]
    found.sort(key=lambda n: (n.at, n.kind, n.record.id), reverse=True)
    return found[:limit]


def vendor_contracts(vendor_id: int) -> list[Contract]:
    """The vendor's contracts (for their flags), newest first."""
    return list(
        db.session.scalars(
            sa.select(Contract)
            .where(Contract.vendor_id == vendor_id)
            .order_by(Contract.starts_on.desc().nulls_last(), Contract.id)
        )
    )
