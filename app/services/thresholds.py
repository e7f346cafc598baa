"""Direct-award thresholds (direktupphandlingsgränser): the dated amounts above which a
vendor's yearly spend without a contract is flagged. An administrator keeps them; Insyn ships
one example, marked as such, never presented as the law."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa

from app.extensions import db
from app.models import DirectAwardThreshold
from app.money import N_
from app.money import to_money
from app.services.conflicts import check_version
from app.services.errors import ServiceError


def thresholds() -> list[DirectAwardThreshold]:
    """All thresholds, oldest first."""
    return list(
        db.session.scalars(
            sa.select(DirectAwardThreshold).order_by(DirectAwardThreshold.valid_from)
        )
    )


def threshold_for(year: int, known: Sequence[DirectAwardThreshold]) -> DirectAwardThreshold | None:
    """The threshold in force at the end of ``year`` among ``known`` (oldest first)."""
    return threshold_on(dt.date(year, 12, 31), known)


def threshold_on(
    day: dt.date, known: Sequence[DirectAwardThreshold]
) -> DirectAwardThreshold | None:
    """The threshold in force on ``day`` among ``known`` (oldest first)."""
    found = None
    for candidate in known:
        if candidate.valid_from <= day:
            found = candidate
    return found


def create_threshold(data: dict) -> DirectAwardThreshold:
    """Add a threshold from a date.

    Args:
        data: ``valid_from`` (date), ``amount`` (``Decimal``, excl. VAT), ``currency``,
            optionally ``note`` and ``is_example``.

    Raises:
        ServiceError: a date or amount is missing or negative, or another threshold starts
            on the same day.
    """
    threshold = DirectAwardThreshold()
    _apply(threshold, data)
    db.session.add(threshold)
    db.session.flush()
    return threshold


def update_threshold(threshold: DirectAwardThreshold, data: dict) -> DirectAwardThreshold:
    """Change a threshold (see :func:`create_threshold` for ``data`` and errors)."""
    check_version(threshold, data)
    _apply(threshold, data)
    db.session.flush()
    return threshold


def delete_threshold(threshold: DirectAwardThreshold) -> DirectAwardThreshold:
    """Remove a threshold; the one before it then applies until the next. Returns the
    threshold removed (no longer in the session), as the other writes return theirs."""
    db.session.delete(threshold)
    db.session.flush()
    return threshold


def _apply(threshold: DirectAwardThreshold, data: dict) -> None:
    valid_from = data.get("valid_from")
    if not valid_from:
        raise ServiceError(N_("Give the first day the threshold applies."), field="valid_from")
    amount = data.get("amount")
    if amount is None:
        raise ServiceError(N_("Give the amount."), field="amount")
    if amount < 0:
        raise ServiceError(N_("This cannot be negative."), field="amount")
    same_day = db.session.scalar(
        sa.select(DirectAwardThreshold.id).where(
            DirectAwardThreshold.valid_from == valid_from,
            DirectAwardThreshold.id != (threshold.id or -1),
        )
    )
    if same_day is not None:
        raise ServiceError(
            N_("Another threshold already applies from %(day)s; change that one instead."),
            field="valid_from",
            day=valid_from.isoformat(),
        )
    threshold.valid_from = valid_from
    threshold.amount = to_money(amount)
    threshold.currency = (data.get("currency") or "SEK").upper()
    threshold.note = (data.get("note") or "").strip() or None
    threshold.is_example = bool(data.get("is_example"))
