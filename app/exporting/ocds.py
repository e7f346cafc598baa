"""Contracts as Open Contracting Data Standard (OCDS) 1.1: one release package, one release per
contract, valid against the standard's release-package schema (1.1.5).

A release holds the contract's award (the original terms: value, period, hours and rate) and
the contract (the terms after every amendment, with ``amendments[]``: date, rationale and
what changed), and the contract's valid invoices as ``implementation.transactions[]`` (amount
excl. VAT, dated when paid, else when invoiced). Hours are ``items[].quantity`` with the unit
"hour" and the hourly rate as ``unit.value``. The buyer is the publisher (``PUBLISHER_*``,
given as a :class:`~app.exporting.opendata.Publication`), identified by its organisation
number (scheme ``SE-ON``); so is a supplier with one. A private person is a party named
``Privatperson`` with no identifier.

OCIDs are ``<OCDS_OCID_PREFIX>-<contract id>``; a release's ``date`` is the latest change to
the contract, its amendments or its invoices, and its ``id`` the OCID with that time. The
contract's ``id`` is its reference (diarienummer), as the supplier-ledger file's ``avtal``
names it, or Insyn's id when it has none; the award's is Insyn's id. Amounts are JSON
numbers written from their ``Decimal`` exactly (``267350.00``), never through a binary float.
Dates without a time are midnight (end dates: the day's last second) in
``BABEL_DEFAULT_TIMEZONE``. Voided contracts and amendments are left out. The package's
``uri`` is stable (:func:`package_uri`). The package is streamed: a release at a time.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import BinaryIO
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import click
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.exporting.opendata import Publication
from app.exporting.opendata import Publisher
from app.exporting.privacy import PublicVendor
from app.exporting.privacy import public_vendors
from app.extensions import db
from app.identifiers import IdKind
from app.models import Contract
from app.models import ContractAmendment
from app.models import Invoice
from app.services import contracts as contract_service

#: The schema version the package follows.
OCDS_VERSION = "1.1"
#: UN/CEFACT's code for an hour (the unit scheme OCDS recommends).
HOUR = {"scheme": "UNCEFACT", "id": "HUR", "name": "hour"}
#: How an amendment's kind is described (the free text of the publisher's language, Swedish).
_KINDS = {
    "extension": "Förlängning",
    "expansion": "Utökning",
    "price_change": "Prisändring",
    "other": "Ändring",
}


# --- JSON with exact decimals -----------------------------------------------------------------


def to_json(value) -> str:
    """``value`` as compact JSON, a ``Decimal`` as the number it is (``1234.50``).

    Raises:
        TypeError: a float (amounts are never floats here) or another type JSON lacks.
        ValueError: a ``Decimal`` that is not finite.
    """
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not a number JSON can hold")
        return format(value, "f")
    if isinstance(value, dict):
        items = (f"{json.dumps(str(k), ensure_ascii=False)}:{to_json(v)}" for k, v in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(to_json(v) for v in value) + "]"
    if isinstance(value, float):
        raise TypeError("a float in an OCDS document: amounts must be Decimal")
    if value is None or isinstance(value, str | int):
        return json.dumps(value, ensure_ascii=False)
    raise TypeError(f"{type(value).__name__} cannot be written as JSON")


def _compact(mapping: dict) -> dict:
    """``mapping`` without empty members (OCDS leaves out what is not known)."""
    return {k: v for k, v in mapping.items() if v is not None and v != [] and v != {}}


# --- dates and values -------------------------------------------------------------------------


class _Clock:
    """Dates as OCDS date-times in the publisher's time zone."""

    def __init__(self, zone: str) -> None:
        self.zone = ZoneInfo(zone)

    def start(self, day: dt.date | None) -> str | None:
        if day is None:
            return None
        return dt.datetime.combine(day, dt.time(0, 0), self.zone).isoformat()

    def end(self, day: dt.date | None) -> str | None:
        if day is None:
            return None
        return dt.datetime.combine(day, dt.time(23, 59, 59), self.zone).isoformat()


def utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _value(amount: Decimal | None, currency: str) -> dict | None:
    return None if amount is None else {"amount": amount, "currency": currency}


def _hours_item(item_id: str, title: str, hours, rate, currency: str) -> list[dict]:
    """The hours as an item (``quantity`` hours at ``unit.value``), if the terms have any."""
    if hours is None and rate is None:
        return []
    unit = {**HOUR, "value": _value(rate, currency)}
    return [
        _compact({"id": item_id, "description": title, "quantity": hours, "unit": _compact(unit)})
    ]


def _amendment_description(amendment: ContractAmendment, currency: str) -> str:
    """What an amendment changed, in the fixed words of the publisher's language."""
    parts = [_KINDS.get(str(amendment.kind), _KINDS["other"])]
    if amendment.new_ends_on:
        parts.append(f"nytt slutdatum {amendment.new_ends_on.isoformat()}")
    if amendment.added_amount is not None:
        parts.append(f"takbelopp {amendment.added_amount:+f} {currency}")
    if amendment.added_hours is not None:
        parts.append(f"timmar {amendment.added_hours.normalize():+f}")
    if amendment.new_hourly_rate is not None:
        parts.append(f"timpris {amendment.new_hourly_rate:f} {currency}")
    return "; ".join(parts)


# --- parties ----------------------------------------------------------------------------------


class _Parties:
    """A release's parties: the buyer first, then each vendor once, with all its roles."""

    def __init__(self, buyer: dict, vendors: dict[int, PublicVendor]) -> None:
        self.vendors = vendors
        self.buyer = buyer
        self.by_vendor: dict[int, dict] = {}
        self._private = 0

    def vendor(self, vendor_id: int, role: str) -> dict:
        """The vendor's party, with ``role`` added; returns its reference (id and name)."""
        party = self.by_vendor.get(vendor_id)
        if party is None:
            public = self.vendors[vendor_id]
            if public.is_private:
                # Numbered within the release only: a private person is not traceable
                # from one release to the next.
                self._private += 1
                party = {"id": f"privatperson-{self._private}", "name": public.name}
            elif public.id_kind is IdKind.ORGNR and public.org_number:
                party = {
                    "id": f"SE-ON-{public.org_number}",
                    "name": public.name,
                    "identifier": {
                        "scheme": "SE-ON",
                        "id": public.org_number,
                        "legalName": public.name,
                    },
                }
            else:
                party = {"id": f"vendor-{vendor_id}", "name": public.name}
            party["roles"] = []
            self.by_vendor[vendor_id] = party
        if role not in party["roles"]:
            party["roles"].append(role)
        return {"id": party["id"], "name": party["name"]}

    def all(self) -> list[dict]:
        return [self.buyer, *self.by_vendor.values()]


def _buyer(body: Publisher) -> dict:
    if body.org_number:
        return {
            "id": f"SE-ON-{body.org_number}",
            "name": body.name,
            "identifier": {"scheme": "SE-ON", "id": body.org_number, "legalName": body.name},
            "roles": ["buyer", "payer"],
        }
    return {"id": "buyer", "name": body.name, "roles": ["buyer", "payer"]}


# --- releases ---------------------------------------------------------------------------------


def _transactions(contract: Contract, parties: _Parties, clock: _Clock, payer: dict):
    """The contract's valid invoices as transactions, by date; and the latest change among
    them (for the release's date)."""
    rows = db.session.execute(
        sa.select(
            Invoice.id,
            Invoice.vendor_id,
            Invoice.invoiced_on,
            Invoice.paid_on,
            Invoice.net_amount,
            Invoice.currency,
            Invoice.updated_at,
        )
        .where(Invoice.contract_id == contract.id, Invoice.voided_at.is_(None))
        .order_by(Invoice.invoiced_on, Invoice.id)
    )
    transactions, changed = [], None
    for invoice_id, vendor_id, invoiced_on, paid_on, amount, currency, updated_at in rows:
        transactions.append(
            {
                "id": str(invoice_id),
                "date": clock.start(paid_on or invoiced_on),
                "value": _value(amount, currency),
                "payer": payer,
                "payee": parties.vendor(vendor_id, "payee"),
            }
        )
        changed = updated_at if changed is None else max(changed, updated_at)
    return transactions, changed


def _release(
    contract: Contract, publication: Publication, vendors: dict[int, PublicVendor], clock: _Clock
):
    """One contract as an OCDS release (a ``dict``; amounts are ``Decimal``), bought by
    ``publication``'s publisher."""
    buyer = _buyer(publication.publisher)
    parties = _Parties(buyer, vendors)
    payer = {"id": buyer["id"], "name": buyer["name"]}
    supplier = parties.vendor(contract.vendor_id, "supplier")
    currency = contract.currency
    current = contract_service.current_terms(contract)
    award_id = str(contract.id)
    transactions, invoices_changed = _transactions(contract, parties, clock, payer)
    amendments = [
        _compact(
            {
                "id": str(amendment.id),
                "date": clock.start(amendment.dated_on),
                "rationale": amendment.reason,
                "description": _amendment_description(amendment, currency),
            }
        )
        for amendment in contract.amendments
        if not amendment.is_voided
    ]
    award = _compact(
        {
            "id": award_id,
            "title": contract.title,
            "status": "active",
            "date": clock.start(contract.signed_on),
            "value": _value(contract.ceiling_amount, currency),
            "suppliers": [supplier],
            "contractPeriod": _compact(
                {
                    "startDate": clock.start(contract.starts_on),
                    "endDate": clock.end(contract.ends_on),
                }
            ),
            "items": _hours_item(
                "hours", contract.title, contract.hour_quota, contract.hourly_rate, currency
            ),
        }
    )
    contract_release = _compact(
        {
            "id": contract.reference or str(contract.id),
            "awardID": award_id,
            "title": contract.title,
            "description": contract.purpose,
            "period": _compact(
                {
                    "startDate": clock.start(contract.starts_on),
                    "endDate": clock.end(current.ends_on),
                }
            ),
            "value": _value(current.ceiling_amount, currency),
            "dateSigned": clock.start(contract.signed_on),
            "items": _hours_item(
                "hours", contract.title, current.hour_quota, current.hourly_rate, currency
            ),
            "amendments": amendments,
            "implementation": _compact({"transactions": transactions}),
        }
    )
    changes = [contract.updated_at, *(a.updated_at for a in contract.amendments)]
    if invoices_changed is not None:
        changes.append(invoices_changed)
    changed = max(changes)
    ocid = f"{publication.ocid_prefix}-{contract.id}"
    tags = ["award", "contract"]
    if amendments:
        tags.append("contractAmendment")
    if transactions:
        tags.append("implementation")
    return {
        "ocid": ocid,
        "id": f"{ocid}-{changed.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}",
        "date": utc(changed),
        "tag": tags,
        "initiationType": "tender",
        "language": publication.language,
        "parties": parties.all(),
        "buyer": payer,
        "awards": [award],
        "contracts": [contract_release],
    }


def contract_filters(options: dict) -> contract_service.ContractFilters:
    """The contracts the command's options select (vendor, year, search, import batch)."""
    return contract_service.ContractFilters(
        vendor_id=options.get("vendor"),
        vendor_text=options.get("vendor_q"),
        year=options.get("year"),
        q=options.get("q"),
        batch_id=options.get("batch"),
    )


def releases(options: dict, *, publication: Publication) -> Iterator[dict]:
    """A release per valid contract the options select, oldest first, as ``publication``
    publishes it (buyer, OCID prefix, language, time zone)."""
    clock = _Clock(publication.timezone)
    vendors = public_vendors()
    statement = (
        contract_service.contract_select(contract_filters(options))
        .where(Contract.voided_at.is_(None))
        .order_by(None)
        .order_by(Contract.id)
        .options(selectinload(Contract.amendments))
    )
    for contract in db.session.scalars(statement.execution_options(yield_per=100)):
        yield _release(contract, publication, vendors, clock)


#: The options that select contracts, as the package's address names them.
_SELECTING = ("vendor", "vendor_q", "year", "q", "batch")


def package_uri(options: dict, *, publication: Publication) -> str:
    """The package's ``uri``: the same for the same publisher and selection, whenever asked.

    ``publication``'s package address when set (with the selection as its query string, if
    any); else a name-based UUID (RFC 4122 version 5) of the OCID prefix, the publisher's
    organisation number and the selection, as ``urn:uuid:…``: no clock and no chance in it,
    so a re-export of the same data names itself the same.
    """
    selection = urlencode(
        sorted((k, str(options[k])) for k in _SELECTING if options.get(k) not in (None, ""))
    )
    base = publication.package_uri
    if base:
        return f"{base}?{selection}" if selection else base
    body = publication.publisher
    name = f"{publication.ocid_prefix}/{body.org_number or body.name}/contracts?{selection}"
    return uuid.uuid5(uuid.NAMESPACE_URL, name).urn


def package_head(
    published: dt.datetime, options: dict | None = None, *, publication: Publication
) -> dict:
    """The package's own fields (everything but ``releases``): its address, ``published``
    (UTC), and ``publication``'s publisher and licence address."""
    body = publication.publisher
    head = {
        "uri": package_uri(options or {}, publication=publication),
        "version": OCDS_VERSION,
        "publishedDate": utc(published),
        "publisher": _compact(
            {
                "name": body.name,
                "scheme": "SE-ON" if body.org_number else None,
                "uid": body.org_number or None,
            }
        ),
        "license": publication.licence.url or None,
    }
    return _compact(head)


def write_ocds(stream: BinaryIO, options: dict, *, publication: Publication) -> None:
    """Write the release package of the contracts ``options`` select, as ``publication``
    publishes it, to the binary ``stream`` as UTF-8 JSON, a release at a time.

    Raises:
        click.UsageError: no contract is selected (a package holds at least one release);
            nothing has been written then.
    """
    found = releases(options, publication=publication)
    first = next(found, None)
    if first is None:
        raise click.UsageError("No contract to publish: an OCDS package needs one release.")
    head = to_json(package_head(dt.datetime.now(dt.UTC), options, publication=publication))
    stream.write((head[:-1] + ',"releases":[\n').encode("utf-8"))
    stream.write(to_json(first).encode("utf-8"))
    for item in found:
        stream.write((",\n" + to_json(item)).encode("utf-8"))
    stream.write(b"\n]}\n")
