"""Scales and ticks: amounts (``Decimal``) to y positions, dates to x positions.

Tick values are computed in ``Decimal`` so an axis never shows ``299999.99999``; only the
final pixel position goes through ``float``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_CEILING
from decimal import ROUND_FLOOR
from decimal import Decimal

ZERO = Decimal(0)
_STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))


def nice_ticks(lo: Decimal, hi: Decimal, count: int = 5) -> list[Decimal]:
    """About ``count`` round values (1, 2, 2.5 or 5 times a power of ten apart) that cover
    ``lo``..``hi`` and zero, in the unit of the data (kronor in, kronor out)."""
    lo, hi = min(lo, ZERO), max(hi, ZERO)
    if lo == hi:
        hi = lo + 1
    raw = (hi - lo) / count
    base = Decimal(1).scaleb(raw.adjusted())
    step = next(base * m for m in _STEPS if base * m >= raw)
    first = (lo / step).to_integral_value(ROUND_FLOOR) * step
    last = (hi / step).to_integral_value(ROUND_CEILING) * step
    exponent = step if step < 1 else Decimal(1)
    return [(first + step * i).quantize(exponent) for i in range(int((last - first) / step) + 1)]


@dataclass(frozen=True)
class Scale:
    """Maps values from ``lo``..``hi`` onto pixels from ``start``..``end`` (either direction)."""

    lo: float
    hi: float
    start: float
    end: float

    def __call__(self, value: Decimal | float) -> float:
        share = (float(value) - self.lo) / (self.hi - self.lo)
        return self.start + share * (self.end - self.start)


def amount_scale(
    ticks: list[Decimal], lo: Decimal, top: float, bottom: float
) -> tuple[Scale, list[Decimal]]:
    """A y scale with the last tick at ``top`` and the ticks it shows.

    At ``bottom`` is the first tick, or, when amounts go below zero, the smallest amount
    ``lo`` itself, with room under it for a label: a small credit note should not cost a whole
    step of empty plot.
    """
    if lo < 0:
        return Scale(float(lo), float(ticks[-1]), bottom - 16, top), [t for t in ticks if t >= lo]
    return Scale(float(ticks[0]), float(ticks[-1]), bottom, top), ticks


def date_span(dates: list[dt.date]) -> tuple[dt.date, dt.date]:
    """First and last of ``dates``, widened to at least a month so one date still has room."""
    first, last = min(dates), max(dates)
    if (last - first).days < 30:
        middle = first + (last - first) / 2
        first, last = middle - dt.timedelta(days=15), middle + dt.timedelta(days=15)
    return first, last


def date_scale(first: dt.date, last: dt.date, left: float, right: float) -> Scale:
    """An x scale over days from ``first`` to ``last``."""
    return Scale(first.toordinal(), last.toordinal(), left, right)


_MONTH_STEPS = (1, 2, 3, 6, 12, 24, 60, 120)


def date_ticks(first: dt.date, last: dt.date, most: int = 8) -> list[tuple[dt.date, str]]:
    """Ticks at month or year boundaries between ``first`` and ``last``, as (date, label).

    The step is the smallest of 1, 2, 3, 6 months or 1, 2, 5, 10 years that gives at most
    ``most`` ticks. Labels are ISO: ``2021`` at whole years, ``2021-03`` at months; a span
    with fewer than two boundaries is labelled at its two ends (``2021-03-14``).
    """
    index = first.year * 12 + first.month - 1
    boundaries = []
    while (day := dt.date(index // 12, index % 12 + 1, 1)) <= last:
        if day >= first:
            boundaries.append(day)
        index += 1
    for step in _MONTH_STEPS:
        ticks = [d for d in boundaries if (d.year * 12 + d.month - 1) % step == 0]
        if len(ticks) <= most:
            break
    if len(ticks) < 2:
        return [(first, first.isoformat()), (last, last.isoformat())]
    return [(d, f"{d.year}" if step >= 12 else f"{d.year}-{d.month:02}") for d in ticks]
