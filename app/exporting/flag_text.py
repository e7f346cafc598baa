"""Flags as sentences in the reader's language, for the pages and the exports alike: the
amounts in the flag's currency, hours as hours, counts with their plural form."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import gettext
from flask_babel import ngettext

from app.money import format_hours
from app.money import format_money
from app.money import format_number
from app.services.flags import Flag


def flag_params(flag: Flag, currency: str, language: str) -> dict:
    """The flag's parameters as text: amounts in ``currency`` (hours on an hours flag),
    counts with the language's separators, dates as ISO dates."""
    params = dict(flag.params)
    for key, value in params.items():
        if isinstance(value, Decimal):
            params[key] = (
                format_hours(value, locale=language)
                if flag.kind == "hours"
                else format_money(value, currency, locale=language)
            )
        elif isinstance(value, int) and key == "count":
            params[key] = format_number(value, locale=language)
    for key in ("date", "start", "end", "since"):
        raw = params.get(key)
        if isinstance(raw, str) and len(raw) == 10 and raw[4] == "-":
            params[key] = dt.date.fromisoformat(raw).isoformat()
    return params


def flag_text(flag: Flag, currency: str, language: str) -> str:
    """The flag's sentence, translated (``ngettext`` when it counts invoices: "1 faktura",
    "2 fakturor")."""
    params = flag_params(flag, flag.currency or currency, language)
    if flag.plural:
        return ngettext(flag.message, flag.plural, int(flag.params.get("count", 0)), **params)
    return gettext(flag.message, **params)
