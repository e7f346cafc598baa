"""A :class:`~app.exporting.table.Table` as one JSON document, streamed.

The shape is the same for every kind::

    {"kind": "totals", "title": "…", "created_at": "2026-11-23T10:00:00Z",
     "licence": "…", "about": [{"label": "Year", "value": "2010"}],
     "columns": [{"key": "vendor", "label": "Leverantör", "kind": "text"}, …],
     "rows": [{"vendor": "…", "currency": "SEK", "amount": "267350.00", …}, …],
     "totals": [{…}], "sources": [{"batch_id": 3, "filename": "…", "sha256": "…", …}]}

Amounts are decimal strings (never floats) beside their ``currency``; dates are ISO 8601.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal

from app.exporting.table import Table


def json_value(value):
    """A cell as JSON: ``Decimal`` as a string, dates in ISO 8601, the rest as is."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def row_object(keys: list[str], values) -> dict:
    return {key: json_value(value) for key, value in zip(keys, values, strict=False)}


def _converted(value):
    """:func:`json_value` for what JSON has no type for, called by the encoder only for
    those cells (text, numbers and ``None`` it writes itself)."""
    if value.__class__ is Decimal:
        text = str(value)  # the same as format(value, "f") unless it is in E notation
        return format(value, "f") if "E" in text else text
    converted = json_value(value)
    if converted is value:
        raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")
    return converted


#: One encoder for every row (``json.dumps`` with an option makes a new one each call).
_ROW_ENCODER = json.JSONEncoder(ensure_ascii=False, default=_converted)


def _row_json(keys: list[str], values) -> str:
    """``_dumps(row_object(keys, values))``, with the cells converted by the encoder."""
    return _ROW_ENCODER.encode(dict(zip(keys, values, strict=False)))


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def json_chunks(table: Table, batch: int = 500) -> Iterator[str]:
    """The document as text chunks, rows streamed a few hundred at a time."""
    keys = [column.key for column in table.columns]
    head = {
        "kind": table.kind,
        "title": table.title,
        "created_at": json_value(table.created_at),
        "licence": table.licence,
        "about": [{"label": label, "value": value} for label, value in table.about],
        "notes": list(table.notes),
        "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in table.columns],
    }
    yield _dumps(head)[:-1] + ', "rows": ['
    parts: list[str] = []
    first = True
    for values in table.rows:
        parts.append(("" if first else ",") + "\n" + _row_json(keys, values))
        first = False
        if len(parts) >= batch:
            yield "".join(parts)
            parts = []
    yield "".join(parts)
    tail = {
        "totals": [row_object(keys, values) for values in table.totals],
        "sources": [
            {
                "batch_id": s.batch_id,
                "filename": s.filename,
                "sha256": s.sha256,
                "imported_at": json_value(s.imported_at),
                "rows": s.rows,
            }
            for s in table.sources
        ],
    }
    if table.parts:
        tail["parts"] = [
            {
                "kind": part.kind,
                "title": part.title,
                "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in part.columns],
                "rows": [row_object([c.key for c in part.columns], row) for row in part.rows],
            }
            for part in table.parts
        ]
    yield "\n], " + _dumps(tail)[1:] + "\n"


def write_json(table: Table, stream) -> None:
    """Write ``table`` to a binary ``stream`` as UTF-8 JSON."""
    for chunk in json_chunks(table):
        stream.write(chunk.encode("utf-8"))
