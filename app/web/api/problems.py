"""Errors as ``application/problem+json`` (RFC 9457): a status, a title, a sentence saying
what went wrong and, for invalid input, each field with its message."""

from __future__ import annotations

import json

from flask import Response
from werkzeug.http import HTTP_STATUS_CODES

MIMETYPE = "application/problem+json"


def field_error(field: str, detail: str) -> dict:
    """One invalid field: its name, a JSON pointer to it in the request body and why."""
    return {"field": field, "pointer": f"#/{field}", "detail": detail}


def problem(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    errors: list[dict] | None = None,
    headers: dict | None = None,
    **extra,
) -> Response:
    """A problem response. ``errors`` are :func:`field_error` items; ``extra`` members are
    added as they are (e.g. who saved a record first)."""
    body = {
        "type": "about:blank",
        "title": title or HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": str(detail),
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=MIMETYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
