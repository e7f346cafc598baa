"""Atom feeds of what is new, read with a feed reader (feedparser)."""

from __future__ import annotations

import datetime as dt

import feedparser

from tests.api_helpers import bearer
from tests.api_helpers import make_token


def _read(client, url: str):
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    return feed


def test_a_feed_reader_finds_a_new_invoice_right_after_its_creation(
    app, anonymous, demo, db, make_user, demo_ids
):
    before = _read(anonymous, "/feed.atom")
    assert before.feed.title and before.entries
    _token, secret = make_token(db, make_user)
    created = app.test_client().post(
        "/api/v1/invoices",
        json={
            "vendor_id": demo_ids["vendor"],
            "invoice_number": "RSS-1 <&>",
            "invoiced_on": "2011-02-03",
            "net_amount": "4711.00",
        },
        headers=bearer(secret),
    )
    assert created.status_code == 201
    after = _read(anonymous, "/feed.atom")
    newest = after.entries[0]
    assert "RSS-1 <&>" in newest.title
    assert newest.link.endswith(f"/invoices/{created.json['id']}")
    assert newest.tags[0].term == "invoice"
    assert len({e.id for e in after.entries}) == len(after.entries)


def test_a_vendors_and_a_contracts_feed(anonymous, demo, demo_ids):
    vendor = _read(anonymous, f"/vendors/{demo_ids['vendor']}/feed.atom")
    assert vendor.entries
    contract = _read(anonymous, f"/contracts/{demo_ids['contract']}/feed.atom")
    kinds = {e.tags[0].term for e in contract.entries}
    assert "contract" in kinds
    assert anonymous.get("/vendors/2147483000/feed.atom").status_code == 404


def test_the_feed_shows_private_persons_as_the_public_pages_do(
    anonymous, make_vendor, make_invoice, db
):
    person = make_vendor(name="Svensson;Anna")
    make_invoice(vendor=person, invoiced_on=dt.date(2011, 1, 1))
    text = anonymous.get("/feed.atom").get_data(as_text=True)
    assert "Svensson" not in text and "Privatperson" in text
    assert "Svensson" not in anonymous.get(f"/vendors/{person.id}/feed.atom").get_data(as_text=True)


def test_pages_link_their_feeds(anonymous, demo, demo_ids):
    for url, feed in [
        ("/", "/feed.atom"),
        (f"/vendors/{demo_ids['vendor']}", f"/vendors/{demo_ids['vendor']}/feed.atom"),
        (f"/contracts/{demo_ids['contract']}", f"/contracts/{demo_ids['contract']}/feed.atom"),
    ]:
        html = anonymous.get(url).get_data(as_text=True)
        assert 'type="application/atom+xml"' in html and f'href="{feed}"' in html, url
