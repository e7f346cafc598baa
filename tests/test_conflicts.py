"""No silent overwrites: a save built on an older version of a record is refused, says who
changed it and when, and keeps what was typed beside the current values."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from app.models import Invoice
from app.services import invoices
from app.services.conflicts import VersionConflict
from tests.conftest import PASSWORD

D = Decimal


def _form_data(invoice, **changes):
    return {
        "vendor": invoice.vendor.name,
        "vendor_id": invoice.vendor_id,
        "invoice_number": invoice.invoice_number,
        "invoiced_on": invoice.invoiced_on.isoformat(),
        "net_amount": "1 000,00",
        "vat_rate": "25",
        "currency": "SEK",
        "description": "",
        "version": invoice.version,
        **changes,
    }


def test_a_stale_version_is_refused_by_the_service_with_who_and_when(client, db, make_invoice):
    invoice = make_invoice(net_amount=D("1000"))
    opened = _form_data(invoice)  # version 1
    assert (
        client.post(
            f"/invoices/{invoice.id}/edit", data={**opened, "net_amount": "1 200,00"}
        ).status_code
        == 302
    )
    db.session.refresh(invoice)
    assert invoice.version == 2
    with pytest.raises(VersionConflict) as caught:
        invoices.update_invoice(invoice, {"vendor": invoice.vendor, "version": 1})
    assert client.user.name in caught.value.params["who"]
    assert caught.value.params["when"].endswith("UTC")


def test_the_second_of_two_saves_is_refused_and_nothing_typed_is_lost(
    app, client, db, make_invoice, make_user
):
    from tests.conftest import sign_in

    invoice = make_invoice(net_amount=D("1000"))
    first, second = client, sign_in(app.test_client(), make_user("clerk"))
    # Both open the form (version 1).
    for browser in (first, second):
        assert f'name="version" type="hidden" value="{invoice.version}"' in browser.get(
            f"/invoices/{invoice.id}/edit"
        ).get_data(as_text=True)
    saved = first.post(
        f"/invoices/{invoice.id}/edit", data=_form_data(invoice, net_amount="1 500,00")
    )
    assert saved.status_code == 302

    refused = second.post(
        f"/invoices/{invoice.id}/edit", data=_form_data(invoice, description="Min ändring")
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert 'class="conflict"' in html and client.user.name in html
    # The current amount beside the typed one; the typed description still in the form.
    assert "1 500,00" in html.split('class="conflict"')[1].split("</div>")[0]
    assert "Min ändring" in html
    assert 'name="version" type="hidden" value="2"' in html

    db.session.refresh(invoice)
    assert (invoice.net_amount, invoice.description) == (D("1500.00"), None)

    # Saving again is a deliberate choice, and goes through.
    again = second.post(
        f"/invoices/{invoice.id}/edit", data={**_form_data(invoice, description="Min ändring")}
    )
    assert again.status_code == 302
    db.session.refresh(invoice)
    assert (invoice.description, invoice.version) == ("Min ändring", 3)


def test_a_race_past_the_check_is_caught_by_the_database(db, make_invoice):
    invoice = make_invoice()
    # Another writer bumps the row behind this session's back.
    db.session.execute(
        sa.update(Invoice)
        .where(Invoice.id == invoice.id)
        .values(version=Invoice.version + 1, description="x"),
        execution_options={"synchronize_session": False},
    )
    invoice.description = "mine"
    with pytest.raises(StaleDataError):
        db.session.flush()
    db.session.rollback()


def test_the_save_helper_turns_a_race_into_a_conflict_on_the_form(app, db, make_invoice):
    from app.web.invoices.forms import InvoiceForm
    from app.web.saving import save

    invoice = make_invoice()
    with app.test_request_context(method="POST", data={"description": "mine", "version": "1"}):
        form = InvoiceForm(obj=invoice)

        def racing():
            db.session.execute(
                sa.update(Invoice)
                .where(Invoice.id == invoice.id)
                .values(version=Invoice.version + 1),
                execution_options={"synchronize_session": False},
            )
            invoice.description = "mine"
            db.session.flush()

        assert save(form, racing, invoice) is None
        assert form.conflict is not None
        assert form.version.data == str(invoice.version)


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/vendors/{vendor}/edit", {"name": "Nytt namn AB", "country": "SE"}),
        ("/contracts/{contract}/edit", {"title": "Ny titel", "currency": "SEK"}),
    ],
)
def test_other_records_are_protected_the_same_way(client, db, make_contract, url, data):
    contract = make_contract()
    vendor = contract.vendor
    url = url.format(vendor=vendor.id, contract=contract.id)
    base = {"vendor": vendor.name, "vendor_id": vendor.id, **data}
    assert client.post(url, data={**base, "version": 1}).status_code == 302
    response = client.post(url, data={**base, "version": 1})
    assert response.status_code == 200
    assert 'class="conflict"' in response.get_data(as_text=True)


@pytest.mark.parametrize("version", [None, "", "  "])
def test_an_edit_posted_without_its_version_is_refused_and_saves_nothing(
    client, db, make_invoice, version
):
    """Posted without ``version`` (a hand-made request, an old page), an edit could replace a
    newer save: it is refused with a message saying why."""
    invoice = make_invoice(net_amount=D("1000"))
    # Someone else's newer save: version 2.
    edit = f"/invoices/{invoice.id}/edit"
    assert client.post(edit, data=_form_data(invoice, net_amount="1 500,00")).status_code == 302
    data = _form_data(invoice, net_amount="99,00")
    if version is None:
        del data["version"]
    else:
        data["version"] = version
    response = client.post(edit, data=data, follow_redirects=True)
    assert response.status_code == 200
    assert "vilken version av posten" in response.text
    db.session.refresh(invoice)
    assert invoice.net_amount == D("1500.00") and invoice.version == 2


class _Form(HTMLParser):
    """The values a browser would post from the form on ``page`` posting to ``page+action``."""

    def __init__(self, page: str, action: str) -> None:
        super().__init__()
        self.page, self.action = page, action
        self.inside, self.values, self._select, self._text = False, {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            target = a.get("action") or self.page
            self.inside = a.get("method") == "post" and target == self.page + self.action
        elif not self.inside or not a.get("name"):
            return
        elif tag == "input" and (a.get("type") not in ("checkbox", "submit") or "checked" in a):
            self.values[a["name"]] = a.get("value") or ("y" if a.get("type") == "checkbox" else "")
        elif tag == "select":
            self._select = a["name"]
        elif tag == "textarea":
            self._text = a["name"]
            self.values[a["name"]] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        self._select = None if tag == "select" else self._select
        self._text = None if tag == "textarea" else self._text

    def handle_data(self, data):
        if self._text:
            self.values[self._text] += data

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)


def _select_options(form: _Form, html: str) -> None:
    """Selected options (the parser above leaves them to this)."""
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(
            r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', body
        )
        if chosen and name in form.values or chosen:
            form.values[name] = unescape(next(g for g in chosen.groups() if g is not None))


def _posted(html: str, page: str, action: str) -> dict:
    parser = _Form(page, action)
    parser.feed(html)
    _select_options(parser, html)
    return parser.values


def test_every_edit_form_refuses_a_post_without_its_version(
    app, admin_client, db, demo_ids, make_user, make_vendor
):
    """Each form that edits a record, filled in as its page fills it, is refused when posted
    without ``version`` (the page says why, the record is untouched), and saves with it."""
    from app import models

    other = make_vendor(name="Dubblett AB")
    user = make_user("clerk")
    ids = {**demo_ids, "user": user.id, "flag_settings": 1}
    # (the page holding the form, its action, the record, what a person adds)
    edits = [
        ("/vendors/{vendor}/edit", "", models.Vendor, "vendor", {"notes": "Ändrad"}),
        ("/vendors/{vendor}", "/merge", models.Vendor, "vendor",
         {"vendor": other.name, "vendor_id": str(other.id), "confirm": "y"}),
        ("/contracts/{contract}/edit", "", models.Contract, "contract", {"notes": "Ändrad"}),
        ("/contracts/amendments/{amendment}/edit", "", models.ContractAmendment, "amendment",
         {"reason": "Ändrad"}),
        ("/invoices/{invoice}/edit", "", models.Invoice, "invoice", {"description": "Ändrad"}),
        ("/invoices/{invoice}/void", "", models.Invoice, "invoice", {"reason": "Dubblett"}),
        ("/income/{engagement}/edit", "", models.Engagement, "engagement", {"notes": "Ändrad"}),
        ("/income/rates/{rate_card}/edit", "", models.RateCard, "rate_card", {"basis": "Ändrad"}),
        ("/lists/categories/{category}/edit", "", models.Category, "category", {"code": "Ä1"}),
        ("/reports/thresholds/{threshold}/edit", "", models.DirectAwardThreshold, "threshold",
         {"note": "Ändrad"}),
        ("/reports/thresholds/review-share", "", models.FlagSettings, "flag_settings",
         {"amendment_review_percent": "12,5"}),
        ("/users/{user}", "", models.User, "user", {"name": "Nytt Namn"}),
        ("/users/{user}", "/password", models.User, "user", {"password": "ny " + PASSWORD}),
    ]  # fmt: skip
    for page, action, model, key, typed in edits:
        url = page.format(**ids)
        html = admin_client.get(url).get_data(as_text=True)
        data = {**_posted(html, url, action), **typed}
        assert data.get("version"), (url, action)
        target = url + action
        before = db.session.get(model, ids[key]).version
        refused = admin_client.post(target, data={**data, "version": ""}, follow_redirects=True)
        assert "vilken version av posten" in refused.text, target
        db.session.expire_all()
        assert db.session.get(model, ids[key]).version == before, target
        saved = admin_client.post(target, data=data, follow_redirects=True)
        assert "vilken version av posten" not in saved.text, target
        db.session.expire_all()
        assert db.session.get(model, ids[key]).version > before, target
