"""The audit trail: one event per change, with who, when, and each field before and after;
and no way to change or remove an event once written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.audit import Actor
from app.audit import AuditTamperError
from app.audit import acting_as
from app.models import AuditEvent
from app.models import ContractAmendment
from app.settings import password_policy
from tests.conftest import version_of

D = Decimal


def _events(db, **where):
    query = sa.select(AuditEvent).order_by(AuditEvent.id)
    for key, value in where.items():
        query = query.where(getattr(AuditEvent, key) == value)
    return db.session.scalars(query).all()


def _edit_invoice(client, invoice, **changes):
    data = {
        "vendor": invoice.vendor.name,
        "vendor_id": invoice.vendor_id,
        "invoice_number": invoice.invoice_number,
        "invoiced_on": invoice.invoiced_on.isoformat(),
        "net_amount": str(invoice.net_amount),
        "vat_rate": "25",
        "currency": invoice.currency,
        "version": invoice.version,
        **changes,
    }
    return client.post(f"/invoices/{invoice.id}/edit", data=data)


def test_a_clerk_changing_an_amount_makes_exactly_one_event(
    client, db, make_invoice, auditor_client
):
    invoice = make_invoice(net_amount=D("1000.00"))
    before = len(_events(db))
    response = _edit_invoice(client, invoice, net_amount="1 500,00")
    assert response.status_code == 302
    new = _events(db)[before:]
    assert len(new) == 1
    [event] = new
    assert (event.record_type, event.record_id, event.action) == ("invoices", invoice.id, "update")
    assert event.changes["net_amount"] == ["1000.00", "1500.00"]
    assert event.changes["vat_amount"] == ["250.00", "375.00"]
    assert set(event.changes) == {"net_amount", "vat_amount"}
    assert event.actor_id == client.user.id and client.user.name in event.actor
    assert event.origin == "web"
    assert event.record_version == 2
    page = auditor_client.get(f"/invoices/{invoice.id}").get_data(as_text=True)
    assert 'class="history"' in page and client.user.name in page and "1\u00a0500,00" in page


def test_inserts_voids_and_restores_are_recorded_with_their_values(client, db, make_contract):
    contract = make_contract()
    response = client.post(
        f"/contracts/{contract.id}/amendments/new",
        data={
            "dated_on": "2010-06-01",
            "kind": "extension",
            "new_ends_on": "2011-06-30",
            "reason": "Förlängning",
        },
    )
    assert response.status_code == 302
    [inserted] = _events(db, record_type="contract_amendments", action="insert")
    assert inserted.changes["new_ends_on"] == [None, "2011-06-30"]
    assert inserted.changes["contract"] == [None, str(contract)]
    assert (inserted.parent_type, inserted.parent_id) == ("contracts", contract.id)
    amendment = db.session.get(ContractAmendment, inserted.record_id)
    client.post(
        f"/contracts/amendments/{amendment.id}/void",
        data={"reason": "Fel avtal", "version": version_of(amendment)},
    )
    [voided] = _events(db, record_type="contract_amendments", action="void")
    assert voided.changes["void_reason"] == [None, "Fel avtal"]
    assert (voided.parent_type, voided.parent_id) == ("contracts", contract.id)
    assert voided.record_version == 2
    client.post(
        f"/contracts/amendments/{amendment.id}/restore", data={"version": version_of(amendment)}
    )
    [restored] = _events(db, record_type="contract_amendments", action="restore")
    assert restored.changes["void_reason"] == ["Fel avtal", None]
    assert _events(db, record_type="contract_amendments", action="delete") == []


def test_voiding_is_its_own_action(client, db, make_invoice):
    invoice = make_invoice()
    client.post(
        f"/invoices/{invoice.id}/void", data={"reason": "Dubbel", "version": invoice.version}
    )
    [event] = _events(db, record_id=invoice.id, action="void")
    assert event.changes["void_reason"] == [None, "Dubbel"]


def test_a_new_category_chosen_is_recorded_by_name(client, db, make_invoice):
    from app.models import Category
    from app.services.lists import get_or_create

    design = get_or_create(Category, "Design")
    db.session.commit()
    invoice = make_invoice()
    _edit_invoice(client, invoice, category_id=str(design.id))
    [event] = _events(db, record_id=invoice.id, action="update")
    assert event.changes == {"category": [None, "Design"]}


def test_alias_changes_are_recorded_on_the_vendor(client, db, make_vendor):
    vendor = make_vendor(name="Penseo AB", aliases=["Penseo konsult"])
    client.post(
        f"/vendors/{vendor.id}/edit",
        data={
            "name": "Penseo AB",
            "country": "SE",
            "aliases": "Penseo konsult\nPENSEO",
            "version": vendor.version,
        },
    )
    [event] = _events(db, record_type="vendors", record_id=vendor.id, action="update")
    assert event.changes == {"aliases": [["Penseo konsult"], ["PENSEO", "Penseo konsult"]]}


def test_commands_are_recorded_as_the_command(runner, db):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0
    actors = set(db.session.scalars(sa.select(AuditEvent.actor).distinct()))
    assert len(actors) == 1
    [actor] = actors
    assert actor.startswith("command: insyn demo")
    assert set(db.session.scalars(sa.select(AuditEvent.origin).distinct())) == {"command"}


def test_passwords_never_reach_the_history(db, make_user):
    from app.services.accounts import set_password

    user = make_user("clerk")
    with acting_as(Actor("test", "command")):
        set_password(user, "en helt annan lång fras 42", policy=password_policy())
        db.session.commit()
    events = _events(db, record_type="users", record_id=user.id)
    assert [e.action for e in events] == ["insert", "update"]
    assert events[1].changes == {"password": ["***", "***"]}
    assert all("scrypt" not in str(e.changes) for e in events)


def test_a_rolled_back_change_leaves_no_event(db, make_invoice):
    invoice = make_invoice()
    count = len(_events(db))
    invoice.description = "ändrad"
    db.session.flush()
    db.session.rollback()
    assert len(_events(db)) == count


# --- append-only -------------------------------------------------------------------------------


@pytest.fixture
def event(db, make_invoice):
    make_invoice()
    return _events(db)[-1]


def test_the_orm_refuses_to_change_an_event(db, event):
    event.actor = "someone else"
    with pytest.raises(AuditTamperError):
        db.session.flush()
    db.session.rollback()


def test_the_orm_refuses_to_delete_an_event(db, event):
    db.session.delete(event)
    with pytest.raises(AuditTamperError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET actor = 'someone else'",
        "UPDATE audit_events SET changes = '{}' WHERE id = :id",
        "DELETE FROM audit_events WHERE id = :id",
        "DELETE FROM audit_events",
    ],
)
def test_the_database_refuses_sql_that_would_rewrite_history(db, event, statement):
    with pytest.raises(sa.exc.DatabaseError) as caught, db.session.begin_nested():
        db.session.execute(sa.text(statement), {"id": event.id})
    assert "append-only" in str(caught.value)
    assert db.session.get(AuditEvent, event.id).actor == event.actor


def test_core_updates_and_deletes_are_refused_too(db, event):
    for statement in (sa.update(AuditEvent).values(action="x"), sa.delete(AuditEvent)):
        with pytest.raises(sa.exc.DatabaseError), db.session.begin_nested():
            db.session.execute(statement)


def test_no_route_can_change_or_delete_an_event(app, admin_client, db, event):
    """The audit blueprint only reads; any other method on its URLs is refused."""
    audit_rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("audit.")]
    assert audit_rules
    assert all(r.methods <= {"GET", "HEAD", "OPTIONS"} for r in audit_rules)
    for rule in audit_rules:
        assert admin_client.post(rule.rule, data={}).status_code == 405
        assert admin_client.delete(rule.rule).status_code == 405
    assert db.session.get(AuditEvent, event.id) is not None


# --- the log -----------------------------------------------------------------------------------


def test_the_log_filters_by_user_type_action_and_date(
    auditor_client, client, db, make_invoice, make_vendor
):
    invoice = make_invoice()
    _edit_invoice(client, invoice, net_amount="2 000,00")
    html = auditor_client.get(
        f"/audit/?user={client.user.id}&type=invoices&action=update"
    ).get_data(as_text=True)
    assert invoice.invoice_number in html and "2\u00a0000,00" in html
    assert "vendors #" not in html
    today = dt.datetime.now(dt.UTC).date()
    assert invoice.invoice_number in auditor_client.get(
        f"/audit/?from={today}&to={today}"
    ).get_data(as_text=True)
    tomorrow = today + dt.timedelta(days=1)
    assert invoice.invoice_number not in auditor_client.get(f"/audit/?from={tomorrow}").get_data(
        as_text=True
    )


def test_the_log_downloads_as_csv_with_nothing_turned_into_a_formula(
    auditor_client, client, db, make_vendor
):
    import csv
    import io

    vendor = make_vendor(name='=HYPERLINK("http://example.org","x")')
    response = auditor_client.get("/audit/events.csv?type=vendors")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:4] == ["occurred_at", "actor", "origin", "action"]
    [row] = [r for r in rows[1:] if r[5] == str(vendor.id)]
    assert row[6] == "'" + vendor.name
    assert row[3] == "insert"


def test_a_record_created_by_an_import_has_one_event_naming_its_batch(runner, db):
    from app.models import Invoice

    runner.invoke(args=["demo"])
    invoice = db.session.scalar(sa.select(Invoice).limit(1))
    [event] = _events(db, record_type="invoices", record_id=invoice.id)
    assert event.action == "insert" and event.record_version == 1
    assert event.changes["import_batch"] == [None, invoice.import_batch.filename]
    assert event.changes["source_row"][1] == invoice.source_row
