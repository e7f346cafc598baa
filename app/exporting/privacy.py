"""Private persons in open data: how to recognise them, and what the open-data files show of
them.

A vendor who is a natural person (a sole trader known by a personnummer, an individual paid a
fee) is personal data. Swedish municipalities publish such a row of the supplier ledger with
the vendor written ``Privatperson`` and no id, and keep the row and its amount, so that
totals stay whole. Every open-data export (the supplier-ledger file, OCDS, the data package)
asks :func:`public_vendor` what it may show.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.identifiers import IdKind
from app.models import Vendor
from app.privacy import is_private_person

__all__ = ["PRIVATE_PERSON", "PublicVendor", "is_private_person", "public_vendor", "public_vendors"]

#: What a private person is called in open data, as Swedish publishers write it.
PRIVATE_PERSON = "Privatperson"


@dataclass(frozen=True)
class PublicVendor:
    """A vendor as open data shows it: a private person's name replaced and ids left out."""

    name: str
    org_number: str | None
    vat_number: str | None
    id_kind: IdKind
    country: str
    is_private: bool


def public_vendor(
    name: str,
    org_number: str | None,
    vat_number: str | None = None,
    id_kind: IdKind = IdKind.NONE,
    country: str = "SE",
    *,
    flagged: bool = False,
) -> PublicVendor:
    """What open data may show of a vendor: everything, or, for a private person (see
    :func:`app.privacy.is_private_person`), ``Privatperson`` with no ids."""
    if is_private_person(name, org_number, vat_number, flagged=flagged):
        return PublicVendor(PRIVATE_PERSON, None, None, IdKind.NONE, country, True)
    return PublicVendor(name, org_number, vat_number, id_kind, country, False)


def public_vendors() -> dict[int, PublicVendor]:
    """Every vendor as open data shows it, by id (one query; a ledger has thousands of
    vendors, not millions, so they are held while the invoices stream)."""
    rows = db.session.execute(
        sa.select(
            Vendor.id,
            Vendor.name,
            Vendor.org_number,
            Vendor.vat_number,
            Vendor.id_kind,
            Vendor.country,
            Vendor.is_private_person,
        )
    )
    return {
        vendor_id: public_vendor(name, org_number, vat_number, id_kind, country, flagged=flagged)
        for vendor_id, name, org_number, vat_number, id_kind, country, flagged in rows
    }
