"""Configuration: safe defaults here, overridden by the environment (``INSYN_*`` and
``DATABASE_URL``) and, in tests, by a mapping passed to ``create_app``."""

from __future__ import annotations

import os
from pathlib import Path


def database_url(instance_path: str) -> str:
    """The database to use: ``DATABASE_URL`` if set, else a SQLite file under ``instance/``."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "insyn.sqlite3")
    return with_driver(url)


def with_driver(url: str) -> str:
    """Give a bare ``postgresql://`` or ``postgres://`` URL the psycopg (v3) driver, the one
    Insyn installs; other URLs are returned unchanged."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def is_production() -> bool:
    """Whether Insyn runs as a real installation (``INSYN_ENV=production``): a secret key is
    then required, and no demo data is loaded unless asked for."""
    return os.environ.get("INSYN_ENV") == "production"


class Config:
    """Defaults. Every key can be overridden with an ``INSYN_``-prefixed environment variable
    (``INSYN_PAGE_SIZE=100``); ``SECRET_KEY`` is read from ``SECRET_KEY`` or ``INSYN_SECRET_KEY``.
    """

    #: Filled in by ``create_app`` from the environment or the instance folder.
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    #: On SQLite, how long a write waits for another writer to finish before it fails, in
    #: seconds (writes take turns; see app/models/sqlite.py).
    SQLITE_BUSY_SECONDS = 10
    #: Uploads (spreadsheets for import) larger than this are refused, in bytes.
    MAX_CONTENT_LENGTH = 200 * 1024 * 1024
    #: Workbooks whose sheets take more than this unpacked are refused, in bytes: a sheet is
    #: parsed whole, into about 1.6 times as much memory (a 200 MB upload can unpack to
    #: gigabytes). 512 MB holds about a million ledger rows; CSV files stream, unbounded.
    MAX_SHEET_BYTES = 512 * 1024 * 1024
    #: Run import jobs in the request instead of a background thread (tests).
    IMPORT_JOBS_INLINE = False
    WTF_CSRF_ENABLED = True
    #: CSRF tokens last a working day, so a long form does not fail on submit.
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    WTF_I18N_ENABLED = True
    BABEL_DEFAULT_LOCALE = "sv"
    BABEL_DEFAULT_TIMEZONE = "Europe/Stockholm"
    #: Interface languages, first is the default.
    LANGUAGES = ("sv", "en")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    #: Set to true when served over HTTPS (then browsers are also told, by HSTS, to reach the
    #: site over HTTPS only).
    SESSION_COOKIE_SECURE = False
    #: How long browsers keep to HTTPS for the site once told (HSTS), in seconds; 0: never
    #: told. Only sent when ``SESSION_COOKIE_SECURE`` is set.
    HSTS_SECONDS = 365 * 24 * 3600
    #: How passwords are hashed (werkzeug's notation); scrypt's defaults unless tuned.
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - a method name, not a password
    #: Passwords shorter than this are refused.
    PASSWORD_MIN_LENGTH = 12
    #: Failed sign-ins (per account, and per address) before signing in is locked…
    LOGIN_MAX_FAILURES = 5
    #: …for this many minutes.
    LOGIN_LOCK_MINUTES = 15
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    #: A session whose address or browser changes must sign in again.
    SESSION_PROTECTION = "strong"
    #: Reverse proxies in front of Insyn whose X-Forwarded-For/-Proto headers are trusted
    #: (0: none). Sign-in throttling counts per client address, so behind a proxy set this.
    PROXY_HOPS = 0
    #: The folder holding pg_dump and pg_restore for ``insyn backup`` and ``insyn restore``
    #: on PostgreSQL; empty: the server's own version's (/usr/lib/postgresql/<major>/bin),
    #: else one on the PATH.
    PG_BIN_DIR = ""
    #: How long a copy of a heavy public page (front page, reports, their JSON) may be
    #: served again to readers who are not signed in, in seconds; any change to a record
    #: ends it sooner (app/web/response_cache.py). 0: never.
    PUBLIC_CACHE_SECONDS = 10
    #: Rows per page in lists.
    PAGE_SIZE = 50
    #: The currency of imported files that name none (ISO 4217): neither a currency column,
    #: the amount's header nor a title above the header says. Imports say when they use it.
    DEFAULT_CURRENCY = "SEK"
    #: The country (ISO 3166-1 alpha-2) of the deployment: new suppliers paid in its default
    #: currency get it (suppliers paid in another get that currency's country).
    DEFAULT_COUNTRY = "SE"
    #: The VAT rates offered when entering an invoice, in percent (Swedish rates). A SEK
    #: invoice's VAT must be one of them (app.services.plausibility), or confirmed by the clerk.
    VAT_RATES = (25, 12, 6, 0)
    #: How far, in kronor either way, a VAT may stray from a rate for rounding (an invoice's
    #: lines rounded one by one).
    VAT_TOLERANCE = "1.00"
    #: Plausible dates (app.services.plausibility): nothing before EARLIEST_DATE (YYYY-MM-DD);
    #: no invoice, payment, lecture, signature or amendment more than YEARS_AHEAD years after
    #: today; no contract period or day rate ending more than CONTRACT_YEARS_AHEAD years ahead
    #: (public registers hold leases and partnerships that run to 2050).
    EARLIEST_DATE = "1990-01-01"
    YEARS_AHEAD = 1
    CONTRACT_YEARS_AHEAD = 30
    #: Who publishes the data: the buyer in open-data exports (the leverantörsreskontra
    #: specification's ``kopare`` and ``kopare_id``; OCDS's buyer), and the municipality's SCB
    #: code (``kommun_id``), if it is one.
    PUBLISHER_NAME = "Exempelkommun"
    PUBLISHER_ORG_NUMBER = "212999-0004"  # an example; set INSYN_PUBLISHER_ORG_NUMBER
    PUBLISHER_MUNICIPALITY_CODE = ""
    #: The licence exports state for the data (Swedish public bodies usually publish under
    #: CC0).
    DATA_LICENCE = "CC0 1.0 Universal (https://creativecommons.org/publicdomain/zero/1.0/)"
    #: The prefix of the OCIDs in the OCDS export: a contract's OCID is "<prefix>-<its id>".
    #: Registered prefixes look like "ocds-xxxxxx"; a publisher registers its own with the
    #: Open Contracting Partnership and sets INSYN_OCDS_OCID_PREFIX. This default is not one.
    OCDS_OCID_PREFIX = "ocds-insyn"
    #: Where the OCDS release package is published (its "uri"); empty: each package is named
    #: by a new urn:uuid, since a package must have a URI.
    OCDS_PACKAGE_URI = ""
    #: How long, in seconds, any cache may keep a public answer of the API, a page's JSON or
    #: a feed before asking again (with its ETag: a 304 costs one small query).
    HTTP_MAX_AGE = 60
    #: The rate limit for anonymous clients of the API, the pages' JSON, the exports and the
    #: feeds, per client address, in Flask-Limiter's notation ("100 per minute", "1000 per
    #: hour; 100 per minute"). Signed-in accounts and token holders are not limited.
    RATELIMIT_DEFAULT = "120 per minute"
    #: Where the counts are kept: in the server's memory by default (per process); set
    #: INSYN_RATELIMIT_STORAGE_URI=redis://host:6379/0 to share them between processes.
    RATELIMIT_STORAGE_URI = "memory://"
    #: Rate limits can be switched off (the tests do, except those that test them).
    RATELIMIT_ENABLED = True
    #: 429 answers say when to retry (Retry-After), and every limited answer how much is left.
    RATELIMIT_HEADERS_ENABLED = True
