"""Atom feeds of what is new: invoices, contracts, amendments and flags, for the whole body
(``/feed.atom``), one supplier (``/vendors/<id>/feed.atom``) or one contract
(``/contracts/<id>/feed.atom``), so that a reporter can follow a consultant with a feed
reader. Private persons are shown as the public pages show them."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import request
from flask import url_for
from flask_babel import gettext

from app import labels
from app.exporting.atom import Entry
from app.exporting.atom import atom
from app.extensions import db
from app.models import Contract
from app.models import Vendor
from app.services import recent
from app.services.balance import balance_years
from app.services.changes import data_version
from app.services.flag_store import flags_of
from app.services.flags import contract_flags
from app.services.flags import threshold_flags
from app.services.year_flags import year_flags
from app.web.api import audience
from app.web.audience import request_audience
from app.web.filters import money
from app.web.reports import present

bp = Blueprint("feeds", __name__)

MIMETYPE = "application/atom+xml"


def _tag(*parts) -> str:
    host = request.host.split(":")[0] or "insyn"
    return f"tag:{host},2026:insyn:" + ":".join(str(p) for p in parts)


def _link(endpoint: str, **values) -> str:
    return url_for(endpoint, _external=True, **values)


def _record_entry(new: recent.NewRecord) -> Entry:
    record = new.record
    if new.kind == "invoice":
        vendor = audience.vendor_name(record.vendor)
        amount = money(record.net_amount, record.currency)
        title = gettext(
            "Invoice %(number)s from %(vendor)s: %(amount)s",
            number=record.invoice_number,
            vendor=vendor,
            amount=amount,
        )
        summary = gettext(
            "Dated %(date)s; %(net)s excl. VAT, %(vat)s VAT.",
            date=record.invoiced_on.isoformat(),
            net=amount,
            vat=money(record.vat_amount, record.currency),
        )
        if record.description:
            summary += " " + record.description
        if record.is_voided:
            summary += " " + gettext("Voided: %(reason)s", reason=record.void_reason)
        link = _link("invoices.detail", id=record.id)
    elif new.kind == "contract":
        title = gettext(
            "Contract %(contract)s with %(vendor)s",
            contract=str(record),
            vendor=audience.vendor_name(record.vendor),
        )
        summary = gettext(
            "From %(start)s to %(end)s; ceiling %(ceiling)s.",
            start=record.starts_on.isoformat() if record.starts_on else "…",
            end=record.ends_on.isoformat() if record.ends_on else "…",
            ceiling=money(record.ceiling_amount, record.currency)
            if record.ceiling_amount is not None
            else "—",
        )
        link = _link("contracts.detail", id=record.id)
    else:
        contract = record.contract
        title = gettext(
            "Amendment to %(contract)s (%(kind)s), dated %(date)s",
            contract=str(contract),
            kind=str(labels.AMENDMENT_KIND.get(record.kind, record.kind)),
            date=record.dated_on.isoformat(),
        )
        summary = record.reason or ""
        if record.added_amount is not None:
            summary = " ".join(
                filter(
                    None,
                    [
                        gettext(
                            "Ceiling raised by %(amount)s.",
                            amount=money(record.added_amount, contract.currency),
                        ),
                        summary,
                    ],
                )
            )
        link = _link("contracts.detail", id=contract.id) + "#amendments"
    return Entry(_tag(new.kind, record.id), title, new.at, link, summary, new.kind)


def _flag_entries(found) -> list[Entry]:
    entries = []
    for flag, currency, label in found:
        shown = present.show_flag(flag, currency, label)
        since = flag.since or dt.date.today()
        updated = dt.datetime.combine(flag.until or since, dt.time(), tzinfo=dt.UTC)
        link = shown.evidence_url or shown.context_url or url_for("reports.balance_view")
        key = (flag.kind, flag.contract_id or "", flag.vendor_id or "", flag.year or "", since)
        entries.append(
            Entry(
                _tag("flag", *key),
                shown.text,
                updated,
                request.host_url.rstrip("/") + link,
                shown.text,
                "flag",
            )  # fmt: skip
        )
    return entries


def _feed(title: str, page_url: str, records: list, found_flags: list) -> Response:
    entries = [_record_entry(new) for new in records] + _flag_entries(found_flags)
    entries.sort(key=lambda e: e.updated, reverse=True)
    updated = max(
        [e.updated for e in entries] + [data_version().changed_at or dt.datetime.now(dt.UTC)]
    )
    body = atom(
        _tag("feed", request.path),
        title,
        request.base_url,
        page_url,
        current_app.config["PUBLISHER_NAME"],
        updated,
        entries,
    )
    return Response(body, mimetype=MIMETYPE)


@bp.get("/feed.atom")
def index():
    """What is new in the whole body: records, and the latest year's flags."""
    years = balance_years()
    flags = year_flags(years[0], request_audience()) if years else []
    return _feed(
        gettext("Insyn: %(publisher)s", publisher=current_app.config["PUBLISHER_NAME"]),
        _link("main.index"),
        recent.latest(),
        flags,
    )


@bp.get("/vendors/<id:id>/feed.atom")
def vendor(id: int):
    supplier = db.get_or_404(Vendor, id)
    contracts = recent.vendor_contracts(supplier.id)
    stored = flags_of(contracts)
    flags = [
        (flag, contract.currency, str(contract))
        for contract in contracts
        for flag in stored[contract.id]
    ] + [
        (flag, flag.currency, None)
        for flag in threshold_flags(request_audience(), vendor_id=supplier.id)
    ]
    return _feed(
        gettext("Insyn: %(vendor)s", vendor=audience.vendor_name(supplier)),
        _link("vendors.detail", id=supplier.id),
        recent.latest(vendor_id=supplier.id),
        flags,
    )


@bp.get("/contracts/<id:id>/feed.atom")
def contract(id: int):
    agreement = db.get_or_404(Contract, id)
    flags = [(flag, agreement.currency, str(agreement)) for flag in contract_flags(agreement)]
    return _feed(
        gettext("Insyn: %(contract)s", contract=str(agreement)),
        _link("contracts.detail", id=agreement.id),
        recent.latest(contract_id=agreement.id),
        flags,
    )
