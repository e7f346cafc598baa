"""Charts drawn on the server as inline SVG: no JavaScript, nothing fetched from elsewhere.

Every chart is a :class:`~markupsafe.Markup` ``<svg>`` that

* scales to its container (``viewBox``, ``width="100%"``; style hooks in ``insyn.css``);
* is an image named by its ``<title>`` and described by a ``<desc>`` that states the data
  in words (``aria-labelledby`` points at both), so it means something without seeing it;
* reads in black and white: series differ in lightness *and* pattern, and carry a legend
  and tooltips;
* escapes every piece of text, since names in the data are typed by people;
* uses no ``style`` attributes, only SVG presentation attributes and CSS classes, as the
  Content-Security-Policy requires.

Amounts are ``Decimal`` in the currency's main unit (kronor); sums stay ``Decimal`` and only
pixel positions are computed in ``float``. Labels come in already translated, and amounts are
turned into text by the caller's formatter (the app's ``money`` filter, say), so this package
knows no language. A chart with nothing to draw is an empty, falsy ``Markup``::

    {% if chart %}{{ chart }}{% else %}<p class="empty">{{ _("No data") }}</p>{% endif %}
"""

from __future__ import annotations

from app.charts.bars import Series
from app.charts.bars import grouped_bars
from app.charts.bars import stacked_bars
from app.charts.burndown import Marker
from app.charts.burndown import Point
from app.charts.burndown import Step
from app.charts.burndown import burndown
from app.charts.svg import Formatter

__all__ = [
    "Formatter",
    "Marker",
    "Point",
    "Series",
    "Step",
    "burndown",
    "grouped_bars",
    "stacked_bars",
]
