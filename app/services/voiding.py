"""Void, never delete: the one way invoices, contracts, amendments, engagements and day rates
leave the totals, and the one way back.

A voided record stays on record with its reason, shown struck through; every total, flag,
balance, burn-down, export and search leaves it out. Restoring it is another change, audited
as "restore". The audit hook (``app.audit``) records both from the ``voided_at`` column; these
functions only check and set it. Model-specific rules (a day rate that still prices
engagements, an amendment whose removal would take a ceiling below zero) are the callers'.
"""

from __future__ import annotations

from app.extensions import db
from app.models.base import VoidMixin
from app.models.base import utcnow
from app.money import N_
from app.services.conflicts import check_version
from app.services.errors import ServiceError

#: Longest reason kept, in characters.
MAX_REASON = 2000


def void(record: VoidMixin, reason: str | None, version: int | str | None = None) -> VoidMixin:
    """Void ``record`` with ``reason``. Flushes.

    Args:
        record: any model with :class:`app.models.base.VoidMixin`.
        reason: why, as the person voiding it writes it (required).
        version: the version the person saw; a newer record is refused.

    Raises:
        ServiceError: no reason, or the record is already voided.
        VersionConflict: the record changed after ``version``.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(N_("Say why it is voided."), field="reason")
    if len(reason) > MAX_REASON:
        raise ServiceError(
            N_("Keep the reason under %(limit)s characters."), field="reason", limit=MAX_REASON
        )
    if record.is_voided:
        raise ServiceError(N_("This is already voided."))
    check_version(record, {"version": version})
    record.voided_at = utcnow()
    record.void_reason = reason
    db.session.flush()
    return record


def restore(record: VoidMixin, version: int | str | None = None) -> VoidMixin:
    """Make a voided ``record`` count again; the void and its reason stay in the history.
    Flushes.

    Raises:
        ServiceError: the record is not voided.
        VersionConflict: the record changed after ``version``.
    """
    if not record.is_voided:
        raise ServiceError(N_("This is not voided."))
    check_version(record, {"version": version})
    record.voided_at = None
    record.void_reason = None
    db.session.flush()
    return record


def refuse_if_voided(record: VoidMixin) -> None:
    """A voided record is not changed: restore it first.

    Raises:
        ServiceError: ``record`` is voided.
    """
    if record.is_voided:
        raise ServiceError(N_("A voided record cannot be changed; restore it first."))
