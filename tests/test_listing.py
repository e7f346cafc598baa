"""What lists and redirects read from the query string: ``next`` never leaves the site, and
numbers no list can have are refused with a 400 that says so, never a server error."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.conftest import PASSWORD

#: Targets that a browser would follow off the site (or that break a header), as they come in
#: the query string.
HOSTILE_NEXT = [
    "/%09/evil.example",
    "/%0a/evil.example",
    "/%0d/evil.example",
    "//evil.example",
    "///evil.example",
    "/%5Cevil.example",
    "%5C%5Cevil.example",
    "/%5C/evil.example",
    "https:evil.example",
    "https://evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    "/reports/%0d%0aSet-Cookie:%20x=1",
    "/%00/evil.example",
    "%09//evil.example",
]


def _stays_on_site(response) -> None:
    assert response.status_code in (302, 303), response.status_code
    location = response.headers["Location"]
    parts = urlsplit(location)
    assert parts.scheme in ("", "http") and parts.netloc in ("", "localhost"), location
    assert parts.path.startswith("/") and not parts.path.startswith("//"), location
    assert not any(ord(ch) < 32 for ch in location) and "\\" not in location, location


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_the_language_switch_never_sends_the_browser_off_site(anonymous, target):
    response = anonymous.get(f"/language/en?next={target}")
    if response.status_code == 400:  # a NUL is refused before anything reads it
        return
    _stays_on_site(response)


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_signing_in_never_sends_the_browser_off_site(app, db, make_user, target):
    user = make_user("clerk")
    browser = app.test_client()
    response = browser.post(
        f"/login?next={target}", data={"email": user.email, "password": PASSWORD}
    )
    if response.status_code == 400:
        return
    _stays_on_site(response)


def test_a_path_on_the_site_is_still_returned_to(app, anonymous, db, make_user):
    assert anonymous.get("/language/en?next=/reports/totals?by=year").headers["Location"] == (
        "/reports/totals?by=year"
    )
    user = make_user("clerk")
    response = app.test_client().post(
        "/login?next=/invoices/%3Fyear%3D2010", data={"email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/invoices/?year=2010"


HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    "url",
    [
        f"/invoices/?page={HUGE}",
        f"/vendors/?page={HUGE}",
        f"/contracts/?page={HUGE}",
        f"/income/?page={HUGE}",
        f"/imports/?page={HUGE}",
        f"/invoices.json?page={HUGE}",
        f"/vendors.json?page={HUGE}",
        f"/invoices.json?per_page={HUGE}",
    ],
)
def test_a_page_beyond_any_list_is_a_bad_request_that_says_so(anonymous, db, url):
    response = anonymous.get(url)
    assert response.status_code == 400, url
    text = response.json["detail"] if ".json" in url else response.get_data(as_text=True)
    assert f"{HUGE[:30]} är större än antalet sidor" in text


@pytest.mark.parametrize(
    "url",
    [
        f"/invoices/?min={HUGE}&max=-{HUGE}",
        f"/reports/totals?min={HUGE}",
        f"/reports/totals.json?max={HUGE}",
        f"/invoices.csv?min={HUGE}",
        f"/reports/?min={HUGE}",
    ],
)
def test_an_amount_beyond_any_kept_is_left_out_and_said(anonymous, demo, url):
    response = anonymous.get(url)
    assert response.status_code == 200, url
    if "json" in url:
        assert any("min" in text or "max" in text for text in response.json["ignored"])
