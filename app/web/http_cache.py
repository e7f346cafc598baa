"""HTTP caching and CORS for what programs read: the API, the pages' JSON and the feeds.

Every GET of those answers with an ``ETag`` and a ``Last-Modified`` made from the state of the
whole database (:func:`app.services.changes.data_version`: one small query), the reader's
audience and language. A client that sends them back (``If-None-Match``,
``If-Modified-Since``) gets ``304 Not Modified`` with no body, before the report is computed.
Public answers may be kept by any cache for a short while and must then be revalidated;
answers to signed-in accounts and token holders are never stored. Anyone's browser may read
the public data from another site (``Access-Control-Allow-Origin: *``), for GET only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from flask import Flask
from flask import Response
from flask import current_app
from flask import g
from flask import request
from flask_login import current_user

from app.i18n import select_locale
from app.services.changes import DataVersion
from app.services.changes import data_version

#: Endpoints whose answers change with something other than the records (an import job's
#: progress): each gives its own validator, ``(tag, changed_at)``.
OWN_VALIDATORS: dict[str, Callable[..., DataVersion]] = {}

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": (
        "ETag, Last-Modified, Link, Location, Retry-After, X-RateLimit-Limit, "
        "X-RateLimit-Remaining, X-RateLimit-Reset"
    ),
}
PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": (
        "Authorization, Accept, Accept-Language, If-None-Match, If-Modified-Since"
    ),
    "Access-Control-Max-Age": "86400",
}
#: What an answer depends on besides its address.
VARY = "Accept-Language, Cookie, Authorization"


def own_validator(endpoint: str):
    """Register the decorated function as ``endpoint``'s validator (it gets the view's
    arguments)."""

    def decorator(function: Callable[..., DataVersion]):
        OWN_VALIDATORS[endpoint] = function
        return function

    return decorator


def is_for_programs() -> bool:
    """Whether this request is for the API, a page's JSON or a feed."""
    path = request.path
    return path.startswith("/api/") or path.endswith((".json", ".atom"))


def _validated() -> bool:
    return request.method in ("GET", "HEAD") and is_for_programs() and request.endpoint is not None


def _entity_tag(version: DataVersion) -> str:
    audience = "staff" if current_user.is_authenticated else "public"
    seed = f"{version.tag}|{audience}|{select_locale()}"
    return hashlib.sha256(seed.encode()).hexdigest()[:20]


def _validator() -> tuple[str, DataVersion]:
    own = OWN_VALIDATORS.get(request.endpoint or "")
    version = own(**(request.view_args or {})) if own else data_version()
    return _entity_tag(version), version


def _is_fresh(tag: str, version: DataVersion) -> bool:
    """Whether the client's copy is still current (If-None-Match wins over
    If-Modified-Since, as RFC 9110 says)."""
    if request.if_none_match:
        return request.if_none_match.contains_weak(tag)
    since = request.if_modified_since
    if since is not None and version.changed_at is not None:
        return version.changed_at.replace(microsecond=0) <= since
    return False


def _cache_headers(response: Response, tag: str, version: DataVersion) -> None:
    response.set_etag(tag, weak=True)
    if version.changed_at is not None:
        response.last_modified = version.changed_at
    if current_user.is_authenticated:
        response.headers["Cache-Control"] = "private, no-store"
    else:
        age = int(current_app.config["HTTP_MAX_AGE"])
        response.headers["Cache-Control"] = f"public, max-age={age}, must-revalidate"
    response.headers["Vary"] = VARY


def register(app: Flask) -> None:
    """Install the conditional-request check (after sign-in and rate limits) and the
    headers."""

    @app.before_request
    def _not_modified():
        if not _validated():
            return None
        tag, version = _validator()
        g.http_validator = (tag, version)
        if not _is_fresh(tag, version):
            return None
        response = Response(status=304)
        _cache_headers(response, tag, version)
        response.headers.update(CORS_HEADERS)
        return response

    @app.after_request
    def _headers(response: Response) -> Response:
        if not is_for_programs():
            return response
        if request.method == "OPTIONS":
            response.headers.update(PREFLIGHT_HEADERS)
        if request.method in ("GET", "HEAD", "OPTIONS"):
            response.headers.update(CORS_HEADERS)
        validator = g.get("http_validator")
        if validator is not None and response.status_code == 200:
            _cache_headers(response, *validator)
        return response
