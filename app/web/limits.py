"""Rate limits (Flask-Limiter) for anonymous clients of what programs read in bulk: the API,
the pages' JSON, the downloads and the feeds.

One limit per client address across all of those (``RATELIMIT_DEFAULT``, in Flask-Limiter's
notation, e.g. ``100 per minute``), counted in memory or in Redis
(``RATELIMIT_STORAGE_URI``). The address is the request's, which behind a reverse proxy is
the client's once ``PROXY_HOPS`` is set (``ProxyFix``, see ``create_app``). Signed-in accounts
and API token holders are not limited: they are the body's own staff and systems. Past the
limit, the answer is 429 with ``Retry-After``.
"""

from __future__ import annotations

from flask import Flask
from flask import request
from flask_limiter import Limiter
from flask_login import current_user

#: File endings of downloads and documents for programs.
_LIMITED_SUFFIXES = (".json", ".csv", ".xlsx", ".zip", ".atom")


def is_limited() -> bool:
    """Whether the current request counts against the anonymous limit."""
    path = request.path
    bulk = (
        path.startswith(("/api/", "/open-data/"))
        or path.endswith(_LIMITED_SUFFIXES)
        or request.endpoint == "reports.evidence"
    )
    return bulk and not current_user.is_authenticated


def client_address() -> str:
    """Who is counted: the client's address (the proxy's unless ``PROXY_HOPS`` says how many
    proxies to look through)."""
    return request.remote_addr or "unknown"


def register(app: Flask) -> Limiter:
    """Make the app's limiter (one per app: its storage and switch are the app's own)."""
    limiter = Limiter(
        key_func=client_address,
        # The limit is one for all limited addresses together, not one per page, and only
        # for the requests is_limited picks; Flask-Limiter's per-route defaults (which it
        # would also read from RATELIMIT_DEFAULT) never apply.
        application_limits=[lambda: app.config["RATELIMIT_DEFAULT"]],
        default_limits_exempt_when=lambda: True,
    )
    limiter.request_filter(lambda: not is_limited())
    limiter.init_app(app)
    return limiter
