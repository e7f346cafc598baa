"""Browser tests: the real app, served over HTTP on 127.0.0.1, driven by Debian's Chromium.

The app runs in a background thread (werkzeug's threaded server) on a fresh database built by
the migrations, with CSRF protection on as in production. Chromium is launched once per
session through Playwright's sync API; every test gets its own browser context (cookies,
storage) with a Swedish locale, and fails if the page logged a script error, a console error
(a refused request, a Content-Security-Policy violation) or got a server error.

No browser is ever downloaded: Debian's ``/usr/bin/chromium`` is required, and its absence is
a failure, never a skip.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from itertools import count
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser
from playwright.sync_api import BrowserContext
from playwright.sync_api import ConsoleMessage
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page
from playwright.sync_api import Response
from playwright.sync_api import expect
from playwright.sync_api import sync_playwright
from stdnum import luhn
from stdnum.se import orgnr
from werkzeug.serving import BaseWSGIServer
from werkzeug.serving import WSGIRequestHandler
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")

#: The machine has no internet: without the networking switches Chromium stalls on start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

#: How long a locator or an expectation waits before the test fails, in milliseconds.
TIMEOUT_MS = 5_000

DESKTOP = {"width": 1280, "height": 900}

server_log = logging.getLogger("tests.browser.server")


# --- the app, served --------------------------------------------------------------------------


class _RequestHandler(WSGIRequestHandler):
    """Logs requests through ``logging`` (captured by pytest) instead of werkzeug's own
    stream handler, which would outlive pytest's captured streams."""

    def log(self, type: str, message: str, *args) -> None:
        level = logging.ERROR if type == "error" else logging.DEBUG
        server_log.log(level, message, *args)


@dataclass
class LiveServer:
    """The app served on ``url`` from a background thread."""

    app: Flask
    server: BaseWSGIServer
    thread: threading.Thread
    url: str

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)
        assert not self.thread.is_alive(), "the test server did not stop"


@pytest.fixture(scope="session")
def live_server(databases, migrated_app) -> Iterator[LiveServer]:
    """The real app on a free port of 127.0.0.1, on its own database, CSRF protection on."""
    from app.extensions import db

    # Errors reach the error page as in production (and the log), not werkzeug's debugger.
    app = migrated_app(databases.new(), WTF_CSRF_ENABLED=True, PROPAGATE_EXCEPTIONS=False)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_RequestHandler)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name="insyn-test-server",
        daemon=True,
    )
    thread.start()
    live = LiveServer(app, server, thread, f"http://127.0.0.1:{server.server_port}")
    try:
        yield live
    finally:
        live.stop()
        with app.app_context():
            db.engine.dispose()


# --- the browser ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, for the whole session."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"The browser tests need Debian's Chromium at {CHROMIUM}, and it is missing. "
            "Install it with `apt-get install chromium` (never `playwright install`).",
            pytrace=False,
        )
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
        except PlaywrightError as error:
            pytest.fail(f"Chromium at {CHROMIUM} could not be started: {error}", pytrace=False)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class PageProblems:
    """What went wrong in the page while a test drove it."""

    messages: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.messages.append(f"console error: {message.text} ({message.location})")

    def on_page_error(self, error: PlaywrightError) -> None:
        self.messages.append(f"script error: {error}")

    def on_response(self, response: Response) -> None:
        if response.status >= 500:
            self.messages.append(f"server error {response.status} on {response.url}")


@pytest.fixture
def context(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    """A fresh browser profile (no cookies) speaking Swedish, pointed at the live server."""
    ctx = browser.new_context(
        base_url=live_server.url,
        locale="sv-SE",
        timezone_id="Europe/Stockholm",
        viewport=DESKTOP,
    )
    ctx.set_default_timeout(TIMEOUT_MS)
    ctx.set_default_navigation_timeout(TIMEOUT_MS)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    """A tab in ``context``; the test fails if the page reported a script, console or
    server error."""
    problems = PageProblems()
    tab = context.new_page()
    tab.on("console", problems.on_console)
    tab.on("pageerror", problems.on_page_error)
    tab.on("response", problems.on_response)
    yield tab
    tab.close()
    assert not problems.messages, "the page reported problems:\n" + "\n".join(problems.messages)


# --- records made directly, for tests about something else ------------------------------------

_serial = count(1)


def org_number() -> str:
    """A valid Swedish organisation number not used before in this session."""
    body = f"556{next(_serial) + 100000:06d}"  # third digit 2 or more: a legal person
    number = f"{body[:6]}-{body[6:]}{luhn.calc_check_digit(body)}"
    assert orgnr.is_valid(number)
    return number


@dataclass(frozen=True)
class SavedVendor:
    id: int
    name: str
    org_number: str
    label: str  #: what the vendor picker shows once the vendor is chosen


@pytest.fixture
def add_vendor(live_server: LiveServer):
    """Add a vendor straight through the service layer: ``add_vendor("Name AB")``."""
    from app.extensions import db
    from app.services.vendors import create_vendor

    def add(name: str) -> SavedVendor:
        with live_server.app.app_context():
            vendor = create_vendor({"name": name, "org_number": org_number()})
            db.session.commit()
            return SavedVendor(vendor.id, vendor.name, vendor.org_number, vendor.label)

    return add
