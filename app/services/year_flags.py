"""A year's flags: what the front page, the balance of a year, its downloads and the feeds
show, read from the contracts' stored flags (:mod:`app.services.flag_store`) and the
vendors' spend without a contract (:func:`app.services.flags.threshold_flags`)."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import Contract
from app.models import InvoiceContractYearSummary
from app.privacy import Audience
from app.services.flag_rules import flag_rules
from app.services.flag_store import flags_of
from app.services.flags import Flag
from app.services.flags import threshold_flags

#: Contracts a year's flags look at: those with the most invoices that year.
FLAGGED_CONTRACTS = 200


def year_flags(year: int, audience: Audience) -> list[tuple[Flag, str, str | None]]:
    """What a year raises, as (flag, currency of its amounts, contract label): the flags of
    the contracts invoiced that year (the ``FLAGGED_CONTRACTS`` with most invoices) that held
    at some time in the year, and the vendors over the direct-award threshold without a
    contract that year."""
    # The contract year summaries hold each contract's valid invoices by year of invoice date.
    summary = InvoiceContractYearSummary
    contract_ids = db.session.scalars(
        sa.select(summary.contract_id)
        .where(summary.date_basis == "invoiced", summary.year == year, summary.contract_id != 0)
        .group_by(summary.contract_id)
        .order_by(sa.func.sum(summary.invoice_count).desc(), summary.contract_id)
        .limit(FLAGGED_CONTRACTS)
    ).all()
    rules = flag_rules()
    contracts = db.session.scalars(
        sa.select(Contract).where(Contract.id.in_(contract_ids)).order_by(Contract.id)
    ).all()
    stored = flags_of(contracts, rules)
    found: list[tuple[Flag, str, str | None]] = [
        (flag, contract.currency, str(contract))
        for contract in contracts
        for flag in stored[contract.id]
        if flag.overlaps(year)
    ]
    found += [(flag, flag.currency, None) for flag in threshold_flags(audience, year=year)]
    return found
