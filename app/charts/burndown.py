"""A contract's burn-down: what has been invoiced so far against the ceiling in force."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from markupsafe import Markup

from app.charts.scale import ZERO
from app.charts.scale import Scale
from app.charts.scale import amount_scale
from app.charts.scale import date_scale
from app.charts.scale import date_span
from app.charts.scale import date_ticks
from app.charts.scale import nice_ticks
from app.charts.svg import INK
from app.charts.svg import LINE
from app.charts.svg import MUTED
from app.charts.svg import WIDTH
from app.charts.svg import Formatter
from app.charts.svg import el
from app.charts.svg import figure
from app.charts.svg import legend
from app.charts.svg import legend_height
from app.charts.svg import linked
from app.charts.svg import new_id
from app.charts.svg import num
from app.charts.svg import text_width
from app.charts.svg import truncate

ACCENT = "#1f4e79"
ACCENT_SOFT = "#e6eef6"
DANGER = "#a4262c"
_PLOT = 240  # height of the plot area
_RIGHT = WIDTH - 12  # right edge of the plot area
_LANE = 16  # height of one row of amendment labels above the plot
_MARKER_CHARS = 28  # longer amendment labels are cut (the full text is in the tooltip)


class Point(NamedTuple):
    """The cumulative invoiced amount (kronor, ``Decimal``) after the invoices of ``on``."""

    on: dt.date
    amount: Decimal
    href: str | None = None


class Step(NamedTuple):
    """The ceiling (kronor, ``Decimal``) in force from ``on`` until the next step."""

    on: dt.date
    amount: Decimal


class Marker(NamedTuple):
    """An event drawn as a vertical line, such as an amendment: its date and a short label."""

    on: dt.date
    label: str
    href: str | None = None


def burndown(
    points: Iterable[Point | tuple],
    limits: Iterable[Step | tuple] = (),
    markers: Iterable[Marker | tuple] = (),
    *,
    title: str,
    description: str,
    value_label: str,
    invoiced_label: str,
    limit_label: str,
    formatter: Formatter,
    tick_formatter: Formatter | None = None,
    marker_label: str | None = None,
    over_label: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    chart_id: str | None = None,
) -> Markup:
    """The cumulative invoiced amount as a step line over time, the ceiling in force as a
    dashed step line, and a dotted vertical line with a label at each marker (amendment).

    Points above the ceiling in force on their date are drawn as red diamonds instead of dots.
    The x axis runs from the earliest date given (``start`` included) to the latest (``end``
    included), ticked at month or year boundaries as the span needs. The ceiling is carried on to
    the end of the axis; the invoiced line rises from zero at its start and stops at its last
    point (the future is not drawn).

    Args:
        points: (date, cumulative amount[, href]) per invoicing date, amounts in kronor as
            ``Decimal``; each point gets a tooltip and links to its href when given.
        limits: (date, ceiling) steps, e.g. the original ceiling and each amendment's.
        markers: (date, label[, href]) drawn as vertical lines, e.g. the amendments.
        title: the chart's accessible name (already translated).
        description: a sentence on what is shown; the data is appended in the ``<desc>``.
        value_label: the y axis title, e.g. "Belopp (kr)".
        invoiced_label, limit_label: legend entries for the two lines (already translated).
        formatter: amount → text for tooltips and the description, e.g. the ``money`` filter.
        tick_formatter: amount → text for y axis ticks; defaults to ``formatter``.
        marker_label: legend entry for the markers; no entry when ``None``.
        over_label: legend entry for points above the ceiling, e.g. "Över takbeloppet"; when
            given, such points are also listed under it in the description.
        start, end: widen the x axis, e.g. to a contract's term.
        chart_id: a page-unique id prefix; generated when omitted.

    Returns:
        The ``<svg>`` as :class:`~markupsafe.Markup`, or an empty ``Markup`` (falsy) when there
        are neither points nor limits.

    Raises:
        TypeError: an amount is a ``float``.
    """
    points = sorted((Point(*p) for p in points), key=lambda p: p.on)
    limits = sorted((Step(*s) for s in limits), key=lambda s: s.on)
    markers = sorted((Marker(*m) for m in markers), key=lambda m: m.on)
    if not points and not limits:
        return Markup("")
    if any(isinstance(p.amount, float) for p in [*points, *limits]):
        raise TypeError("amounts must be Decimal, not float")
    ticks = tick_formatter or formatter
    over = [p for p in points if _over(p, limits)]

    dates = [p.on for p in points] + [s.on for s in limits] + [m.on for m in markers]
    first, last = date_span(dates + [d for d in (start, end) if d])
    amounts = [p.amount for p in points] + [s.amount for s in limits]
    values = nice_ticks(min(amounts), max(amounts))
    left = max(text_width(ticks(v)) for v in values) + 14
    x = date_scale(first, last, left, _RIGHT)
    flags, lanes = _marker_labels(markers, x)
    top = 30 + lanes * _LANE
    y, values = amount_scale(values, min(amounts), top, top + _PLOT)
    plot = _Plot(x, y, first, last, left, top)

    keys = []
    if points:
        keys.append((invoiced_label, el("path", d="M0 7H14", stroke=ACCENT, stroke_width=2.5)))
    if limits:
        dashed = el("path", d="M0 7H14", stroke=DANGER, stroke_width=2, stroke_dasharray="5 2")
        keys.append((limit_label, dashed))
    if markers and marker_label:
        keys.append((marker_label, el("path", d="M7 0V14", stroke=MUTED, stroke_dasharray="2 2")))
    if over and over_label:
        keys.append((over_label, _dot(7, 7, True)))
    legend_top = plot.bottom + 34
    height = legend_top + legend_height([k for k, _ in keys], _RIGHT - left) + 4

    parts = [description]
    for label, rows in (
        (invoiced_label, [(p.on, formatter(p.amount)) for p in points]),
        (limit_label, [(s.on, formatter(s.amount)) for s in limits]),
        (marker_label or "", [(m.on, m.label) for m in markers]),
        (over_label or "", [(p.on, formatter(p.amount)) for p in over] if over_label else []),
    ):
        if rows:
            listing = "; ".join(f"{day.isoformat()} {text}" for day, text in rows)
            parts.append(f"{label}: {listing}." if label else f"{listing}.")
    return figure(
        new_id(chart_id),
        "burndown",
        height,
        title,
        " ".join(parts),
        *_axes(plot, values, value_label, ticks),
        el("g", *_markers(plot, markers, flags), class_="chart-markers"),
        el("g", *_lines(plot, points, limits, set(over), formatter), class_="chart-lines"),
        legend(keys, left, legend_top, _RIGHT - left),
    )


@dataclass(frozen=True)
class _Plot:
    """Where the plot area is (user units) and how dates and amounts map onto it."""

    x: Scale
    y: Scale
    first: dt.date
    last: dt.date
    left: float
    top: float

    @property
    def bottom(self) -> float:
        return self.top + _PLOT

    def at(self, day: dt.date) -> float:
        return self.x(day.toordinal())


def _over(point: Point, limits: list[Step]) -> bool:
    """Whether ``point`` is above the ceiling in force on its date."""
    ceiling = next((s.amount for s in reversed(limits) if s.on <= point.on), None)
    return ceiling is not None and point.amount > ceiling


def _axes(plot: _Plot, values: list[Decimal], value_label: str, ticks: Formatter) -> list[Markup]:
    """Amount gridlines and ticks, date ticks, the zero line and the y axis title."""
    out = [el("text", value_label, x=2, y=14, fill=MUTED, class_="chart-axis-label")]
    for value in values:
        at = plot.y(value)
        out.append(
            el("line", x1=plot.left, x2=_RIGHT, y1=at, y2=at, stroke=LINE, class_="chart-grid")
        )
        out.append(
            el(
                "text",
                ticks(value),
                x=plot.left - 8,
                y=at + 4,
                text_anchor="end",
                fill=MUTED,
                class_="chart-tick",
            )
        )
    for day, label in date_ticks(plot.first, plot.last):
        at, bottom = plot.at(day), plot.bottom
        out.append(el("line", x1=at, x2=at, y1=bottom, y2=bottom + 5, stroke=INK))
        out.append(el("text", label, x=at, y=bottom + 19, text_anchor="middle", fill=INK))
    zero = plot.y(ZERO)
    out.append(
        el("line", x1=plot.left, x2=_RIGHT, y1=zero, y2=zero, stroke=INK, class_="chart-zero")
    )
    return out


def _markers(plot: _Plot, markers: list[Marker], flags: list[tuple]) -> list[Markup]:
    """A dotted vertical line per marker, its label in the row :func:`_marker_labels` chose."""
    out = []
    for marker, (lane, anchor, tx) in zip(markers, flags, strict=True):
        mx, ty = plot.at(marker.on), plot.top - 8 - lane * _LANE
        rule = el(
            "line", x1=mx, x2=mx, y1=ty - 10, y2=plot.bottom, stroke=MUTED, stroke_dasharray="2 3"
        )
        label = el(
            "text",
            truncate(marker.label, _MARKER_CHARS),
            x=tx,
            y=ty,
            text_anchor=anchor,
            fill=INK,
            font_size=11,
        )
        tip = f"{marker.on.isoformat()}: {marker.label}"
        out.append(linked(el("g", rule, label, class_="chart-marker"), tip, marker.href))
    return out


def _lines(
    plot: _Plot, points: list[Point], limits: list[Step], over: set[Point], formatter: Formatter
) -> list[Markup]:
    """The ceiling's dashed step line, the invoiced step line over a light area, its points."""
    out = []
    if limits:
        d = f"M{num(plot.at(limits[0].on))} {num(plot.y(limits[0].amount))}"
        d += "".join(f"H{num(plot.at(s.on))}V{num(plot.y(s.amount))}" for s in limits[1:])
        out.append(
            el(
                "path",
                d=f"{d}H{num(_RIGHT)}",
                fill="none",
                stroke=DANGER,
                stroke_width=2,
                stroke_dasharray="7 4",
                class_="chart-limit",
            )
        )
    if not points:
        return out
    zero = num(plot.y(ZERO))
    d = f"M{num(plot.at(plot.first))} {zero}"
    d += "".join(f"H{num(plot.at(p.on))}V{num(plot.y(p.amount))}" for p in points)
    area = el("path", d=f"{d}V{zero}Z", fill=ACCENT_SOFT, class_="chart-area")
    line = el("path", d=d, fill="none", stroke=ACCENT, stroke_width=2.5, class_="chart-line")
    out = [area, *out, line]
    for p in points:
        dot = _dot(plot.at(p.on), plot.y(p.amount), p in over)
        out.append(linked(dot, f"{p.on.isoformat()}: {formatter(p.amount)}", p.href))
    return out


def _dot(cx: float, cy: float, is_over: bool) -> Markup:
    """A point: a dot, or a red diamond (a different shape for print) above the ceiling."""
    if is_over:
        return el(
            "path",
            d=f"M{num(cx)} {num(cy - 6)}l6 6-6 6-6-6z",
            fill=DANGER,
            stroke="#ffffff",
            class_="chart-point chart-point-over",
        )
    return el("circle", cx=cx, cy=cy, r=3.5, fill=ACCENT, stroke="#ffffff", class_="chart-point")


def _marker_labels(markers: list[Marker], x: Scale) -> tuple[list[tuple], int]:
    """Place each marker's label in the first row above the plot where it overlaps no other:
    (row, text anchor, x) per marker, and the number of rows used (at most three)."""
    ends: list[float] = []
    flags = []
    for marker in markers:
        at = x(marker.on.toordinal())
        width = text_width(truncate(marker.label, _MARKER_CHARS), 11)
        if at + 4 + width <= _RIGHT:
            anchor, start, stop, tx = "start", at, at + 4 + width, at + 4
        else:
            anchor, start, stop, tx = "end", at - 4 - width, at, at - 4
        lane = next((i for i, e in enumerate(ends) if start > e + 8), None)
        if lane is None and len(ends) < 3:
            lane = len(ends)
            ends.append(stop)
        elif lane is None:
            lane = min(range(len(ends)), key=ends.__getitem__)
        ends[lane] = max(ends[lane], stop)
        flags.append((lane, anchor, tx))
    return flags, max(len(ends), 1) if markers else 0
