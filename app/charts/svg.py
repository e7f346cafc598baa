"""SVG building blocks shared by every chart: escaped elements, the figure frame, fills, legend.

Coordinates are SVG user units of the chart's ``viewBox`` (:data:`WIDTH` wide); the figure is
drawn at ``width="100%"`` so one unit is one CSS pixel only when the chart is :data:`WIDTH` px
wide. Every piece of text passes through :func:`markupsafe.escape`, so names from the data
(vendor names are typed by people) always come out as text.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from contextvars import ContextVar
from decimal import Decimal
from functools import lru_cache
from urllib.parse import urlsplit

from markupsafe import Markup
from markupsafe import escape

#: Turns an amount into display text, e.g. the app's ``money`` filter (``1 234,50 kr``).
Formatter = Callable[[Decimal], str]

#: Width of every chart's viewBox, in user units.
WIDTH = 720
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
FONT_SIZE = 12
INK = "#1c2430"
MUTED = "#5b6675"
LINE = "#d8dde4"

# Characters XML 1.0 forbids (a control character in a vendor name would break the document).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9:-]*")
_ID_SAFE = re.compile(r"[^A-Za-z0-9_-]")
#: The numbers of the charts drawn for the page being made (see :func:`number_afresh`).
_ids: ContextVar[Iterator[int] | None] = ContextVar("insyn_chart_ids", default=None)


def number_afresh() -> None:
    """Number the next charts from 1 again: called as each page begins, so that a page is
    the same every time it is drawn (and its ETag with it), whatever was drawn before."""
    _ids.set(itertools.count(1))


def clean(text: object) -> str:
    """``text`` as a string without characters that XML cannot carry (not yet escaped)."""
    return _NOT_XML.sub("", str(text))


def num(value: float) -> str:
    """A coordinate with at most one decimal: ``12``, ``12.5``."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def el(name: str, *children: object, **attrs: object) -> Markup:
    """One element. Attribute names take ``_`` for ``-`` (``stroke_width``; ``class_`` for
    ``class``); ``None`` and ``False`` attributes are left out, floats are rounded by
    :func:`num`, and every other value and every ``str`` child is escaped.

    Raises:
        ValueError: the element's or an attribute's name is not an XML name.
    """
    parts = [_xml_name(name)]
    for key, value in attrs.items():
        if value is None or value is False:
            continue
        parts.append(f'{_attribute_name(key)}="{_attribute_value(value)}"')
    head = " ".join(parts)
    # Safe: names are checked and come from this package; every value is escaped.
    if not children:
        return Markup(f"<{head}/>")  # noqa: S704
    body = "".join(c if isinstance(c, Markup) else escape(clean(c)) for c in children)
    return Markup(f"<{head}>{body}</{name}>")  # noqa: S704


# A chart of a thousand bars makes some ten thousand elements from a few dozen names: each
# name is checked once, not once an element.
@lru_cache(maxsize=256)
def _xml_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise ValueError(f"not an XML name: {name!r}")
    return name


@lru_cache(maxsize=256)
def _attribute_name(key: str) -> str:
    return _xml_name(key.rstrip("_").replace("_", "-"))


def _attribute_value(value: object) -> str:
    """A value as attribute text: a float rounded, an integer as it is, the rest escaped."""
    kind = type(value)
    if kind is float:
        return num(value)
    if kind is int:
        return str(value)
    return escape(clean(value))


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """Estimated width of ``text`` in user units (sans-serif, 0.6 em a character)."""
    return len(text) * size * 0.6


def truncate(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis (the full text goes in a tooltip)."""
    return text if len(text) <= limit else text[: max(limit - 1, 1)].rstrip() + "…"


def safe_href(href: str | None) -> str | None:
    """``href`` if it is a relative or http(s) URL; anything else (``javascript:``) is dropped."""
    if not href:
        return None
    try:
        scheme = urlsplit(href.strip()).scheme.lower()
    except ValueError:
        return None
    return href if scheme in ("", "http", "https") else None


def new_id(chart_id: str | None) -> str:
    """A page-unique id prefix for the chart's ``<title>``, ``<desc>`` and patterns."""
    if chart_id:
        return _ID_SAFE.sub("-", chart_id)
    numbers = _ids.get()
    if numbers is None:
        numbers = itertools.count(1)
        _ids.set(numbers)
    return f"chart-{next(numbers)}"


def figure(
    uid: str,
    kind: str,
    height: float,
    title: str,
    desc: str,
    *body: Markup,
    defs: Markup | None = None,
) -> Markup:
    """The ``<svg>`` root: responsive (viewBox, width 100%), named by its title and described
    by its desc for assistive technology. A chart without links is an image; one whose bars
    link to their evidence is a group, so that the links inside stay links (an image's
    content is presentational, and a link in it is an interactive control nested in an
    image: axe-core's ``nested-interactive``)."""
    has_links = any("<a " in part for part in body)
    return el(
        "svg",
        el("title", title, id=f"{uid}-title"),
        el("desc", desc, id=f"{uid}-desc"),
        el("defs", defs) if defs else Markup(""),
        *body,
        xmlns="http://www.w3.org/2000/svg",
        class_=f"chart chart-{kind}",
        id=uid,
        viewBox=f"0 0 {WIDTH} {num(height)}",
        width="100%",
        role="group" if has_links else "img",
        aria_labelledby=f"{uid}-title {uid}-desc",
        font_family=FONT,
        font_size=FONT_SIZE,
    )


def linked(shape: Markup, tooltip: str, href: str | None) -> Markup:
    """``shape`` with a tooltip, wrapped in a link to its evidence when ``href`` is safe."""
    href = safe_href(href)
    if href:
        return el("a", el("title", tooltip), shape, href=href, class_="chart-link")
    return el("g", el("title", tooltip), shape)


#: (colour, pattern ink): dark and light alternate so neighbours differ in grey print too.
PALETTE = (
    ("#1f4e79", "#ffffff"),
    ("#9cc3e6", "#1f4e79"),
    ("#a34a1e", "#ffffff"),
    ("#f2c14e", "#6b4e00"),
    ("#2e6b45", "#ffffff"),
    ("#c9b3dd", "#4b2a66"),
)
#: Pattern shapes, cycled with a length (5) prime to the palette's (6): 30 distinct fills.
PATTERNS = ("solid", "diagonal", "dots", "backward", "cross")
#: The neutral fill for an "everything else" series.
OTHER = "#c5cbd3"


def _pattern(pid: str, kind: str, colour: str, ink: str) -> Markup:
    """A 6×6 tile of ``kind`` drawn in ``ink`` on ``colour``."""
    tile = el("rect", width=6, height=6, fill=colour)
    if kind == "dots":
        marks = el("circle", cx=3, cy=3, r=1.3, fill=ink)
    elif kind == "cross":
        marks = el("path", d="M0 3H6M3 0V6", stroke=ink, stroke_width=1.2)
    else:
        marks = el("path", d="M3 0V6", stroke=ink, stroke_width=1.6)
    rotate = {"diagonal": "rotate(45)", "backward": "rotate(-45)", "cross": "rotate(45)"}
    return el(
        "pattern",
        tile,
        marks,
        id=pid,
        width=6,
        height=6,
        patternUnits="userSpaceOnUse",
        patternTransform=rotate.get(kind),
    )


def fills(uid: str, others: Sequence[bool]) -> tuple[list[str], Markup]:
    """A ``fill`` value per series (``others[i]`` marks an "everything else" series, painted
    neutral grey) and the ``<defs>`` holding the patterns they refer to."""
    result, defs, index = [], [], 0
    for i, is_other in enumerate(others):
        if is_other:
            result.append(OTHER)
            continue
        colour, ink = PALETTE[index % len(PALETTE)]
        kind = PATTERNS[index % len(PATTERNS)]
        index += 1
        if kind == "solid":
            result.append(colour)
        else:
            pid = f"{uid}-fill-{i}"
            defs.append(_pattern(pid, kind, colour, ink))
            result.append(f"url(#{pid})")
    return result, Markup("").join(defs)


LEGEND_ROW = 20
_SWATCH = 14
_NAME_LIMIT = 34


def legend_height(names: Sequence[str], width: float) -> float:
    """Height of the legend :func:`legend` draws for ``names`` within ``width`` units."""
    columns = _legend_columns(names, width)[0]
    rows = -(-len(names) // columns) if names else 0
    return rows * LEGEND_ROW


#: How much larger a phone writes a chart's words (insyn.css): legend columns leave room.
PHONE_TEXT = 1.5


def _legend_columns(names: Sequence[str], width: float) -> tuple[int, float]:
    longest = max((len(truncate(n, _NAME_LIMIT)) for n in names), default=0)
    column = min(_SWATCH + 6 + text_width("x" * longest) * PHONE_TEXT + 18, width)
    return max(1, int(width // column)), width / max(1, int(width // column))


def legend(items: Iterable[tuple[str, Markup]], x: float, y: float, width: float) -> Markup:
    """A legend in as many equal columns as the longest name allows, read row by row.

    Args:
        items: (name, swatch) pairs; a swatch is drawn in a 14×14 box at the origin.
        x, y: top left corner, in user units.
        width: the width available, in user units.
    """
    items = list(items)
    columns, column = _legend_columns([n for n, _ in items], width)
    out = []
    for i, (name, swatch) in enumerate(items):
        row, col = divmod(i, columns)
        left, top = x + col * column, y + row * LEGEND_ROW
        short = truncate(name, _NAME_LIMIT)
        label = el("text", short, x=_SWATCH + 6, y=11.5, class_="chart-legend-label", fill=INK)
        tip = el("title", name) if short != name else Markup("")
        out.append(el("g", tip, swatch, label, transform=f"translate({num(left)} {num(top)})"))
    return el("g", *out, class_="chart-legend")


def swatch(fill: str) -> Markup:
    """A filled square for the legend of a bar chart."""
    return el("rect", width=_SWATCH, height=_SWATCH, fill=fill, stroke=MUTED, stroke_width=0.5)
