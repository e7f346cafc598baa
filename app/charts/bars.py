"""Bar charts over categories (usually years): stacked (vendors' shares) and grouped (costs
against income), with negative values (credit notes, a net) drawn below a zero line."""

from __future__ import annotations

import math
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup

from app.charts.scale import ZERO
from app.charts.scale import Scale
from app.charts.scale import amount_scale
from app.charts.scale import nice_ticks
from app.charts.svg import FONT_SIZE
from app.charts.svg import INK
from app.charts.svg import LINE
from app.charts.svg import MUTED
from app.charts.svg import WIDTH
from app.charts.svg import Formatter
from app.charts.svg import clean
from app.charts.svg import el
from app.charts.svg import figure
from app.charts.svg import fills
from app.charts.svg import legend
from app.charts.svg import legend_height
from app.charts.svg import linked
from app.charts.svg import new_id
from app.charts.svg import swatch
from app.charts.svg import text_width
from app.charts.svg import truncate

_TOP = 30  # room for the value label above the plot
_PLOT = 240  # height of the plot area
_LABEL_SIZE = 11  # font size of the amounts written on bars


@dataclass(frozen=True)
class Series:
    """One named row of amounts, one per category.

    Attributes:
        name: shown in the legend, tooltips and description (a vendor's name, or a label
            the caller has already translated).
        values: one amount per category, as ``Decimal`` (or ``int``) in the currency's main
            unit (kronor, not öre); ``None`` where there is nothing. ``float`` is refused.
        hrefs: optionally one drill-down URL per category (``None`` for no link); shorter
            than ``values`` means no link for the rest. Only relative and http(s) URLs are used.
        is_other: paint it neutral grey: the "all other vendors" remainder of a top-N chart.
    """

    name: str
    values: Sequence[Decimal | int | None]
    hrefs: Sequence[str | None] = ()
    is_other: bool = False

    def href(self, index: int) -> str | None:
        """The link for category ``index``, if any."""
        return self.hrefs[index] if index < len(self.hrefs) else None


@dataclass(frozen=True)
class _Text:
    """What a bar chart says besides its shapes (see :func:`stacked_bars` for each field)."""

    title: str
    description: str
    value_label: str
    formatter: Formatter
    ticks: Formatter
    chart_id: str | None


@dataclass(frozen=True)
class _Frame:
    """The plot area: its left edge and the width of one category (user units), the y scale."""

    left: float
    slot: float
    y: Scale

    def centre(self, index: int) -> float:
        return self.left + self.slot * (index + 0.5)


def stacked_bars(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    description: str,
    value_label: str,
    formatter: Formatter,
    tick_formatter: Formatter | None = None,
    chart_id: str | None = None,
) -> Markup:
    """One bar per category, stacked from ``series`` (bottom to top in series order), with a
    legend and the bar's net total written above it when it fits.

    Positive amounts stack up from zero, negative ones (credit notes) down from it. Each
    segment carries a tooltip ``"name, category: amount"`` and, when its series has an href
    for that category, links to it.

    Args:
        categories: labels along the x axis, e.g. years as strings.
        series: the stacks; see :class:`Series` (amounts in kronor as ``Decimal``).
        title: the chart's accessible name (already translated).
        description: a sentence on what is shown; the data itself is appended to it in the
            ``<desc>`` as "category: name amount; …".
        value_label: the y axis title, e.g. "Kostnad (kr)".
        formatter: amount → text for tooltips and the description, e.g. the ``money`` filter.
        tick_formatter: amount → text for axis ticks and bar totals (a compact one such as
            "1,2 mnkr" reads better); defaults to ``formatter``.
        chart_id: a page-unique id prefix; generated when omitted.

    Returns:
        The ``<svg>`` as :class:`~markupsafe.Markup`, or an empty ``Markup`` (falsy) when there
        is nothing to draw: no category, no series, or no non-zero amount.

    Raises:
        ValueError: a series does not have one value per category.
        TypeError: an amount is a ``float``.
    """
    text = _Text(title, description, value_label, formatter, tick_formatter or formatter, chart_id)
    series = list(series)
    columns = _columns(categories, series)
    lo = min((sum((v for v in col if v < 0), ZERO) for col in columns), default=ZERO)
    hi = max((sum((v for v in col if v > 0), ZERO) for col in columns), default=ZERO)

    def draw(frame: _Frame, paint: list[str]) -> list[Markup]:
        width = min(frame.slot * 0.62, 72)
        shapes, totals = [], []
        for i, category in enumerate(categories):
            up = down = ZERO
            for s, fill in zip(series, paint, strict=True):
                value = s.values[i]
                if not value:
                    continue
                if value > 0:
                    start, up = up, up + value
                else:
                    start, down = down, down + value
                y0, y1 = frame.y(start), frame.y(start + value)
                rect = el(
                    "rect",
                    x=frame.centre(i) - width / 2,
                    y=min(y0, y1),
                    width=width,
                    height=abs(y0 - y1),
                    fill=fill,
                    stroke="#ffffff",
                    stroke_width=1,
                    class_="chart-bar",
                )
                tip = f"{s.name}, {category}: {text.formatter(value)}"
                shapes.append(linked(rect, tip, s.href(i)))
            label = text.ticks(up + down)
            if (up or down) and text_width(label, _LABEL_SIZE) <= frame.slot - 4:
                y = frame.y(up) - 6 if up > 0 or not down else frame.y(down) + _LABEL_SIZE + 3
                totals.append(_value_text(label, frame.centre(i), y))
        return [*shapes, el("g", *totals, class_="chart-values")]

    return _chart("stacked", categories, series, lo, hi, draw, text)


def grouped_bars(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    description: str,
    value_label: str,
    formatter: Formatter,
    tick_formatter: Formatter | None = None,
    chart_id: str | None = None,
) -> Markup:
    """Side-by-side bars per category, one per series (e.g. costs and income per year), rising
    from a zero line or hanging below it for negative amounts; amounts are written on the
    bars when every one of them fits.

    Arguments, return value and errors are those of :func:`stacked_bars`.
    """
    text = _Text(title, description, value_label, formatter, tick_formatter or formatter, chart_id)
    series = list(series)
    columns = _columns(categories, series)
    lo = min((v for col in columns for v in col), default=ZERO)
    hi = max((v for col in columns for v in col), default=ZERO)

    def draw(frame: _Frame, paint: list[str]) -> list[Markup]:
        count = len(series)
        pitch = min(frame.slot * 0.8 / count, 56)
        width = pitch - min(4, pitch * 0.15)
        labels = [[text.ticks(v) if v is not None else "" for v in s.values] for s in series]
        fits = all(text_width(t, _LABEL_SIZE) <= pitch + 2 for row in labels for t in row)
        shapes, values = [], []
        for i, category in enumerate(categories):
            for j, (s, fill) in enumerate(zip(series, paint, strict=True)):
                value = s.values[i]
                if value is None:
                    continue
                x = frame.centre(i) + (j - count / 2) * pitch + (pitch - width) / 2
                y0, y1 = frame.y(ZERO), frame.y(value)
                rect = el(
                    "rect",
                    x=x,
                    y=min(y0, y1),
                    width=width,
                    height=abs(y0 - y1),
                    fill=fill,
                    stroke=INK,
                    stroke_width=0.5,
                    class_="chart-bar",
                )
                tip = f"{s.name}, {category}: {text.formatter(value)}"
                shapes.append(linked(rect, tip, s.href(i)))
                if fits:
                    y = y1 - 5 if value >= 0 else y1 + _LABEL_SIZE + 2
                    values.append(_value_text(labels[j][i], x + width / 2, y))
        return [*shapes, el("g", *values, class_="chart-values")]

    return _chart("grouped", categories, series, lo, hi, draw, text)


def _columns(categories: Sequence[str], series: list[Series]) -> list[list[Decimal]]:
    """The amounts per category (``None`` left out), after checking shapes and types."""
    for s in series:
        if len(s.values) != len(categories):
            raise ValueError(
                f"series {s.name!r} has {len(s.values)} values for {len(categories)} categories"
            )
        if any(isinstance(v, float) for v in s.values):
            raise TypeError(f"series {s.name!r}: amounts must be Decimal, not float")
    return [
        [s.values[i] for s in series if s.values[i] is not None] for i in range(len(categories))
    ]


def _value_text(label: str, x: float, y: float) -> Markup:
    return el("text", label, x=x, y=y, text_anchor="middle", font_size=_LABEL_SIZE, fill=INK)


def _chart(
    kind: str,
    categories: Sequence[str],
    series: list[Series],
    lo: Decimal,
    hi: Decimal,
    draw: Callable[[_Frame, list[str]], list[Markup]],
    text: _Text,
) -> Markup:
    """Axes, bars, legend and the accessible frame shared by both bar charts."""
    if not categories or not series or (lo == ZERO and hi == ZERO):
        return Markup("")
    categories = [clean(c) for c in categories]
    uid = new_id(text.chart_id)
    paint, defs = fills(uid, [s.is_other for s in series])

    values = nice_ticks(lo, hi)
    tick_labels = [text.ticks(v) for v in values]
    left = max(text_width(t) for t in tick_labels) + 14
    right, bottom = WIDTH - 8, _TOP + _PLOT
    y, values = amount_scale(values, lo, _TOP, bottom)
    frame = _Frame(left, (right - left) / len(categories), y)

    axes = [el("text", text.value_label, x=2, y=14, fill=MUTED, class_="chart-axis-label")]
    for value in values:
        label, at = text.ticks(value), frame.y(value)
        axes.append(el("line", x1=left, x2=right, y1=at, y2=at, stroke=LINE, class_="chart-grid"))
        axes.append(
            el(
                "text",
                label,
                x=left - 8,
                y=at + 4,
                text_anchor="end",
                fill=MUTED,
                class_="chart-tick",
            )
        )
    fit = max(int(frame.slot / (FONT_SIZE * 0.6)), 3)
    # Short labels (years, months) that do not fit each under its bar are written whole
    # under every n-th bar; long ones (names) are cut to fit instead.
    widest = max(text_width(c) for c in categories)
    step = 1
    if widest > frame.slot - 4 and max(len(c) for c in categories) <= 10:
        step = math.ceil((widest + 8) / frame.slot)
        fit = 10
    for i, category in enumerate(categories):
        if i % step:
            continue
        short = truncate(category, fit)
        axes.append(
            el(
                "text",
                el("title", category) if short != category else Markup(""),
                short,
                x=frame.centre(i),
                y=bottom + 18,
                text_anchor="middle",
                fill=INK,
                class_="chart-category",
            )
        )
    zero = frame.y(ZERO)
    axis = el("line", x1=left, x2=right, y1=zero, y2=zero, stroke=INK, class_="chart-zero")

    names = [s.name for s in series]
    legend_top = bottom + 34
    height = legend_top + legend_height(names, right - left) + 4
    key = legend(zip(names, map(swatch, paint), strict=True), left, legend_top, right - left)
    desc = _describe(categories, series, text)
    body = el("g", *draw(frame, paint), class_="chart-bars")
    return figure(uid, kind, height, text.title, desc, *axes, body, axis, key, defs=defs)


def _describe(categories: list[str], series: list[Series], text: _Text) -> str:
    """The caller's sentence, then the data: "2021: Acme AB 1 200,00 kr; Beta HB 300,50 kr."."""
    sentences = [text.description]
    for i, category in enumerate(categories):
        amounts = [(s.name, s.values[i]) for s in series if s.values[i] is not None]
        if amounts:
            listing = "; ".join(f"{name} {text.formatter(value)}" for name, value in amounts)
            sentences.append(f"{category}: {listing}.")
    return " ".join(sentences)
