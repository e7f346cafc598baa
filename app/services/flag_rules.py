"""The rules flags are computed under, read from the database: the direct-award thresholds
(:mod:`app.services.thresholds`) and the amendment review share, both kept by an
administrator. Flags follow from the data alone: no service reads them from the app's
configuration, so a change takes effect at once, for every process, and is in the audit
trail."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from decimal import InvalidOperation

from app.extensions import db
from app.models import DirectAwardThreshold
from app.models import FlagSettings
from app.models.flag_settings import SETTINGS_ID
from app.money import N_
from app.services.conflicts import check_version
from app.services.errors import ServiceError
from app.services.thresholds import thresholds

#: The share used when the settings row is missing (a database changed past Insyn; the
#: migrations always make it), in percent: the share Insyn has always started with.
DEFAULT_REVIEW_PERCENT = Decimal(10)
#: The largest share an administrator may set, in percent: an amendment ten times the
#: original value is past any review trigger a body would want.
MAX_REVIEW_PERCENT = Decimal(1000)
#: A share is kept to hundredths of a percent.
HUNDREDTH = Decimal("0.01")

#: The field of the settings the review share is kept in (and its form's field).
REVIEW_FIELD = "amendment_review_percent"

NOT_A_NUMBER = N_("“%(text)s” is not a share in percent. Write a number, like 10 or 7,5.")


@dataclass(frozen=True)
class FlagRules:
    """What a contract's flags depend on beyond its own records.

    Attributes:
        thresholds: the direct-award thresholds, oldest first.
        review_percent: amendments raising the ceiling by more than this share of the
            original value are flagged, in percent (10 is 10 %).
    """

    thresholds: tuple[DirectAwardThreshold, ...]
    review_percent: Decimal


def flag_settings() -> FlagSettings | None:
    """The settings row (``None`` only in a database changed past Insyn)."""
    return db.session.get(FlagSettings, SETTINGS_ID)


def flag_rules() -> FlagRules:
    """The rules in force now. A caller computing many contracts' flags reads them once and
    passes them down."""
    settings = flag_settings()
    share = settings.amendment_review_percent if settings is not None else None
    return FlagRules(
        thresholds=tuple(thresholds()),
        review_percent=DEFAULT_REVIEW_PERCENT if share is None else share,
    )


def plain_percent(value: Decimal) -> str:
    """A share as written, without trailing zeros: ``10``, ``7.5``."""
    return format(value.normalize(), "f")


def update_review_share(settings: FlagSettings, data: dict) -> FlagSettings:
    """Change the amendment review share. Every contract's stored flags are then recomputed
    before the transaction commits (:mod:`app.services.flag_store`).

    Args:
        settings: the row (:func:`flag_settings`).
        data: ``amendment_review_percent`` (a ``Decimal``, an ``int``, or text as typed:
            ``7,5``, ``7.5``, ``10 %``), in percent; optionally ``version``, the version
            the change was built from.

    Raises:
        VersionConflict: the share changed after the form was opened.
        ServiceError: the share is missing, not a number, negative, above
            ``MAX_REVIEW_PERCENT`` or has more than two decimals.
    """
    check_version(settings, data)
    settings.amendment_review_percent = _read_share(data.get(REVIEW_FIELD))
    db.session.flush()  # before the commit: the flag store's hook sees the change
    return settings


def _read_share(value) -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ServiceError(N_("Give the share in percent, like 10."), field=REVIEW_FIELD)
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float | str):
        raise ServiceError(NOT_A_NUMBER, field=REVIEW_FIELD, text=str(value)[:40])
    if isinstance(value, str):
        share = _number(value)
    else:  # a float through its shortest text, so 7.5 is 7.5 and not its binary expansion
        share = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if share is None or not share.is_finite():
        raise ServiceError(NOT_A_NUMBER, field=REVIEW_FIELD, text=str(value).strip()[:40])
    if share < 0:
        raise ServiceError(
            N_(
                "The share cannot be negative. 0 flags every amendment that raised the "
                "ceiling at all."
            ),
            field=REVIEW_FIELD,
        )
    if share > MAX_REVIEW_PERCENT:
        raise ServiceError(
            N_("The share can be at most %(limit)s percent."),
            field=REVIEW_FIELD,
            limit=plain_percent(MAX_REVIEW_PERCENT),
        )
    if share != share.quantize(HUNDREDTH):
        raise ServiceError(N_("Give the share with at most two decimals."), field=REVIEW_FIELD)
    return share.quantize(HUNDREDTH)


def _number(text: str) -> Decimal | None:
    """A share as a person types it: ``10``, ``7,5``, ``7.5``, ``10 %``; ``None`` if it is
    not a number."""
    cleaned = re.sub(r"\s", "", text).removesuffix("%").replace("\u2212", "-").replace(",", ".")
    if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)", cleaned):
        return None  # no exponents, NaN or infinities: Decimal would take them
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None
