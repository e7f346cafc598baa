"""Plausibility: values that parse but cannot be right, refused in one place.

The forms (through the services), the importer (per row, as invalid cells) and any later API
(which calls the same services) all ask these functions. Each takes plain values and the
:class:`Rules` in force, and returns :class:`Problem`\\ s: the field, an English message id
(``N_``, translated where shown) naming the field and the rule, and its parameters.

The rules:

* dates inside a window: from ``EARLIEST_DATE`` to ``YEARS_AHEAD`` years after today for
  what happens (an invoice, a payment, a lecture, a signature, an amendment), and to
  ``CONTRACT_YEARS_AHEAD`` years for the ends of periods (a contract's end, a day rate's);
* a payment never before its invoice;
* currencies from ISO 4217 only: the codes that were legal tender somewhere on or after the
  earliest date, from the Unicode CLDR data that Babel ships (maintained with every CLDR
  release, already installed for the interface's languages; python-stdnum has no currency
  list);
* VAT consistent with a Swedish rate (``VAT_RATES``: 25, 12, 6, 0 %) within ``VAT_TOLERANCE``
  on a SEK invoice, unless the clerk confirms it (foreign invoices carry their own country's
  VAT, or, in the UK transparency files, only the irrecoverable part of it);
* hours never negative, except on a credit note that gives hours back;
* a contract's ceiling and hour quota never below zero after any of its amendments.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from app.money import N_
from app.services.errors import ServiceError

#: The currency whose invoices carry Swedish VAT.
SWEDISH_VAT_CURRENCY = "SEK"


@dataclass(frozen=True)
class Problem:
    """One implausible value: ``field`` is the record's attribute (and the form's field)."""

    field: str
    message: str
    params: dict


class ImplausibleError(ServiceError):
    """A service refused implausible values; ``problems`` holds every one (the message and
    field are the first's)."""

    def __init__(self, problems: list[Problem]) -> None:
        first = problems[0]
        super().__init__(first.message, field=first.field, **first.params)
        self.problems = problems


@dataclass(frozen=True)
class Rules:
    """The settings the rules read, as plain values."""

    earliest: dt.date  #: no date before this
    latest: dt.date  #: no invoice, payment, lecture or signature after this
    latest_term: dt.date  #: no end of a contract period or day rate after this
    vat_rates: tuple[int, ...] = (25, 12, 6, 0)  #: percent
    vat_tolerance: Decimal = Decimal("1.00")  #: kronor either way, for rounding


def rules_from(config: Mapping, today: dt.date) -> Rules:
    """The :class:`Rules` of a configuration mapping (``EARLIEST_DATE`` as ``YYYY-MM-DD``,
    ``YEARS_AHEAD``, ``CONTRACT_YEARS_AHEAD``, ``VAT_RATES``, ``VAT_TOLERANCE``) on ``today``.

    Raises:
        ValueError: a setting is malformed (a configuration error, not a user's).
    """
    earliest = config.get("EARLIEST_DATE", "1990-01-01")
    if not isinstance(earliest, dt.date):
        earliest = dt.date.fromisoformat(str(earliest))
    return Rules(
        earliest=earliest,
        latest=_years_after(today, int(config.get("YEARS_AHEAD", 1))),
        latest_term=_years_after(today, int(config.get("CONTRACT_YEARS_AHEAD", 30))),
        vat_rates=tuple(int(r) for r in config.get("VAT_RATES", (25, 12, 6, 0))),
        vat_tolerance=Decimal(str(config.get("VAT_TOLERANCE", "1.00"))),
    )


def default_rules() -> Rules:
    """The rules with every setting at its default, today: for callers that pass none (tests,
    scripts). The edges (views, API, command line, the import's options) pass the
    deployment's, ``rules_from(app.config, today)``."""
    return rules_from({}, dt.date.today())


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def refuse(problems: list[Problem]) -> None:
    """Raise :class:`ImplausibleError` when there is any problem."""
    if problems:
        raise ImplausibleError(problems)


# --- single values ----------------------------------------------------------------------------


def date_problem(
    field: str, day: dt.date | None, earliest: dt.date, latest: dt.date
) -> Problem | None:
    """``day`` outside ``earliest``–``latest`` (both included)."""
    if day is None or earliest <= day <= latest:
        return None
    return Problem(
        field,
        N_("The date %(date)s is outside the plausible range, %(earliest)s to %(latest)s."),
        {"date": day.isoformat(), "earliest": earliest.isoformat(), "latest": latest.isoformat()},
    )


@functools.cache
def iso_currencies(since: dt.date) -> frozenset[str]:
    """ISO 4217 codes of the currencies that were legal tender in some territory on or after
    ``since`` (CLDR's territory currencies, as Babel ships them)."""
    from babel.core import get_global

    codes = set()
    for periods in get_global("territory_currencies").values():
        for code, _start, end, tender in periods:
            if tender and (end is None or dt.date(*end) >= since):
                codes.add(code)
    return frozenset(codes)


def currency_problem(field: str, code: str | None, since: dt.date) -> Problem | None:
    """``code`` is not an ISO 4217 currency in use on or after ``since``."""
    if code is None or code.upper() in iso_currencies(since):
        return None
    return Problem(
        field,
        N_("%(code)s is not an ISO 4217 currency code (such as SEK, EUR or GBP)."),
        {"code": code},
    )


def negative_problem(field: str, value: Decimal | int | None) -> Problem | None:
    """``value`` is below zero."""
    if value is None or value >= 0:
        return None
    return Problem(field, N_("This cannot be negative."), {})


def vat_problem(
    net: Decimal | None,
    vat: Decimal | None,
    currency: str | None,
    rules: Rules,
    confirmed: bool = False,
) -> Problem | None:
    """VAT on a SEK invoice that is no Swedish rate of ``net`` (within the tolerance), and
    not confirmed by the clerk."""
    if confirmed or net is None or not vat or (currency or "SEK").upper() != SWEDISH_VAT_CURRENCY:
        return None
    if any(abs(vat - net * rate / 100) <= rules.vat_tolerance for rate in rules.vat_rates):
        return None
    return Problem(
        "vat_amount",
        VAT_NOT_A_RATE,
        {"rates": ", ".join(str(r) for r in rules.vat_rates)},
    )


# --- records ------------------------------------------------------------------------------------

#: A payment dated before its invoice: refused unless confirmed as a payment in advance.
PAID_BEFORE_INVOICED = N_("The payment date %(paid)s is before the invoice date %(invoiced)s.")
#: A VAT that is no Swedish rate of a SEK amount (see :func:`vat_problem`).
VAT_NOT_A_RATE = N_(
    "The VAT is not %(rates)s %% of the amount excl. VAT. Correct it, or confirm that "
    "the invoice says so."
)


def invoice_problems(
    *,
    invoiced_on: dt.date | None,
    paid_on: dt.date | None,
    net_amount: Decimal | None,
    vat_amount: Decimal | None,
    currency: str | None,
    hours: Decimal | None,
    rules: Rules,
    vat_confirmed: bool = False,
    paid_in_advance: bool = False,
) -> list[Problem]:
    """Everything implausible about an invoice's values (amounts excl. VAT and VAT in its
    currency; hours as billed). ``vat_confirmed``: the clerk (or, for an import, the person
    importing) confirmed a VAT that is no Swedish rate; ``paid_in_advance``: likewise a
    payment dated before its invoice (a prepayment, as real ledgers hold)."""
    found = [
        date_problem("invoiced_on", invoiced_on, rules.earliest, rules.latest),
        date_problem("paid_on", paid_on, rules.earliest, rules.latest),
        currency_problem("currency", currency, rules.earliest),
        vat_problem(net_amount, vat_amount, currency, rules, vat_confirmed),
    ]
    if invoiced_on and paid_on and paid_on < invoiced_on and not paid_in_advance:
        found.append(
            Problem(
                "paid_on",
                PAID_BEFORE_INVOICED,
                {"paid": paid_on.isoformat(), "invoiced": invoiced_on.isoformat()},
            )
        )
    # A credit note may give hours back; anything else bills hours, never minus hours.
    if not (net_amount is not None and net_amount < 0):
        found.append(negative_problem("hours", hours))
    return [p for p in found if p is not None]


def contract_problems(
    *,
    signed_on: dt.date | None,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    currency: str | None,
    rules: Rules,
) -> list[Problem]:
    """Dates and currency of a contract's original terms (its amounts: :func:`terms_problems`)."""
    found = [
        date_problem("signed_on", signed_on, rules.earliest, rules.latest),
        date_problem("starts_on", starts_on, rules.earliest, rules.latest_term),
        date_problem("ends_on", ends_on, rules.earliest, rules.latest_term),
        currency_problem("currency", currency, rules.earliest),
    ]
    return [p for p in found if p is not None]


def amendment_problems(
    *, dated_on: dt.date | None, new_ends_on: dt.date | None, rules: Rules
) -> list[Problem]:
    """The dates of an amendment."""
    found = [
        date_problem("dated_on", dated_on, rules.earliest, rules.latest),
        date_problem("new_ends_on", new_ends_on, rules.earliest, rules.latest_term),
    ]
    return [p for p in found if p is not None]


def terms_problems(
    steps: Iterable[tuple[dt.date | None, Decimal | None, Decimal | None]],
    ceiling_field: str = "added_amount",
    hours_field: str = "added_hours",
) -> list[Problem]:
    """A contract's terms over time, ``(effective from, ceiling, hour quota)`` with the
    original first: the ceiling or the hour quota below zero from any of them on. The fields
    name where the problem shows: an amendment's (the default) or the contract's own."""
    steps = list(steps)
    checks = (
        (1, ceiling_field, N_("The ceiling would be below zero from %(date)s.")),
        (2, hours_field, N_("The hour quota would be below zero from %(date)s.")),
    )
    found = []
    for index, field, message in checks:
        for step in steps:
            value = step[index]
            if value is not None and value < 0:
                when = step[0].isoformat() if step[0] else "…"
                found.append(Problem(field, message, {"date": when}))
                break
    return found


def engagement_problems(
    *,
    first_day: dt.date | None,
    last_day: dt.date | None,
    paid_on: dt.date | None,
    rules: Rules,
) -> list[Problem]:
    """The dates of a lecture and of its payment (a last day that is the first is not named
    twice)."""
    found = [
        date_problem("first_day", first_day, rules.earliest, rules.latest),
        None
        if last_day == first_day
        else date_problem("last_day", last_day, rules.earliest, rules.latest),
        date_problem("paid_on", paid_on, rules.earliest, rules.latest),
    ]
    return [p for p in found if p is not None]


def rate_card_problems(
    *,
    valid_from: dt.date | None,
    valid_to: dt.date | None,
    currency: str | None,
    rules: Rules,
) -> list[Problem]:
    """A day rate's period and currency."""
    found = [
        date_problem("valid_from", valid_from, rules.earliest, rules.latest_term),
        date_problem("valid_to", valid_to, rules.earliest, rules.latest_term),
        currency_problem("currency", currency, rules.earliest),
    ]
    return [p for p in found if p is not None]
