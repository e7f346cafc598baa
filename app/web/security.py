"""Security headers on every response."""

from __future__ import annotations

from flask import Flask
from flask_login import current_user

#: No inline scripts or styles, nothing from other origins, never framed.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def register(app: Flask) -> None:
    """Add the headers to every response.

    Behind HTTPS (``SESSION_COOKIE_SECURE``), browsers are told to use nothing else for the
    site (HSTS, for ``HSTS_SECONDS``). A response to a signed-in account is never stored by
    a browser or a proxy (``Cache-Control: private, no-store``): it may hold names and history that
    the next person at a shared computer, or a cache in between, must not see.
    """

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config["SESSION_COOKIE_SECURE"] and app.config["HSTS_SECONDS"]:
            response.headers.setdefault(
                "Strict-Transport-Security", f"max-age={int(app.config['HSTS_SECONDS'])}"
            )
        if current_user and current_user.is_authenticated:
            response.headers["Cache-Control"] = "private, no-store"
            response.headers.pop("Expires", None)
            response.headers.pop("Last-Modified", None)
            response.headers.pop("ETag", None)
        return response
