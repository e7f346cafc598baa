"""Jinja filters and globals: the only place values become display text in templates."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from urllib.parse import urlencode

from flask import Flask
from flask import g
from flask import request
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext
from markupsafe import Markup
from markupsafe import escape

from app import labels
from app.money import format_hours
from app.money import format_money
from app.money import format_number


def _language() -> str:
    """The reader's language, looked up once per request (a page formats hundreds of
    amounts)."""
    language = g.get("language")
    if language is None:
        locale = get_locale()
        language = g.language = locale.language if locale else "sv"
    return language


#: The reader's language ("sv" or "en"), for code outside the templates.
current_language = _language


def money(amount: Decimal | None, currency: str = "SEK", symbol: bool = True) -> str:
    """``1 234 567,50 kr`` (Swedish) or ``SEK 1,234,567.50`` (English); empty for ``None``."""
    return format_money(amount, currency, locale=_language(), symbol=symbol)


def money_compact(amount: Decimal | None, currency: str = "SEK") -> str:
    """A rounded amount for a chart's axis: ``1,2 mnkr``, ``250 tkr`` (Swedish, for kronor) or
    ``SEK 1.2m``, ``SEK 250k`` (English); small amounts in whole units."""
    if amount is None:
        return ""
    size = abs(amount)
    sv = _language() == "sv"
    for step, sv_unit, en_unit in ((Decimal(10) ** 6, "mn", "m"), (Decimal(1000), "t", "k")):
        if size >= step:
            scaled = number(amount / step, 1 if size < 10 * step else 0).removesuffix(
                ",0" if sv else ".0"
            )
            if not sv:
                return f"{currency}\u00a0{scaled}{en_unit}"
            if currency == "SEK":
                return f"{scaled}\u00a0{sv_unit}kr"
            return f"{scaled}\u00a0{sv_unit} {currency}"
    return money(amount.quantize(Decimal(1)), currency).replace(",00", "").replace(".00", "")


def money_input(amount: Decimal | None) -> str:
    """An amount as it is typed back into a form: ``1 234,50`` (plain spaces, no currency)."""
    if amount is None:
        return ""
    return format_money(amount, locale=_language(), symbol=False).replace("\u00a0", " ")


def number(value: Decimal | int | None, places: int = 0) -> str:
    """A count or quantity with the language's separators (``1 234,5`` or ``1,234.5``)."""
    return format_number(value, places, locale=_language())


def hours(value: Decimal | None) -> str:
    """Hours with at most two decimals, trailing zeros dropped: ``12,5``."""
    return format_hours(value, locale=_language())


def percent(value: Decimal | None) -> str:
    """A share in percent with at most two decimals, trailing zeros dropped: ``7,5 %``."""
    if value is None:
        return ""
    return f"{hours(value)}\u00a0%"


def date(value: dt.date | dt.datetime | None) -> str:
    """ISO dates (``2010-05-03``) in both languages: the Swedish norm and unambiguous."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        from flask_babel import to_user_timezone

        return to_user_timezone(value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def _encoded_args() -> dict[str, str]:
    """The request's query arguments, each name with all its values encoded, in the order
    the names first appear; computed once per request (a list page builds dozens of links)."""
    found = g.get("encoded_args")
    if found is None:
        found = g.encoded_args = {
            key: urlencode({key: values}, doseq=True)
            for key, values in request.args.to_dict(flat=False).items()
        }
    return found


#: The paging arguments of a list's address (app.web.keyset).
_PAGING = frozenset(("page", "after", "before"))


def url_with(**changes) -> str:
    """The current URL with query parameters changed (``None`` removes one); for sort links,
    filters and pages, so every list view has a stable, shareable address."""
    encoded = _encoded_args()
    if set(changes) - _PAGING:
        # Another filter or sort is another list: its pages start again from the first.
        changes = dict.fromkeys(_PAGING) | changes
    parts = []
    for key, text in encoded.items():
        if key not in changes:
            parts.append(text)
        elif changes[key] is not None and changes[key] != "":
            parts.append(urlencode({key: str(changes[key])}))
    for key, value in changes.items():
        if key not in encoded and value is not None and value != "":
            parts.append(urlencode({key: str(value)}))
    query = "&".join(parts)
    return request.path + (f"?{query}" if query else "")


_PLACEHOLDER = 2147483647


def record_url(endpoint: str, id: int) -> str:
    """``url_for(endpoint, id=id)`` for the many links of a long table: the URL is built once
    per endpoint and request, then only the id changes."""
    cache = g.setdefault("record_urls", {})
    parts = cache.get(endpoint)
    if parts is None:
        parts = cache[endpoint] = url_for(endpoint, id=_PLACEHOLDER).rsplit(str(_PLACEHOLDER), 1)
    return f"{parts[0]}{int(id)}{parts[1]}"


def options(items, value: str | None = None, label: str | None = None) -> list[tuple]:
    """(value, label) pairs for a filter menu: ``options(categories, "id", "name")``, or
    ``options(years)`` where each item is both."""
    return [(getattr(i, value) if value else i, getattr(i, label) if label else i) for i in items]


def card_figure(value: int) -> Markup:
    """A count as a front-page card shows it, large, for a sentence that names what it counts
    (``ngettext('%(figure)s invoice', …, figure=card_figure(n))``)."""
    return Markup('<span class="card-figure">{}</span>').format(number(value))


def nl2br(text: str | None) -> Markup:
    """Line breaks in plain text as ``<br>``, everything else escaped."""
    if not text:
        return Markup("")
    return Markup("<br>\n").join(escape(line) for line in text.splitlines())


#: Fields holding money (decimal strings in the history), shown in the reader's notation.
_MONEY = {
    "ceiling_amount",
    "hourly_rate",
    "added_amount",
    "new_hourly_rate",
    "net_amount",
    "vat_amount",
    "day_rate",
    "fee_amount",
    "travel_amount",
    "amount",
}
#: Fields holding hours (decimal strings), and counts.
_HOURS = {"hours", "hour_quota", "added_hours"}
_COUNTS = {"started_days", "rows", "records", "source_row"}
#: Fields holding a share in percent (decimal strings).
_PERCENTS = {"amendment_review_percent"}
#: A timestamp as the history stores it (ISO 8601, maybe with microseconds and a zone).
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def field_value(name: str, value):
    """A value from the history as a reader reads it: amounts, hours and counts in the
    reader's notation, times in the reader's time zone to the minute, codes by their names,
    yes/no for flags, lists joined, amounts per currency one by one; ``None`` as a dash."""
    if value is None:
        return "—"
    try:
        if name in _MONEY and isinstance(value, str | int):
            return money(Decimal(value), symbol=False)
        if name in _HOURS and isinstance(value, str | int):
            return hours(Decimal(value))
        if name in _PERCENTS and isinstance(value, str | int):
            return percent(Decimal(value))
        if name in _COUNTS and isinstance(value, int) and not isinstance(value, bool):
            return number(value)
        if isinstance(value, str) and _TIMESTAMP.match(value):
            return date(dt.datetime.fromisoformat(value))
    except (ArithmeticError, ValueError):
        return value
    if isinstance(value, dict):
        # An import's amounts: {"SEK": "450187283.39"}.
        shown = []
        for currency, amount in sorted(value.items()):
            try:
                shown.append(money(Decimal(str(amount)), str(currency)))
            except ArithmeticError:
                shown.append(f"{currency} {amount}")
        return ", ".join(shown)
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    codes = labels.CODES.get(name)
    if codes:
        for code, label in codes.items():
            if code.value == value:
                return label
    return value


def register(app: Flask) -> None:
    """Install the filters and globals."""
    from app.charts.svg import number_afresh

    # Each page numbers its charts from 1: the same page, the same bytes.
    app.before_request(number_afresh)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters.update(
        money=money,
        money_compact=money_compact,
        money_input=money_input,
        number=number,
        hours=hours,
        percent=percent,
        date=date,
        nl2br=nl2br,
    )
    from app import privacy
    from app.web.audience import request_audience
    from app.web.audience import staff_name_for_reader
    from app.web.invoice_rows import invoice_rows

    # Templates show people as the reader may see them: the audience comes from the session.
    app.jinja_env.filters.update(
        vendor_name=lambda vendor: privacy.vendor_name(vendor, request_audience()),
        vendor_identifier=lambda vendor: privacy.vendor_identifier(vendor, request_audience()),
        organiser_name=lambda e: privacy.public_vendor_name(
            e.organiser_name, e.organiser_is_private, privacy.hidden_name(request_audience())
        ),
        organiser_identifier=lambda e: privacy.shown_identifier(
            e.organiser_org_number, e.organiser_is_private, request_audience()
        ),
    )
    app.jinja_env.globals.update(
        shows_personal_data=lambda: request_audience().sees_personal_data,
        staff_name=staff_name_for_reader,
    )

    app.jinja_env.globals.update(
        invoice_rows=lambda rows: invoice_rows(rows, request_audience()),
        card_figure=card_figure,
        url_with=url_with,
        record_url=record_url,
        labels=labels,
        field_value=field_value,
        current_language=_language,
        options=options,
    )
