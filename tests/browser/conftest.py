"""Browser tests: the real app, served over HTTP on 127.0.0.1, driven by Debian's Chromium.

The app runs in a background thread (werkzeug's threaded server) on a fresh database built by
the migrations, with CSRF protection on as in production. Chromium is launched once per
session through Playwright's sync API; every test gets its own browser context (cookies,
storage) with a Swedish locale, and fails if the page logged a script error, a console error
(a refused request, a Content-Security-Policy violation) or got a server error.

Every write needs an account, so ``page`` is signed in as a clerk (``clerk``, an account of
its own for each test) through the real sign-in page; ``anonymous_page`` has not signed in.
Accounts are opened straight on the live server's database (``make_account``), and more
browsers, each with its own cookies, come from ``new_page``.

No browser is ever downloaded: Debian's ``/usr/bin/chromium`` is required, and its absence is
a failure, never a skip.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from itertools import count
from pathlib import Path
from urllib.parse import urljoin
from urllib.parse import urlsplit

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

from app.settings import password_policy

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
    # Imports run in the background of the server, as in production.
    app = migrated_app(
        databases.new(), WTF_CSRF_ENABLED=True, PROPAGATE_EXCEPTIONS=False, IMPORT_JOBS_INLINE=False
    )
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
    #: (URL, status) answers the test expects, whose console error is no problem.
    expected: set[tuple[str, int]] = field(default_factory=set)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "")
        if any(url == u and f"status of {s} (" in message.text for u, s in self.expected):
            return
        self.messages.append(f"console error: {message.text} ({message.location})")

    def on_page_error(self, error: PlaywrightError) -> None:
        self.messages.append(f"script error: {error}")

    def on_response(self, response: Response) -> None:
        if response.status >= 500:
            self.messages.append(f"server error {response.status} on {response.url}")


class PageWatch:
    """The tabs a test opened, each with what went wrong in it."""

    def __init__(self, base_url: str) -> None:
        self._base_url = base_url
        self._problems: dict[Page, PageProblems] = {}

    def watch(self, tab: Page) -> Page:
        problems = self._problems[tab] = PageProblems()
        tab.on("console", problems.on_console)
        tab.on("pageerror", problems.on_page_error)
        tab.on("response", problems.on_response)
        return tab

    def expect_status(self, tab: Page, path: str, status: int) -> None:
        """Let ``path`` answer ``status`` in ``tab`` (a refusal the test is about): the
        browser's console error for it is then no problem."""
        self._problems[tab].expected.add((urljoin(self._base_url, path), status))

    @property
    def messages(self) -> list[str]:
        return [m for problems in self._problems.values() for m in problems.messages]


@pytest.fixture
def page_watch(live_server: LiveServer) -> Iterator[PageWatch]:
    """Fails the test if any tab it opened reported a script, console or server error; use
    ``page_watch.expect_status(tab, path, 403)`` before an expected refusal."""
    watch = PageWatch(live_server.url)
    yield watch
    assert not watch.messages, "the page reported problems:\n" + "\n".join(watch.messages)


def _new_context(browser: Browser, live_server: LiveServer) -> BrowserContext:
    """A fresh browser profile (no cookies) speaking Swedish, pointed at the live server."""
    ctx = browser.new_context(
        base_url=live_server.url,
        locale="sv-SE",
        timezone_id="Europe/Stockholm",
        viewport=DESKTOP,
    )
    ctx.set_default_timeout(TIMEOUT_MS)
    ctx.set_default_navigation_timeout(TIMEOUT_MS)
    return ctx


@pytest.fixture
def context(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    """A fresh browser profile (no cookies) speaking Swedish, pointed at the live server."""
    ctx = _new_context(browser, live_server)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def new_page(
    browser: Browser, live_server: LiveServer, page_watch: PageWatch, sign_in
) -> Iterator[Callable[..., Page]]:
    """Open another browser: ``new_page(as_=account)`` is a tab in a profile of its own (its
    own cookies), signed in as ``account`` unless that is ``None``; watched as
    ``page_watch`` says."""
    contexts: list[BrowserContext] = []

    def open_(as_: Account | None = None) -> Page:
        ctx = _new_context(browser, live_server)
        contexts.append(ctx)
        tab = page_watch.watch(ctx.new_page())
        if as_ is not None:
            sign_in(tab, as_)
        return tab

    yield open_
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def anonymous_page(context: BrowserContext, page_watch: PageWatch) -> Iterator[Page]:
    """A tab in ``context`` that has not signed in; watched as ``page_watch`` says."""
    tab = page_watch.watch(context.new_page())
    yield tab
    tab.close()


@pytest.fixture
def page(anonymous_page: Page, clerk: Account, sign_in) -> Page:
    """A tab in ``context`` signed in as ``clerk``; watched as ``page_watch`` says.
    (It is ``anonymous_page`` itself, signed in: ask for one or the other.)"""
    sign_in(anonymous_page, clerk)
    return anonymous_page


# --- accounts ---------------------------------------------------------------------------------

#: The password of every account the browser tests open: long and unguessable enough for the
#: password rules, and hashed cheaply (the live app has ``PASSWORD_HASH_METHOD`` from the
#: test configuration).
PASSWORD = "blå kanelbulle trappräcke 48 ångbåt"

_accounts = count(1)


def _is_sign_in_post(response: Response) -> bool:
    return response.request.method == "POST" and urlsplit(response.url).path == "/login"


def _one_line(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class Account:
    """An account opened on the live server's database, with what it signs in with."""

    id: int
    email: str
    name: str
    role: str
    password: str = field(repr=False)

    @property
    def label(self) -> str:
        """How the audit trail names the account's changes."""
        return f"{self.name} <{self.email}>"


@pytest.fixture
def make_account(live_server: LiveServer) -> Callable[..., Account]:
    """Open an account on the live server: ``make_account("auditor")``, or with ``name``."""
    from app.extensions import db
    from app.services.accounts import create_user

    def make(role: str = "clerk", name: str | None = None) -> Account:
        number = next(_accounts)
        data = {
            "email": f"{role}{number}@browser.kommun.example",
            "name": name or f"{role.title()} {number}",
            "role": role,
            "password": PASSWORD,
        }
        with live_server.app.app_context():
            user = create_user(data, policy=password_policy())
            db.session.commit()
            return Account(user.id, user.email, user.name, user.role.value, PASSWORD)

    return make


@pytest.fixture
def clerk(make_account) -> Account:
    """The clerk ``page`` is signed in as."""
    return make_account("clerk")


@pytest.fixture
def sign_in() -> Callable[[Page, Account], None]:
    """Sign a tab in through the real sign-in page: ``sign_in(page, account)``. Fails at once
    if the sign-in is refused (only refusals count towards the sign-in throttle, so tests that
    always sign in correctly can never lock the shared address out)."""

    def sign_in_(tab: Page, account: Account) -> None:
        tab.goto("/login")
        tab.locator("#email").fill(account.email)
        tab.locator("#password").fill(account.password)
        with tab.expect_response(_is_sign_in_post) as posted:
            tab.locator("form.record-form button[type=submit]").click()
        if posted.value.status != 302:  # refused: the form is shown again, with the reason
            tab.wait_for_load_state()
            refusal = _one_line(" ".join(tab.locator(".errors").all_text_contents()))
            pytest.fail(f"{account.email} could not sign in: {refusal}", pytrace=False)
        expect(tab.locator("details.account-menu summary")).to_have_text(account.name)

    return sign_in_


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


@dataclass(frozen=True)
class SavedInvoice:
    id: int
    invoice_number: str
    vendor: SavedVendor

    @property
    def url(self) -> str:
        return f"/invoices/{self.id}"


@pytest.fixture
def add_invoice(live_server: LiveServer, add_vendor):
    """Add an invoice of a new vendor straight through the service layer, 1 000,00 kr plus
    25 % VAT unless ``net_amount`` says otherwise: ``add_invoice("F-1")``."""
    from app.extensions import db
    from app.models import Vendor
    from app.services.invoices import create_invoice

    def add(number: str, net_amount: str = "1000.00") -> SavedInvoice:
        vendor = add_vendor(f"Fakturerande Konsult {next(_serial)} AB")
        with live_server.app.app_context():
            invoice = create_invoice(
                {
                    "vendor": db.session.get(Vendor, vendor.id),
                    "invoice_number": number,
                    "invoiced_on": dt.date(2010, 4, 30),
                    "net_amount": Decimal(net_amount),
                    "vat_rate": 25,
                }
            )
            db.session.commit()
            return SavedInvoice(invoice.id, invoice.invoice_number, vendor)

    return add
