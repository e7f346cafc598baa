"""The invoice form on a wide screen and on a phone: screenshots to look at, and no sideways
scrolling on a phone, neither empty nor with its error messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

WIDE = {"width": 1280, "height": 900}
#: A common phone width. The viewport is resized rather than emulating a mobile device: a
#: mobile viewport would zoom out to fit overflowing content and so hide the overflow.
PHONE = {"width": 390, "height": 844}


def overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the window (0 when it fits)."""
    return page.evaluate(
        "() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"
    )


def overflowing_elements(page: Page) -> list[str]:
    """The elements that reach past the window's right edge, for the failure message."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
            .slice(0, 10)
            .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                 + (e.className && typeof e.className === 'string'
                    ? '.' + e.className.trim().split(/\\s+/).join('.') : ''))"""
    )


def shoot(page: Page, path: Path) -> Path:
    page.screenshot(path=path, full_page=True)
    assert path.stat().st_size > 0
    return path


def test_the_invoice_form_fits_a_wide_screen_and_a_phone(page: Page, tmp_path: Path):
    page.set_viewport_size(WIDE)
    page.goto("/invoices/new")
    expect(page.locator("#net_amount")).to_be_visible()
    shoot(page, tmp_path / "invoice-form-1280.png")
    assert overflow(page) == 0, overflowing_elements(page)

    page.set_viewport_size(PHONE)
    assert page.evaluate("() => window.innerWidth") == PHONE["width"]
    shoot(page, tmp_path / "invoice-form-390.png")
    assert overflow(page) == 0, overflowing_elements(page)

    # Saved empty: every message is shown, and the form must still fit.
    page.locator("[name=save]").click()
    expect(page.locator("#invoice_number-error")).to_be_visible()
    shoot(page, tmp_path / "invoice-form-390-errors.png")
    assert overflow(page) == 0, overflowing_elements(page)
