"""One search box over everything: vendors (name, other spellings, organisation number),
contracts (registry number, title, purpose), invoices (number, description) and fee income
(organiser, topic, speaker), each with its sums computed by the database."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.models import Contract
from app.models import InvoiceYearSummary
from app.models import Vendor
from app.privacy import Audience
from app.services.contracts import ContractFilters
from app.services.contracts import contract_select
from app.services.counting import count_rows
from app.services.income import EngagementFilters
from app.services.income import engagement_totals
from app.services.invoice_filters import InvoiceFilters
from app.services.invoices import CurrencyTotal
from app.services.invoices import invoice_totals
from app.services.vendors import VendorFilters
from app.services.vendors import vendor_select
from app.text import clean_text

#: Records of each kind listed on the page; the rest are a link away.
SHOWN = 20
#: Longer searches are cut to this many characters.
MAX_QUERY = 200


@dataclass
class VendorHit:
    vendor: Vendor
    totals: list[tuple[str, Decimal, int]]  #: (currency, excl. VAT, invoices), valid ones


@dataclass
class SearchResult:
    """What matched ``q``. Counts are of all matches; the lists hold the first ``SHOWN``."""

    q: str
    vendors: list[VendorHit] = field(default_factory=list)
    vendor_count: int = 0
    contracts: list[Contract] = field(default_factory=list)
    contract_count: int = 0
    #: Invoices whose number or description holds the text, per currency.
    invoices: list[CurrencyTotal] = field(default_factory=list)
    #: Invoices of the vendors found, per currency.
    vendor_invoices: list[CurrencyTotal] = field(default_factory=list)
    #: Fee income whose organiser, topic or speaker holds the text: (currency, fees, days, n).
    income: list[tuple[str, Decimal, int, int]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.vendor_count or self.contract_count or self.invoices or self.income)


def search_everything(q: str | None, audience: Audience) -> SearchResult | None:
    """Everything matching ``q`` (cleaned, at most ``MAX_QUERY`` characters) that ``audience``
    may find (the public never finds a private person by name or number); ``None`` for an
    empty search."""
    text = (clean_text(q or "") or "")[:MAX_QUERY].strip()
    if not text:
        return None
    result = SearchResult(q=text)
    vendors = vendor_select(VendorFilters(q=text, audience=audience))
    result.vendor_count = count_rows(vendors)
    shown = list(db.session.scalars(vendors.limit(SHOWN)))
    totals = _vendor_totals([v.id for v in shown])
    result.vendors = [VendorHit(v, totals.get(v.id, [])) for v in shown]
    # Voided contracts are out of the search, as voided invoices and engagements are.
    contracts = contract_select(ContractFilters(q=text, status="active", audience=audience))
    result.contract_count = count_rows(contracts)
    result.contracts = list(db.session.scalars(contracts.limit(SHOWN)))
    result.invoices = invoice_totals(InvoiceFilters(q=text, status="active", audience=audience))
    if result.vendor_count:
        result.vendor_invoices = invoice_totals(
            InvoiceFilters(vendor_text=text, status="active", audience=audience)
        )
    result.income = engagement_totals(EngagementFilters(q=text, audience=audience))
    return result


def _vendor_totals(ids: list[int]) -> dict[int, list[tuple[str, Decimal, int]]]:
    if not ids:
        return {}
    # From the year summaries: every valid invoice is in one row by its invoice date.
    summary = InvoiceYearSummary
    rows = db.session.execute(
        sa.select(
            summary.vendor_id,
            summary.currency,
            sa.func.sum(summary.net_amount),
            sa.func.sum(summary.invoice_count),
        )
        .where(summary.date_basis == "invoiced", summary.vendor_id.in_(ids))
        .group_by(summary.vendor_id, summary.currency)
        .order_by(summary.vendor_id, summary.currency)
    )
    found: dict[int, list[tuple[str, Decimal, int]]] = {}
    for vendor_id, currency, amount, count in rows:
        found.setdefault(vendor_id, []).append((currency, amount, int(count)))
    return found
