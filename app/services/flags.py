"""Flags: what an auditor should look at, each explained in a sentence with its evidence.

* invoiced beyond a contract's ceiling, or its hour quota, given the terms in force on each
  invoice's date (an amendment that raises the ceiling clears the flag from its date);
* invoices dated outside the contract's period;
* hourly rates billed above the contract's rate;
* amendments that raised the ceiling by more than a review share of the original value
  (amendment inflation; the share an administrator keeps, :mod:`app.services.flag_rules`);
* direct awards whose ceiling, or invoiced amount, passed the direct-award threshold;
* vendors without a contract whose yearly spend passes the direct-award threshold.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.models import Contract
from app.models import DirectAwardThreshold
from app.models import Invoice
from app.models import InvoiceContractYearSummary
from app.models import ProcurementBasis
from app.models import Vendor
from app.money import N_
from app.money import Nn_
from app.privacy import Audience
from app.privacy import hidden_name
from app.privacy import public_vendor_name
from app.services.burndown import Burndown
from app.services.burndown import burndown
from app.services.evidence import SelectedEvidence
from app.services.flag_rules import FlagRules
from app.services.flag_rules import flag_rules
from app.services.flag_rules import plain_percent
from app.services.thresholds import threshold_for
from app.services.thresholds import threshold_on
from app.services.thresholds import thresholds

ZERO = Decimal("0.00")
#: A billed rate this much above the contract's is a rounding matter, not a flag.
RATE_TOLERANCE = Decimal("0.01")


@dataclass
class Flag:
    """One finding.

    Attributes:
        kind: "ceiling", "hours", "period", "rate", "amendments", "direct_award" or
            "threshold".
        message: English msgid (``N_``), translated where shown, with ``params``.
        plural: its plural form (``Nn_``), when the sentence counts ``params["count"]``
            (translated with ``ngettext``: "1 faktura", "2 fakturor").
        invoice_ids: the evidence.
        since, until: when it held (``until`` is None while it still holds).
        cleared_by: what ended it: "amendment", or "credit_note" for a limit flag whose total
            a credit note brought back within the limit.
    """

    kind: str
    message: str
    params: dict
    invoice_ids: list[int] = field(default_factory=list)
    since: dt.date | None = None
    until: dt.date | None = None
    contract_id: int | None = None
    vendor_id: int | None = None
    year: int | None = None
    cleared_by: str | None = None
    plural: str | None = None
    #: The currency of the flag's amounts, when it is not the contract's (a vendor's flag).
    currency: str | None = None

    @property
    def is_current(self) -> bool:
        return self.until is None

    def overlaps(self, year: int) -> bool:
        """Whether the flag held at some time in ``year`` (a vendor's yearly flag: in its
        year; a contract's: from ``since`` until, not including, ``until``)."""
        if self.year is not None:
            return self.year == year
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        started = self.since is None or self.since <= last
        return started and (self.until is None or self.until > first)


def contract_flags(
    contract: Contract, progress: Burndown | None = None, rules: FlagRules | None = None
) -> list[Flag]:
    """Everything a contract's invoices raise. ``rules`` are the direct-award thresholds and
    the amendment review share (:func:`app.services.flag_rules.flag_rules`), read here when
    not given: a caller going through many contracts reads them once."""
    if contract.is_voided:
        return []  # a voided contract counts in no flag
    progress = progress or burndown(contract)
    rules = flag_rules() if rules is None else rules
    flags = _limit_flags(progress, "ceiling") + _limit_flags(progress, "hours")
    flags += _period_flags(progress) + _rate_flags(progress)
    flags += _amendment_flags(progress, rules.review_percent)
    flags += _direct_award_flags(progress, rules.thresholds)
    for flag in flags:
        flag.contract_id = contract.id
        flag.vendor_id = contract.vendor_id
    return flags


def _limit_flags(progress: Burndown, kind: str) -> list[Flag]:
    """Periods during which the cumulative invoiced amount (or hours) stood above the limit
    in force. Each opens on the invoice that went over, or on an amendment that lowered the
    limit below what was already invoiced, and closes on the amendment that raised the limit
    above the total or on the credit note that brought the total back within it (or stays
    open). The evidence is the invoices beyond the limit; an hour flag cites only invoices
    that bill hours."""
    limit_of = (lambda t: t.ceiling_amount) if kind == "ceiling" else (lambda t: t.hour_quota)
    total_of = (
        (lambda s: s.cumulative_amount) if kind == "ceiling" else (lambda s: s.cumulative_hours)
    )
    steps = [s for s in progress.steps if kind == "ceiling" or s.hours]
    # Amendments that change the limit, as dated events between the invoices.
    raises = [
        (t.effective_on, limit_of(t)) for t in progress.terms[1:] if t.effective_on is not None
    ]
    flags: list[Flag] = []
    open_flag: Flag | None = None
    total = ZERO
    seen: list = []
    events = sorted(
        [(s.invoiced_on, 1, s) for s in steps] + [(day, 0, limit) for day, limit in raises],
        key=lambda e: (e[0], e[1]),
    )
    limit = limit_of(progress.terms[0])

    def opened(day: dt.date) -> Flag:
        message = (
            N_("Invoiced %(total)s against a ceiling of %(limit)s in force on %(date)s.")
            if kind == "ceiling"
            else N_("Billed %(total)s hours against a quota of %(limit)s in force on %(date)s.")
        )
        flag = Flag(
            kind, message, {"total": total, "limit": limit, "date": day.isoformat()}, since=day
        )
        flags.append(flag)
        return flag

    for day, is_invoice, item in events:
        if not is_invoice:
            limit = item
            if open_flag and (limit is None or total <= limit):
                open_flag.until, open_flag.cleared_by = day, "amendment"
                open_flag = None
            elif open_flag is None and limit is not None and total > limit:
                # Lowered below what was invoiced: over from the amendment's day.
                open_flag = opened(day)
                open_flag.invoice_ids = [s.invoice_id for s in seen if total_of(s) > limit]
            continue
        seen.append(item)
        total = total_of(item)
        if limit is None:
            continue
        if total > limit:
            if open_flag is None:
                open_flag = opened(day)
            open_flag.invoice_ids.append(item.invoice_id)
            open_flag.params["total"] = total
        elif open_flag is not None:
            open_flag.until, open_flag.cleared_by = day, "credit_note"
            open_flag = None
    return flags


def _period_flags(progress: Burndown) -> list[Flag]:
    contract = progress.contract
    start, end = contract.starts_on, progress.current.ends_on
    outside = [
        s
        for s in progress.steps
        if (start and s.invoiced_on < start) or (end and s.invoiced_on > end)
    ]
    if not outside:
        return []
    singular, plural = PERIOD_MESSAGE
    return [
        Flag(
            "period",
            singular,
            {
                "count": len(outside),
                "start": start.isoformat() if start else "…",
                "end": end.isoformat() if end else "…",
            },
            invoice_ids=[s.invoice_id for s in outside],
            since=outside[0].invoiced_on,
            plural=plural,
        )
    ]


PERIOD_MESSAGE = Nn_(
    "%(count)s invoice is dated outside the contract's period, %(start)s to %(end)s.",
    "%(count)s invoices are dated outside the contract's period, %(start)s to %(end)s.",
)
RATE_MESSAGE = Nn_(
    "%(count)s invoice bills more per hour than the contract's rate: %(billed)s against %(rate)s.",
    "%(count)s invoices bill more per hour than the contract's rate: up to %(billed)s against "
    "%(rate)s.",
)


def _rate_flags(progress: Burndown) -> list[Flag]:
    high = []
    for step in progress.steps:
        rate = step.terms.hourly_rate
        if rate is None or not step.hours or step.hours <= 0 or step.amount <= 0:
            continue
        billed = (step.amount / step.hours).quantize(Decimal("0.01"))
        if billed > rate + RATE_TOLERANCE:
            high.append((step, billed, rate))
    if not high:
        return []
    worst = max(high, key=lambda h: h[1] - h[2])
    singular, plural = RATE_MESSAGE
    return [
        Flag(
            "rate",
            singular,
            {"count": len(high), "billed": worst[1], "rate": worst[2]},
            invoice_ids=[h[0].invoice_id for h in high],
            since=high[0][0].invoiced_on,
            plural=plural,
        )
    ]


def _amendment_flags(progress: Burndown, review_percent: Decimal) -> list[Flag]:
    """Amendment inflation: the ceiling raised by more than ``review_percent`` (the review
    share, in percent) of the original. The flag opens on the amendment that passed the
    share, closes on one that brought the ceiling back under it, and cites the invoices
    beyond the original ceiling: the money the amendments made room for."""
    original = progress.terms[0].ceiling_amount
    if not original:
        return []
    bound = original * (1 + review_percent / 100)
    flags: list[Flag] = []
    open_flag: Flag | None = None
    for terms in progress.terms[1:]:
        ceiling = terms.ceiling_amount
        if terms.effective_on is None:
            continue
        if ceiling is not None and ceiling > bound:
            percent = int(((ceiling - original) * 100 / original).to_integral_value())
            if open_flag is None:
                open_flag = Flag(
                    "amendments",
                    N_(
                        "Amendments raised the ceiling from %(original)s to %(ceiling)s, "
                        "%(percent)s %% above the original value (flagged above %(share)s %%)."
                    ),
                    {"original": original, "share": plain_percent(review_percent)},
                    since=terms.effective_on,
                )
                flags.append(open_flag)
            open_flag.params.update(ceiling=ceiling, percent=percent)
        elif open_flag is not None:
            open_flag.until, open_flag.cleared_by = terms.effective_on, "amendment"
            open_flag = None
    for flag in flags:
        flag.invoice_ids = [s.invoice_id for s in progress.steps if s.cumulative_amount > original]
    return flags


DIRECT_AWARD_CEILING = N_(
    "A direct award whose ceiling reached %(ceiling)s on %(date)s, above the direct-award "
    "threshold of %(limit)s in force from %(since)s."
)
DIRECT_AWARD_CEILING_EXAMPLE = N_(
    "A direct award whose ceiling reached %(ceiling)s on %(date)s, above the direct-award "
    "threshold of %(limit)s from %(since)s: an example value, to be checked against the law."
)
DIRECT_AWARD_INVOICED = N_(
    "A direct award invoiced %(total)s by %(date)s, above the direct-award threshold of "
    "%(limit)s in force from %(since)s."
)
DIRECT_AWARD_INVOICED_EXAMPLE = N_(
    "A direct award invoiced %(total)s by %(date)s, above the direct-award threshold of "
    "%(limit)s from %(since)s: an example value, to be checked against the law."
)


def _direct_award_flags(progress: Burndown, known: Sequence[DirectAwardThreshold]) -> list[Flag]:
    """A contract procured by direct award whose value outgrew the direct-award threshold:
    its ceiling (original, or after an amendment) above the threshold in force on the day
    those terms took effect, or, short of that, its invoices adding up to more than the
    threshold in force on the invoice that passed it. Cites the invoices beyond the
    threshold."""
    contract = progress.contract
    if contract.procurement_basis != ProcurementBasis.DIRECT_AWARD or not known:
        return []

    def in_force(day: dt.date | None):
        limit = threshold_on(day, known) if day else None
        return limit if limit is not None and limit.currency == contract.currency else None

    for terms in progress.terms:
        day = terms.effective_on or contract.signed_on or contract.starts_on
        limit = in_force(day)
        if limit is None or terms.ceiling_amount is None or terms.ceiling_amount <= limit.amount:
            continue
        message = DIRECT_AWARD_CEILING_EXAMPLE if limit.is_example else DIRECT_AWARD_CEILING
        params = {"ceiling": terms.ceiling_amount, "date": day.isoformat()}
        return [_direct_award_flag(progress, message, params, limit, day)]
    for step in progress.steps:
        limit = in_force(step.invoiced_on)
        if limit is not None and step.cumulative_amount > limit.amount:
            message = DIRECT_AWARD_INVOICED_EXAMPLE if limit.is_example else DIRECT_AWARD_INVOICED
            params = {
                "total": progress.invoiced,
                "date": progress.steps[-1].invoiced_on.isoformat(),
            }
            return [_direct_award_flag(progress, message, params, limit, step.invoiced_on)]
    return []


def _direct_award_flag(progress: Burndown, message: str, params: dict, limit, since) -> Flag:
    params |= {"limit": limit.amount, "since": limit.valid_from.isoformat()}
    evidence = [s.invoice_id for s in progress.steps if s.cumulative_amount > limit.amount]
    return Flag("direct_award", message, params, invoice_ids=evidence, since=since)


# --- spend without a contract ---------------------------------------------------------------


THRESHOLD_MESSAGE = Nn_(
    "%(count)s invoice without a contract in %(year)s comes to %(total)s, above the "
    "direct-award threshold of %(limit)s in force from %(since)s.",
    "%(count)s invoices without a contract in %(year)s add up to %(total)s, above the "
    "direct-award threshold of %(limit)s in force from %(since)s.",
)
THRESHOLD_EXAMPLE_MESSAGE = Nn_(
    "%(count)s invoice without a contract in %(year)s comes to %(total)s, above the "
    "direct-award threshold of %(limit)s from %(since)s: an example value, to be checked "
    "against the law.",
    "%(count)s invoices without a contract in %(year)s add up to %(total)s, above the "
    "direct-award threshold of %(limit)s from %(since)s: an example value, to be checked "
    "against the law.",
)


def threshold_flags(
    audience: Audience, year: int | None = None, vendor_id: int | None = None
) -> list[Flag]:
    """Vendors whose invoices without a contract in one year (by invoice date) add up to more
    than the direct-award threshold in force that year, each named as ``audience`` may see
    it. Each flag holds from the invoice on which the year's running sum passed the threshold
    and cites all those invoices. The sums are computed in SQL."""
    known = thresholds()
    if not known:
        return []
    # Read from the contract year summaries: the valid invoices by invoice date, those under
    # no contract kept apart (contract 0).
    summary = InvoiceContractYearSummary
    query = (
        sa.select(
            summary.vendor_id,
            summary.year,
            summary.currency,
            sa.func.sum(summary.net_amount),
            sa.func.sum(summary.invoice_count),
        )
        .where(summary.date_basis == "invoiced", summary.contract_id == 0)
        .group_by(summary.vendor_id, summary.year, summary.currency)
    )
    if year:
        query = query.where(summary.year == year)
    if vendor_id:
        query = query.where(summary.vendor_id == vendor_id)
    flags = []
    for vendor, invoice_year, currency, total, count in db.session.execute(query):
        count = int(count)
        limit = threshold_for(int(invoice_year), known)
        if limit is None or limit.currency != currency or total <= limit.amount:
            continue
        singular, plural = THRESHOLD_EXAMPLE_MESSAGE if limit.is_example else THRESHOLD_MESSAGE
        params = {
            "count": count,
            "year": int(invoice_year),
            "total": total,
            "limit": limit.amount,
            "since": limit.valid_from.isoformat(),
        }
        scope = (vendor, int(invoice_year), currency)
        flag = ThresholdFlag(
            "threshold",
            singular,
            params,
            # All the year's invoices without a contract: the summary counted them.
            invoice_ids=SelectedEvidence(count, functools.partial(_without_contract, *scope)),
            vendor_id=vendor,
            year=int(invoice_year),
            plural=plural,
        )
        flag.currency = currency
        flags.append(flag)
    ids = {f.vendor_id for f in flags}
    if ids:
        query = sa.select(Vendor.id, Vendor.name, Vendor.is_private_person).where(
            Vendor.id.in_(ids)
        )
        names = {
            vendor_id: (name, private) for vendor_id, name, private in db.session.execute(query)
        }
        hidden = hidden_name(audience)
        for flag in flags:
            name, private = names.get(flag.vendor_id, ("", False))
            flag.params["vendor"] = public_vendor_name(name, private, hidden)
    return sorted(flags, key=lambda f: (f.year, f.params.get("vendor", "")))


class ThresholdFlag(Flag):
    """A vendor's flag for spend without a contract, whose ``since`` (the invoice on which
    the year's running sum passed the threshold) is looked for only when asked: a large
    body's year raises a thousand of them, and a page shows a few."""

    _since: dt.date | None = None
    _looked = False

    @property  # type: ignore[override]
    def since(self) -> dt.date | None:
        if not self._looked:
            where = _without_contract(self.vendor_id, self.year, self.currency)
            self._since, self._looked = _passed_on(where, self.params["limit"]), True
        return self._since

    @since.setter
    def since(self, value: dt.date | None) -> None:
        self._since, self._looked = value, value is not None


def _without_contract(vendor_id: int, year: int, currency: str) -> tuple:
    """The vendor's invoices without a contract in ``year`` (by invoice date) in
    ``currency`` (with the valid ones, a threshold flag's evidence)."""
    return (
        Invoice.vendor_id == vendor_id,
        Invoice.contract_id.is_(None),
        Invoice.currency == currency,
        Invoice.invoiced_on.between(dt.date(year, 1, 1), dt.date(year, 12, 31)),
    )


#: Invoices read at first when looking for the one on which a running sum passed a limit
#: (a large vendor passes the threshold early in the year); each further read doubles it.
FIRST_READ = 200


def _passed_on(where: tuple, limit: Decimal) -> dt.date | None:
    """The date of the first valid invoice matching ``where``, in (date, id) order, on which
    their running sum passed ``limit``: read from the start, a growing batch at a time, so a
    large vendor's year is not read whole."""
    order = (Invoice.invoiced_on, Invoice.id)
    so_far = ZERO
    after: tuple | None = None
    size = FIRST_READ
    while True:
        query = (
            sa.select(Invoice.invoiced_on, Invoice.id, Invoice.net_amount)
            .where(Invoice.voided_at.is_(None), *where)
            .order_by(*order)
            .limit(size)
        )
        if after is not None:
            query = query.where(sa.tuple_(*order) > sa.tuple_(*after))
        rows = db.session.execute(query).all()
        for day, invoice_id, amount in rows:
            so_far += amount
            if so_far > limit:
                return day
            after = (day, invoice_id)
        if len(rows) < size:
            return None  # not passed (the summary and the invoices disagree)
        size *= 2
