"""No silent overwrites: a save built on an older version of a record is refused, says who
changed it and when, and keeps what was typed beside the current values."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from app.models import Invoice
from app.services import invoices
from app.services.conflicts import VersionConflict

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
    with app.test_request_context(method="POST", data={"description": "mine"}):
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
