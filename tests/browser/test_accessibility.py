"""Accessibility and small screens: axe-core finds no critical or serious problem on the main
pages and forms; at phone width (390 px) nothing runs off the screen, charts scale, tables
scroll inside their frame with the first column fixed, and filters fold away. Screenshots of
the front page, the pivot and the invoice form at 390 px are kept in ``test-results/`` to be
looked at."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

#: Where the screenshots go (git-ignored), for a person to look at.
RESULTS = Path(__file__).resolve().parents[2] / "test-results"
PHONE = {"width": 390, "height": 844}
#: What axe-core may not find at all.
FORBIDDEN = {"critical", "serious"}

_serial = itertools.count(1)


@pytest.fixture
def records(live_server, add_vendor):
    """A little of everything the pages show: a vendor with a contract (amended), invoices in
    two currencies over two years, a day rate and a lecture, and an import of a small file."""
    from app.extensions import db
    from app.models import Vendor
    from app.services.contracts import add_amendment
    from app.services.contracts import create_contract
    from app.services.income import create_engagement
    from app.services.income import create_rate_card
    from app.services.income import rate_card_on
    from app.services.invoices import create_invoice

    number = next(_serial)
    vendor = add_vendor(f"Tillgänglighetsbyrån {number} AB")
    with live_server.app.app_context():
        owner = db.session.get(Vendor, vendor.id)
        contract = create_contract(
            {
                "vendor": owner,
                "reference": f"KS 2010/{900 + number}",
                "title": "Webbtillgänglighet",
                "starts_on": dt.date(2010, 1, 1),
                "ends_on": dt.date(2010, 12, 31),
                "ceiling_amount": Decimal("150000.00"),
                "hour_quota": Decimal("150"),
                "hourly_rate": Decimal("1000.00"),
            }
        )
        add_amendment(
            contract,
            {
                "dated_on": dt.date(2010, 6, 1),
                "kind": "extension",
                "new_ends_on": dt.date(2011, 6, 30),
            },
        )
        for i, (day, amount, currency) in enumerate(
            [
                (dt.date(2010, 3, 1), "40000.00", "SEK"),
                (dt.date(2010, 9, 1), "95000.00", "SEK"),
                (dt.date(2011, 2, 1), "1250.00", "GBP"),
            ]
        ):
            create_invoice(
                {
                    "vendor": owner,
                    "contract": contract if currency == "SEK" else None,
                    "invoice_number": f"A-{number}-{i}",
                    "invoiced_on": day,
                    "net_amount": Decimal(amount),
                    "vat_rate": 25 if currency == "SEK" else 0,
                    "currency": currency,
                    "hours": Decimal("40") if currency == "SEK" else None,
                }
            )
        if rate_card_on(dt.date(2010, 5, 3)) is None:
            create_rate_card({"valid_from": dt.date(2010, 1, 1), "day_rate": Decimal("6000.00")})
        engagement = create_engagement(
            {"organiser_name": "Länsstyrelsen", "topic": "Tillgängliga webbplatser",
             "first_day": dt.date(2010, 5, 3)}
        )  # fmt: skip
        db.session.commit()
        return {"vendor": vendor.id, "contract": contract.id, "engagement": engagement.id}


def _axe_problems(page: Page) -> list[str]:
    """axe-core's critical and serious findings on the page, each with where it was."""
    results = Axe().run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in FORBIDDEN:
            targets = [", ".join(node["target"]) for node in violation["nodes"][:5]]
            found.append(
                f"{violation['id']} ({violation['impact']}): {violation['help']} {targets}"
            )
    return found


def test_the_main_pages_and_forms_have_no_critical_or_serious_axe_findings(
    new_page, make_account, records
):
    admin = new_page(as_=make_account("admin"))
    public = new_page()
    pages = [
        (public, "/"),
        (public, "/reports/"),
        (public, "/reports/totals?by=year,vendor"),
        (public, "/reports/balance?year=2010"),
        (public, "/invoices/"),
        (public, f"/vendors/{records['vendor']}"),
        (public, f"/contracts/{records['contract']}"),
        (public, "/income/"),
        (public, "/imports/"),
        (public, "/login"),
        (public, "/search?q=tillg"),
        (admin, "/"),
        (admin, "/invoices/new"),
        (admin, f"/contracts/{records['contract']}"),
        (admin, f"/income/{records['engagement']}"),
        (admin, "/income/new"),
        (admin, "/contracts/new"),
        (admin, "/imports/"),
        (admin, "/audit/"),
        (admin, f"/vendors/{records['vendor']}"),
        (admin, "/reports/thresholds/"),
        (admin, "/reports/thresholds/review-share"),
    ]
    problems = {}
    for tab, url in pages:
        tab.goto(url)
        found = _axe_problems(tab)
        if found:
            problems[url] = found
    # A form sent back with its errors, as a clerk meets it.
    admin.goto("/invoices/new")
    admin.locator("[name=save]").click()
    expect(admin.locator("#invoice_number-error")).to_be_visible()
    if found := _axe_problems(admin):
        problems["/invoices/new (errors)"] = found
    assert not problems, "\n".join(f"{url}: {p}" for url, items in problems.items() for p in items)


def overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the window (0 when it fits)."""
    return page.evaluate(
        "() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"
    )


def _shoot(page: Page, name: str) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / name
    page.screenshot(path=path, full_page=True)
    assert path.stat().st_size > 0
    return path


def test_at_phone_width_nothing_runs_off_screen_charts_scale_and_tables_scroll(
    new_page, make_account, records
):
    tab = new_page(as_=make_account("clerk"))
    tab.set_viewport_size(PHONE)
    for url, name in [
        ("/", "front-page-390.png"),
        ("/reports/", "pivot-390.png"),
        ("/invoices/new", "invoice-form-390.png"),
    ]:
        tab.goto(url)
        _shoot(tab, name)
        assert overflow(tab) == 0, url
    for url in [
        "/",
        "/reports/",
        "/reports/balance?year=2010",
        f"/contracts/{records['contract']}",
    ]:
        tab.goto(url)
        assert overflow(tab) == 0, url
        charts = tab.locator("figure.chart-figure svg")
        assert charts.count() >= 1, url
        for index in range(charts.count()):
            chart = charts.nth(index)
            assert chart.get_attribute("viewBox"), url
            box = chart.bounding_box()
            assert box["width"] <= PHONE["width"], (url, box)
    # A wide table scrolls inside its frame, its first column staying in view.
    tab.goto("/reports/")
    frame = tab.locator(".table-wrap").first
    assert frame.evaluate("e => e.scrollWidth > e.clientWidth")
    first_cell = frame.locator("tbody th").first
    assert first_cell.evaluate("e => getComputedStyle(e).position") == "sticky"
    before = first_cell.bounding_box()["x"]
    frame.evaluate("e => { e.scrollLeft = 200 }")
    assert abs(first_cell.bounding_box()["x"] - before) < 1
    # Filters fold away on a phone: closed, a tap opens them.
    filters = tab.locator("details.filters-fold").first
    expect(filters).to_be_visible()
    assert filters.get_attribute("open") is None
    filters.locator("summary").click()
    expect(filters.locator("button", has_text="Filtrera")).to_be_visible()
    # On a wide screen they stand open.
    tab.set_viewport_size({"width": 1280, "height": 900})
    tab.goto("/reports/")
    expect(tab.locator("details.filters-fold button", has_text="Filtrera").first).to_be_visible()
