"""Vendors, contracts, amendments, engagements, rate cards and lists through their pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from app.models import Category
from app.models import Contract
from app.models import Engagement
from app.models import RateCard
from app.models import Vendor
from tests.conftest import version_of

D = Decimal


def test_a_vendor_is_added_with_its_org_number_normalised(client, db):
    response = client.post(
        "/vendors/new",
        data={
            "name": "Penseo AB",
            "org_number": "5560360793",
            "country": "se",
            "aliases": "PENSEO AB \nPenseo konsult",
        },
    )
    assert response.status_code == 302
    vendor = db.session.scalar(sa.select(Vendor).where(Vendor.name == "Penseo AB"))
    assert (vendor.org_number, vendor.country) == ("556036-0793", "SE")
    assert [a.name for a in vendor.aliases] == ["Penseo konsult"]


def test_an_invalid_org_number_is_refused_on_the_form(client, db):
    response = client.post(
        "/vendors/new", data={"name": "Fel AB", "org_number": "556036-0794", "country": "SE"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "556036-0794" in html and "Fel AB" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vendor)) == 0


def test_a_taken_org_number_links_to_its_vendor(client, db, make_vendor):
    other = make_vendor(org_number="556036-0793")
    html = client.post(
        "/vendors/new", data={"name": "Ny AB", "org_number": "556036-0793", "country": "SE"}
    ).get_data(as_text=True)
    assert f'href="/vendors/{other.id}"' in html


def test_a_contract_is_added_and_amended_from_its_page(client, db, make_vendor):
    vendor = make_vendor()
    response = client.post(
        "/contracts/new",
        data={
            "vendor": vendor.name,
            "vendor_id": vendor.id,
            "reference": "KS 2009/412",
            "title": "Konsultstöd",
            "procurement_basis": "direct_award",
            "starts_on": "2009-09-15",
            "ends_on": "2010-06-30",
            "ceiling_amount": "170 000",
            "hour_quota": "200",
            "hourly_rate": "850",
            "currency": "SEK",
        },
    )
    assert response.status_code == 302
    contract = db.session.scalar(sa.select(Contract))
    assert (contract.ceiling_amount, contract.hour_quota) == (D("170000.00"), D("200.00"))
    response = client.post(
        f"/contracts/{contract.id}/amendments/new",
        data={
            "dated_on": "2010-05-20",
            "kind": "extension",
            "new_ends_on": "2010-12-31",
            "added_amount": "68 000",
            "added_hours": "80",
            "reason": "Förlängning",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/contracts/{contract.id}").get_data(as_text=True)
    # Original and amended values side by side.
    assert "170\u00a0000,00\u00a0kr" in page and "238\u00a0000,00\u00a0kr" in page
    assert "2010-06-30" in page and "2010-12-31" in page


def test_an_empty_amendment_is_refused_with_a_message(client, db, make_contract):
    contract = make_contract()
    response = client.post(
        f"/contracts/{contract.id}/amendments/new", data={"dated_on": "2010-05-20", "kind": "other"}
    )
    assert response.status_code == 200
    assert not contract.amendments


def test_engagements_are_priced_from_the_rate_card(client, db, make_rate_card):
    make_rate_card(
        valid_from=dt.date(2010, 1, 1), valid_to=dt.date(2010, 12, 31), day_rate=D("6000")
    )
    make_rate_card(valid_from=dt.date(2011, 1, 1), day_rate=D("8000"))
    for first, last in [("2010-05-03", "2010-05-04"), ("2011-02-01", "")]:
        response = client.post(
            "/income/new",
            data={
                "organiser_name": "Föreningen Exempel",
                "topic": "Sociala medier",
                "first_day": first,
                "last_day": last,
                "organiser_pays_travel": "y",
                "travel_amount": "1 500",
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)
    fees = db.session.execute(
        sa.select(Engagement.started_days, Engagement.fee_amount).order_by(Engagement.first_day)
    )
    assert [tuple(r) for r in fees] == [(2, D("12000.00")), (1, D("8000.00"))]
    assert client.get("/income/rates/on.json?day=2010-12-31").get_json()["day_rate"] == "6000.00"
    assert client.get("/income/rates/on.json?day=2009-01-01").get_json()["day_rate"] is None
    assert client.get("/income/rates/on.json?day=nonsense").status_code == 400


def test_an_overlapping_rate_card_is_refused_on_the_form(admin_client, db, make_rate_card):
    client = admin_client
    make_rate_card(valid_from=dt.date(2010, 1, 1), valid_to=None)
    response = client.post(
        "/income/rates/new",
        data={"valid_from": "2011-01-01", "day_rate": "8 000", "currency": "SEK"},
    )
    assert response.status_code == 200
    assert "2010-01-01" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RateCard)) == 1


def test_a_rate_card_is_voided_never_removed_and_not_while_it_alone_prices_engagements(
    admin_client, db, make_rate_card
):
    from app.services.income import create_engagement

    used = make_rate_card(valid_to=dt.date(2011, 12, 31))
    unused = make_rate_card(valid_from=dt.date(2012, 1, 1))
    engagement = create_engagement(
        {"organiser_name": "X", "topic": "Y", "first_day": dt.date(2010, 2, 2)}
    )
    db.session.commit()
    page = admin_client.post(
        f"/income/rates/{used.id}/void",
        data={"reason": "Fel", "version": version_of(used)},
        follow_redirects=True,
    ).get_data(as_text=True)
    db.session.expire_all()
    assert not db.session.get(RateCard, used.id).is_voided
    assert "2010-02-02" in page and "X" in page  # the engagement left without a rate
    assert (
        admin_client.post(
            f"/income/rates/{unused.id}/void",
            data={"reason": "Fel år", "version": version_of(unused)},
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert sorted(db.session.scalars(sa.select(RateCard.id))) == sorted([used.id, unused.id])
    assert db.session.get(RateCard, unused.id).void_reason == "Fel år"
    listing = admin_client.get("/income/rates/").get_data(as_text=True)
    assert listing.count('class="voided"') == 1
    # A corrected rate may start on the voided one's first day; restoring the voided one
    # would then overlap, and is refused.
    assert (
        admin_client.post(
            "/income/rates/new",
            data={"valid_from": "2012-01-01", "day_rate": "9 000", "currency": "SEK"},
        ).status_code
        == 302
    )
    page = admin_client.post(
        f"/income/rates/{unused.id}/restore",
        data={"version": version_of(unused)},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert 'class="flash flash-error"' in page
    db.session.expire_all()
    assert db.session.get(RateCard, unused.id).is_voided
    assert db.session.get(type(engagement), engagement.id).day_rate == D("6000.00")


def test_categories_are_added_and_not_doubled(admin_client, db):
    client = admin_client
    assert client.post("/lists/categories/new", data={"name": "Strategi"}).status_code == 302
    response = client.post("/lists/categories/new", data={"name": " strategi "})
    assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Category)) == 1
    assert client.get("/lists/bogus/new").status_code == 404


def test_the_type_ahead_finds_vendors_by_name_or_number(client, db, make_vendor):
    vendor = make_vendor(name="Sociala Medier i Sörmland AB", org_number="556677-8899")
    assert [v["id"] for v in client.get("/vendors/search.json?q=sörm").get_json()] == [vendor.id]
    assert [v["id"] for v in client.get("/vendors/search.json?q=6677889").get_json()] == [vendor.id]
    assert client.get("/vendors/search.json?q=").get_json() == []


def test_a_private_persons_number_is_never_sent_to_the_type_ahead(client, db, make_vendor):
    make_vendor(name="Andersson Anna", org_number="880320-0016")
    [found] = client.get("/vendors/search.json?q=andersson").get_json()
    assert found["org_number"] is None and "880320" not in found["label"]
