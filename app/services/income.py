"""Lecture-fee income: rate cards (the day rate over time) and engagements priced by them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.identifiers import normalise_org_id
from app.models import Engagement
from app.models import RateCard
from app.money import N_
from app.money import to_money
from app.privacy import Audience
from app.privacy import is_private_person
from app.services import fulltext
from app.services import plausibility
from app.services import voiding
from app.services.conflicts import check_version
from app.services.errors import ServiceError
from app.services.keyset import Key
from app.services.keyset import column_key
from app.services.keyset import order_by
from app.services.provenance import set_provenance
from app.text import clean_text

#: Sortable columns of the engagement list.
SORTS = {
    "first_day": Engagement.first_day,
    "organiser": Engagement.organiser_name,
    "fee": Engagement.fee_amount,
    "paid_on": Engagement.paid_on,
}


def started_days(first_day: dt.date, last_day: dt.date) -> int:
    """Every calendar day from ``first_day`` to ``last_day`` counts once: the 3rd to the 4th
    is 2 started days, a two-hour talk 1.

    Raises:
        ServiceError: ``last_day`` is before ``first_day``.
    """
    if last_day < first_day:
        raise ServiceError(N_("The last day cannot be before the first."), field="last_day")
    return (last_day - first_day).days + 1


# --- rate cards ------------------------------------------------------------------------------


def rate_cards():
    """All rate cards, voided ones too (shown struck through), newest period first."""
    return sa.select(RateCard).order_by(
        RateCard.valid_from.desc(), RateCard.voided_at.is_not(None), RateCard.id.desc()
    )


def rate_card_on(day: dt.date) -> RateCard | None:
    """The valid rate card in force on ``day`` (both ends of a period included), or ``None``."""
    return db.session.scalar(
        sa.select(RateCard).where(
            RateCard.valid_from <= day,
            sa.or_(RateCard.valid_to.is_(None), RateCard.valid_to >= day),
            RateCard.voided_at.is_(None),
        )
    )


def create_rate_card(data: dict) -> RateCard:
    """Add a day rate for a period.

    Args:
        data: ``valid_from`` (date), ``day_rate`` (``Decimal`` per started day); optionally
            ``valid_to`` (inclusive; empty for open-ended), ``currency``, ``basis``.

    Raises:
        ServiceError: the period overlaps another card's (the message names it), or the
            rate is negative.
    """
    card = RateCard()
    _apply_rate_card(card, data)
    db.session.add(card)
    db.session.flush()
    reprice_engagements()
    return card


def update_rate_card(card: RateCard, data: dict) -> RateCard:
    """Change a rate card; engagements priced by the card table follow the new rate.

    Raises:
        ServiceError: as :func:`create_rate_card`, or an engagement would be left without a
            rate in force on its first day, or the card is voided.
    """
    voiding.refuse_if_voided(card)
    check_version(card, data)
    _apply_rate_card(card, data)
    db.session.flush()
    reprice_engagements()
    return card


def void_rate_card(card: RateCard, reason: str, version: int | str | None = None) -> RateCard:
    """Void a day rate entered by mistake: it stays in the list, struck through, and prices
    nothing from now on; the engagements it priced take the rate now in force on their first
    day.

    Raises:
        ServiceError: no reason, already voided, or an engagement would be left without a
            rate (add the right rate first); ``VersionConflict``.
    """
    voiding.void(card, reason, version)
    reprice_engagements()
    return card


def restore_rate_card(card: RateCard, version: int | str | None = None) -> RateCard:
    """Let a voided day rate price engagements again.

    Raises:
        ServiceError: not voided, or its period overlaps a valid card's; ``VersionConflict``.
    """
    _refuse_overlap(card, card.valid_from, card.valid_to)
    voiding.restore(card, version)
    reprice_engagements()
    return card


def _apply_rate_card(card: RateCard, data: dict) -> None:
    valid_from, valid_to = data.get("valid_from"), data.get("valid_to")
    if not valid_from:
        raise ServiceError(N_("Give the first day the rate applies."), field="valid_from")
    if valid_to and valid_to < valid_from:
        raise ServiceError(N_("The period cannot end before it starts."), field="valid_to")
    rate = data.get("day_rate")
    if rate is None:
        raise ServiceError(N_("Give the day rate."), field="day_rate")
    if rate < 0:
        raise ServiceError(N_("This cannot be negative."), field="day_rate")
    currency = (data.get("currency") or "SEK").upper()
    plausibility.refuse(
        plausibility.rate_card_problems(
            valid_from=valid_from,
            valid_to=valid_to,
            currency=currency,
            rules=data.get("rules") or plausibility.default_rules(),
        )
    )
    _refuse_overlap(card, valid_from, valid_to)
    card.valid_from = valid_from
    card.valid_to = valid_to
    card.day_rate = to_money(rate)
    card.currency = currency
    card.basis = (data.get("basis") or "").strip() or None


def _refuse_overlap(card: RateCard, valid_from: dt.date, valid_to: dt.date | None) -> None:
    """Refuse a period that overlaps another valid card's (the message names it)."""
    overlap = db.session.scalar(
        sa.select(RateCard)
        .where(
            RateCard.id != (card.id or -1),
            RateCard.voided_at.is_(None),
            sa.or_(RateCard.valid_to.is_(None), RateCard.valid_to >= valid_from),
            sa.true() if valid_to is None else RateCard.valid_from <= valid_to,
        )
        .order_by(RateCard.valid_from)
        .limit(1)
    )
    if overlap is not None:
        if overlap.valid_to is None:
            raise ServiceError(
                N_(
                    "The rate from %(start)s has no end date and covers this period; give it an "
                    "end date first."
                ),
                field="valid_from",
                start=overlap.valid_from.isoformat(),
            )
        raise ServiceError(
            N_("The period overlaps the rate from %(start)s to %(end)s."),
            field="valid_from",
            start=overlap.valid_from.isoformat(),
            end=overlap.valid_to.isoformat(),
        )


def reprice_engagements() -> int:
    """Point every valid engagement priced by the rate table at the card now in force on its
    first day, and recompute its fee. Returns how many changed. (A voided engagement keeps
    the price it had; restoring it prices it again.)

    Raises:
        ServiceError: an engagement would have no rate in force on its first day.
    """
    changed = 0
    priced = db.session.scalars(
        sa.select(Engagement).where(
            Engagement.rate_override_reason.is_(None), Engagement.voided_at.is_(None)
        )
    )
    for engagement in priced:
        card = rate_card_on(engagement.first_day)
        if card is None:
            raise ServiceError(
                N_("The engagement on %(day)s (%(organiser)s) would have no day rate in force."),
                day=engagement.first_day.isoformat(),
                organiser=engagement.organiser_name,
            )
        if engagement.rate_card_id != card.id or engagement.day_rate != card.day_rate:
            engagement.rate_card = card
            _price(engagement, card.day_rate, card.currency)
            changed += 1
    db.session.flush()
    return changed


# --- engagements -----------------------------------------------------------------------------


@dataclass(frozen=True)
class EngagementFilters:
    year: int | None = None  #: by first day
    q: str | None = None  #: part of the organiser, topic or speaker
    batch_id: int | None = None  #: imported by this batch
    status: str = "active"  #: "active" (not voided: the default), "voided" or "all"
    #: Who is reading: the public cannot find a private organiser by name or number.
    audience: Audience = Audience.PUBLIC


def engagement_select(filters: EngagementFilters, sort: str = "first_day", descending: bool = True):
    """Engagements matching ``filters``, ordered by ``sort``."""
    query = sa.select(Engagement)
    if filters.year:
        query = query.where(
            Engagement.first_day.between(dt.date(filters.year, 1, 1), dt.date(filters.year, 12, 31))
        )
    if filters.batch_id:
        query = query.where(Engagement.import_batch_id == filters.batch_id)
    if filters.status == "active":
        query = query.where(Engagement.voided_at.is_(None))
    elif filters.status == "voided":
        query = query.where(Engagement.voided_at.is_not(None))
    if filters.q:
        like = f"%{filters.q.strip().lower()}%"
        organiser = sa.or_(
            sa.func.lower(Engagement.organiser_name).like(like),
            Engagement.organiser_org_number.like(like),
            fulltext.matches(fulltext.ORGANISERS, filters.q),
        )
        if not filters.audience.sees_personal_data:
            organiser = sa.and_(organiser, Engagement.organiser_is_private.is_(False))
        query = query.where(
            sa.or_(
                organiser,
                sa.func.lower(Engagement.topic).like(like),
                sa.func.lower(Engagement.speaker).like(like),
                fulltext.matches(fulltext.TOPICS, filters.q),
            )
        )
    return query.order_by(*order_by(engagement_keys(filters, sort, descending)))


def engagement_keys(
    filters: EngagementFilters, sort: str = "first_day", descending: bool = True
) -> list[Key]:
    """The engagement list's order: ``sort`` (a key of ``SORTS``; empty values last), then
    the id the same way."""
    column = SORTS.get(sort, Engagement.first_day)
    keys = [column_key(column, descending), Key(Engagement.id, descending)]
    if column is Engagement.organiser_name and not filters.audience.sees_personal_data:
        # Private organisers are listed as "Privatperson", together: a place among the names
        # would hint at the name.
        keys.insert(0, Key(Engagement.organiser_is_private))
    return keys


def engagement_totals(filters: EngagementFilters) -> list[tuple[str, Decimal, int, int]]:
    """Fee income of the engagements matching ``filters``: (currency, fees, started days,
    count) per currency. Travel paid by organisers is not income and is not in the sum."""
    # Withdrawn engagements (an undone import) are no income.
    query = (
        engagement_select(filters).where(Engagement.voided_at.is_(None)).order_by(None).subquery()
    )
    rows = db.session.execute(
        sa.select(
            query.c.currency,
            sa.func.sum(query.c.fee_amount),
            sa.func.sum(query.c.started_days),
            sa.func.count(),
        )
        .group_by(query.c.currency)
        .order_by(query.c.currency)
    )
    return [(currency, to_money(fees), int(days), count) for currency, fees, days, count in rows]


def engagement_years() -> list[int]:
    """Years that have engagements, newest first."""
    year = sa.extract("year", Engagement.first_day)
    return [int(y) for y in db.session.scalars(sa.select(year).distinct().order_by(year.desc()))]


def create_engagement(data: dict) -> Engagement:
    """Record a paid lecture (or similar) and price it.

    Args:
        data: ``organiser_name``, ``first_day``, ``topic``; optionally ``last_day`` (default:
            the first day), ``organiser_org_number``, ``speaker``, ``day_rate`` with
            ``rate_override_reason`` (to depart from the rate card), ``organiser_pays_travel``,
            ``travel_amount``, ``outgoing_invoice_number``, ``paid_on``, ``notes``.

    Raises:
        ServiceError: no rate card is in force on the first day and no rate is given, a rate
            is overridden without a reason, the days are out of order, or the org number is
            invalid.
    """
    engagement = Engagement()
    _apply_engagement(engagement, data)
    set_provenance(engagement, data)
    db.session.add(engagement)
    db.session.flush()
    return engagement


def update_engagement(engagement: Engagement, data: dict) -> Engagement:
    """Correct an engagement and price it again; raises as :func:`create_engagement`, and
    ``VersionConflict`` when ``data["version"]`` is stale, and refuses a voided one."""
    voiding.refuse_if_voided(engagement)
    check_version(engagement, data)
    _apply_engagement(engagement, data)
    db.session.flush()
    return engagement


def void_engagement(
    engagement: Engagement, reason: str, version: int | str | None = None
) -> Engagement:
    """Void an engagement recorded by mistake: it stays on record, struck through, and its fee
    leaves every year's income, balance and export.

    Raises:
        ServiceError: no reason, or already voided; ``VersionConflict``.
    """
    return voiding.void(engagement, reason, version)


def restore_engagement(engagement: Engagement, version: int | str | None = None) -> Engagement:
    """Count a voided engagement's fee again, priced by the rate now in force on its first
    day (unless its rate was overridden).

    Raises:
        ServiceError: not voided, or no rate is in force on its first day; ``VersionConflict``.
    """
    voiding.restore(engagement, version)
    if engagement.rate_override_reason is None:
        card = rate_card_on(engagement.first_day)
        if card is None:
            raise ServiceError(
                N_("No day rate is in force on %(day)s. Add a rate card for that date first."),
                day=engagement.first_day.isoformat(),
            )
        engagement.rate_card = card
        _price(engagement, card.day_rate, card.currency)
        db.session.flush()
    return engagement


def _apply_engagement(engagement: Engagement, data: dict) -> None:
    organiser = clean_text(data.get("organiser_name"))
    if not organiser:
        raise ServiceError(N_("Give the organiser."), field="organiser_name")
    topic = clean_text(data.get("topic"))
    if not topic:
        raise ServiceError(N_("Give the topic."), field="topic")
    first_day = data.get("first_day")
    if not first_day:
        raise ServiceError(N_("Give the first day."), field="first_day")
    last_day = data.get("last_day") or first_day
    days = started_days(first_day, last_day)
    try:
        org_id = normalise_org_id(data.get("organiser_org_number"))
    except ValueError as error:
        raise ServiceError(error.message, field="organiser_org_number", **error.params) from None

    card = rate_card_on(first_day)
    override = data.get("day_rate")
    reason = (data.get("rate_override_reason") or "").strip() or None
    if override is not None and card is not None and override == card.day_rate:
        override = None  # the card's own rate is not an override
    if override is not None:
        if override < 0:
            raise ServiceError(N_("This cannot be negative."), field="day_rate")
        if not reason:
            raise ServiceError(
                N_("Say why this engagement departs from the day rate in force."),
                field="rate_override_reason",
            )
        rate, currency = override, (card.currency if card else "SEK")
    else:
        if card is None:
            raise ServiceError(
                N_(
                    "No day rate is in force on %(day)s. Add a rate card for that date, or give "
                    "a day rate and the reason for it."
                ),
                field="day_rate",
                day=first_day.isoformat(),
            )
        rate, currency, reason = card.day_rate, card.currency, None

    travel = data.get("travel_amount")
    if travel is not None and travel < 0:
        raise ServiceError(N_("This cannot be negative."), field="travel_amount")
    plausibility.refuse(
        plausibility.engagement_problems(
            first_day=first_day,
            last_day=last_day,
            paid_on=data.get("paid_on"),
            rules=data.get("rules") or plausibility.default_rules(),
        )
    )
    engagement.organiser_name = organiser
    engagement.organiser_org_number = org_id.value
    engagement.organiser_is_private = is_private_person(organiser, org_id.value)
    engagement.first_day = first_day
    engagement.last_day = last_day
    engagement.started_days = days
    engagement.topic = topic
    engagement.speaker = clean_text(data.get("speaker"))
    engagement.rate_card = card
    engagement.rate_override_reason = reason
    _price(engagement, rate, currency)
    engagement.organiser_pays_travel = bool(data.get("organiser_pays_travel"))
    engagement.travel_amount = travel if engagement.organiser_pays_travel else None
    engagement.outgoing_invoice_number = clean_text(data.get("outgoing_invoice_number"))
    engagement.paid_on = data.get("paid_on")
    engagement.notes = (data.get("notes") or "").strip() or None


def _price(engagement: Engagement, rate: Decimal, currency: str) -> None:
    """Set the day rate and the fee: started days × rate, in whole öre (no rounding needed)."""
    engagement.day_rate = to_money(rate)
    engagement.currency = currency
    engagement.fee_amount = engagement.day_rate * engagement.started_days
