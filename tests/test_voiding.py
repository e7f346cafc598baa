"""Void, never delete: invoices, contracts, amendments, engagements and day rates are voided
with a reason, audited, struck through, out of every total, flag and export, and restored
by an audited action; nothing deletes a row of their tables."""

from __future__ import annotations

import ast
import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal as D
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.models import AuditEvent
from app.models import Contract
from app.models import ContractAmendment
from app.models import Engagement
from app.models import Invoice
from app.models import RateCard
from app.privacy import Audience
from app.services import contracts as contract_service
from app.services import income as income_service
from app.services.errors import ServiceError
from tests.conftest import rule_url
from tests.conftest import version_of

APP = Path(__file__).resolve().parent.parent / "app"
PROTECTED = (Invoice, Contract, ContractAmendment, Engagement, RateCard)
TABLES = {model.__tablename__ for model in PROTECTED}
#: The only deletes left in the application, and what they delete: a vendor merged into
#: another, a direct-award threshold (a setting), a vendor's other spelling.
ALLOWED_DELETES = {
    ("app/services/vendors.py", "merge_vendors"),
    ("app/services/thresholds.py", "delete_threshold"),
    # Idempotency keys past their time to live: a cache of answers, not a record.
    ("app/services/idempotency.py", "remember"),
    # A saved import layout is a setting, not a record.
    ("app/importing/saved.py", "delete_layout"),
    # An undone import's suppliers, categories and departments that nothing points at.
    ("app/services/imports.py", "_withdraw_created"),
    # Summary rows left with no valid invoice, and a rebuild's: derived sums, not records.
    ("app/services/summaries.py", "_apply_to"),
    ("app/services/summaries.py", "_apply_select"),
    ("app/services/summaries.py", "rebuild"),
}


def _deletes_in_source() -> set[tuple[str, str]]:
    """Every ``….delete(…)`` call and ``sa.delete(…)`` statement in the application's code, as
    (file, enclosing function)."""
    found = set()
    for path in APP.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "delete"
                ):
                    found.add((str(path.relative_to(APP.parent)), function.name))
    return found


def test_no_service_deletes_a_row_of_these_tables():
    assert _deletes_in_source() <= ALLOWED_DELETES, _deletes_in_source() - ALLOWED_DELETES
    # Nor does the ORM on its own: no relationship cascades a delete onto these records.
    for model in PROTECTED:
        for relationship in sa.inspect(model).relationships:
            if relationship.mapper.class_ in PROTECTED:
                assert "delete" not in relationship.cascade, relationship
    sources = {p: p.read_text(encoding="utf-8") for p in APP.rglob("*.py")}
    for model in PROTECTED:
        name = model.__name__
        for path, text in sources.items():
            assert not re.search(rf"\bdelete\(\s*{name}\b", text), (path, name)


def test_no_route_deletes_a_row_of_these_tables(app, db, demo_ids, make_user):
    """Every route, every method, as an administrator (who may do most), with the demo's
    records and a reason given: the database never sees a DELETE on these tables."""
    from tests.conftest import sign_in

    admin = make_user("admin")
    client = sign_in(app.test_client(), admin)
    # Account routes act on another account, so the walk stays signed in.
    ids = {**demo_ids, "user": make_user("clerk").id}
    seen: list[str] = []

    def watch(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("DELETE"):
            seen.append(statement)

    counts_before = {t: _count(db, t) for t in TABLES}
    engine = db.session.get_bind().engine
    sa.event.listen(engine, "before_cursor_execute", watch)
    try:
        walked = 0
        for rule in app.url_map.iter_rules():
            if rule.endpoint in ("static", "auth.logout"):
                continue
            url = rule_url(app, rule, ids)
            for method in sorted(rule.methods & {"GET", "POST", "PUT", "PATCH", "DELETE"}):
                data = {"reason": "Provkörning", "confirm": "y"} if method != "GET" else None
                response = client.open(url, method=method, data=data)
                response.get_data()  # a streamed download runs to its end
                assert response.status_code < 500, (method, url)
                walked += 1
    finally:
        sa.event.remove(engine, "before_cursor_execute", watch)
    assert walked > 100
    hits = [s for s in seen if any(re.search(rf"\b{t}\b", s) for t in TABLES)]
    assert hits == []
    for table, before in counts_before.items():
        assert _count(db, table) >= before, table


def _count(db, table: str) -> int:
    return db.session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608


# --- contracts ----------------------------------------------------------------------------------


def test_a_voided_contract_is_struck_through_and_out_of_lists_flags_search_and_exports(
    client, auditor_client, db, make_contract, make_invoice
):
    contract = make_contract(
        reference="KS 2010/99", title="Avtal som blev fel", ceiling_amount=D("10")
    )
    kept = make_contract(reference="KS 2010/98", title="Rätt avtal")
    invoice = make_invoice(vendor=contract.vendor, contract=contract, net_amount=D("500"))
    # Valid invoices name it: refused, nothing changes.
    response = client.post(
        f"/contracts/{contract.id}/void",
        data={"reason": "Dubblett", "version": version_of(contract)},
    )
    assert response.status_code == 200
    assert "(1)" in response.get_data(as_text=True)
    db.session.expire_all()
    assert not db.session.get(Contract, contract.id).is_voided
    client.post(
        f"/invoices/{invoice.id}/void", data={"reason": "Fel avtal", "version": version_of(invoice)}
    )
    response = client.post(
        f"/contracts/{contract.id}/void",
        data={"reason": "Dubblett", "version": version_of(contract)},
    )
    assert response.status_code == 302
    db.session.expire_all()
    voided = db.session.get(Contract, contract.id)
    assert voided.void_reason == "Dubblett"

    page = client.get(f"/contracts/{contract.id}").get_data(as_text=True)
    assert "Dubblett" in page and "badge-void" in page
    assert (
        f"/contracts/{contract.id}/restore" in page and f"/contracts/{contract.id}/edit" not in page
    )
    listing = client.get("/contracts/").get_data(as_text=True)
    assert "Avtal som blev fel" not in listing and "Rätt avtal" in listing
    listing = client.get("/contracts/?status=all").get_data(as_text=True)
    assert "Avtal som blev fel" in listing and 'class="voided"' in listing
    assert "KS 2010/99" not in client.get("/search?q=KS+2010").get_data(as_text=True)
    assert [
        c["id"]
        for c in client.get(f"/contracts/for-vendor.json?vendor={contract.vendor_id}").get_json()
    ] == []
    rows = client.get("/contracts.json").get_json()["rows"]
    assert [r["id"] for r in rows] == [kept.id]
    from app.services.flags import contract_flags

    assert contract_flags(voided) == []
    ocds = client.get("/open-data/ocds.json").get_json()
    assert all(r["ocid"].split("-")[-1] != str(contract.id) for r in ocds["releases"])
    # No invoice may be put under it now.
    response = client.post(
        "/invoices/new",
        data={
            "vendor": contract.vendor.name,
            "vendor_id": contract.vendor_id,
            "invoice_number": "NY-1",
            "invoiced_on": "2010-05-05",
            "net_amount": "100",
            "vat_rate": "25",
            "currency": "SEK",
            "contract_id": contract.id,
        },
    )
    assert response.status_code == 200
    assert db.session.scalar(sa.select(Invoice).where(Invoice.invoice_number == "NY-1")) is None

    # Restored: it counts again, and the history tells both.
    assert (
        client.post(
            f"/contracts/{contract.id}/restore", data={"version": version_of(contract)}
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert not db.session.get(Contract, contract.id).is_voided
    actions = db.session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.record_type == "contracts", AuditEvent.record_id == contract.id)
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["insert", "void", "restore"]
    history = auditor_client.get(f"/contracts/{contract.id}").get_data(as_text=True)
    assert "återställde" in history and "makulerade" in history


def test_a_voided_amendment_changes_no_terms_and_cannot_leave_a_ceiling_below_zero(
    client, db, make_contract, make_invoice
):
    contract = make_contract(ceiling_amount=D("100000.00"), hour_quota=D("100"))
    raised = contract_service.add_amendment(
        contract, {"dated_on": dt.date(2010, 3, 1), "kind": "expansion", "added_amount": D("50000")}
    )
    lowered = contract_service.add_amendment(
        contract,
        {"dated_on": dt.date(2010, 6, 1), "kind": "other", "added_amount": D("-140000")},
    )
    db.session.commit()
    assert contract_service.current_terms(contract).ceiling_amount == D("10000.00")
    # Without the raise, the cut takes the ceiling to −40 000: refused, named.
    response = client.post(
        f"/contracts/amendments/{raised.id}/void",
        data={"reason": "Fel", "version": version_of(raised)},
    )
    assert response.status_code == 200
    assert "2010-06-01" in response.get_data(as_text=True)
    db.session.expire_all()
    assert not db.session.get(ContractAmendment, raised.id).is_voided
    assert (
        client.post(
            f"/contracts/amendments/{lowered.id}/void",
            data={"reason": "Fel", "version": version_of(lowered)},
        ).status_code
        == 302
    )
    db.session.expire_all()
    contract = db.session.get(Contract, contract.id)
    assert contract_service.current_terms(contract).ceiling_amount == D("150000.00")
    assert len(contract_service.contract_terms(contract)) == 2
    page = client.get(f"/contracts/{contract.id}").get_data(as_text=True)
    assert f'data-amendment="{lowered.id}"' in page
    assert re.search(rf'<li class="voided" data-amendment="{lowered.id}"', page)
    assert f"/contracts/amendments/{lowered.id}/restore" in page
    # The burn-down, flags and exports read the valid terms only.
    rows = client.get("/contracts.json").get_json()["rows"]
    [row] = [r for r in rows if r["id"] == contract.id]
    assert (row["ceiling_amount_current"], row["amendments"]) == ("150000.00", 1)
    ocds = client.get("/open-data/ocds.json").get_json()
    [release] = [r for r in ocds["releases"] if r["ocid"].endswith(f"-{contract.id}")]
    assert [a["id"] for a in release["contracts"][0]["amendments"]] == [str(raised.id)]
    assert release["contracts"][0]["value"]["amount"] == 150000
    # An amendment taking the ceiling below zero is refused on the form too.
    response = client.post(
        f"/contracts/{contract.id}/amendments/new",
        data={"dated_on": "2010-07-01", "kind": "other", "added_amount": "-850 000"},
    )
    assert response.status_code == 200
    assert "under noll" in response.get_data(as_text=True)


# --- engagements and day rates --------------------------------------------------------------


def test_a_voided_engagement_leaves_the_income_the_balance_and_the_front_page(
    client, db, make_rate_card
):
    make_rate_card(day_rate=D("6000.00"))
    good = income_service.create_engagement(
        {"organiser_name": "Länsstyrelsen", "topic": "Bloggar", "first_day": dt.date(2010, 4, 8)}
    )
    wrong = income_service.create_engagement(
        {"organiser_name": "Felaktig arrangör", "topic": "Fel", "first_day": dt.date(2010, 5, 3),
         "last_day": dt.date(2010, 5, 4)}
    )  # fmt: skip
    db.session.commit()
    assert (
        client.post(
            f"/income/{wrong.id}/void",
            data={"reason": "Aldrig hållen", "version": version_of(wrong)},
        ).status_code
        == 302
    )
    totals = income_service.engagement_totals(income_service.EngagementFilters(year=2010))
    assert totals == [("SEK", D("6000.00"), 1, 1)]
    from app.services.balance import balance

    assert balance(2010, "invoiced", Audience.STAFF).income_totals == {"SEK": D("6000.00")}
    listing = client.get("/income/").get_data(as_text=True)
    assert "Felaktig arrangör" not in listing and "Länsstyrelsen" in listing
    assert "Felaktig arrangör" in client.get("/income/?status=all").get_data(as_text=True)
    front = client.get("/").get_data(as_text=True)
    assert "6\u00a0000,00" in front and "18\u00a0000,00" not in front
    assert re.search(r'data-count="engagements"><span class="card-figure">1</span> uppdrag', front)
    assert [r["id"] for r in client.get("/income.json").get_json()["rows"]] == [good.id]
    assert "12\u00a0000,00" not in client.get("/search?q=Felaktig").get_data(as_text=True)
    # Restoring prices it by the rate in force and counts it again.
    assert (
        client.post(f"/income/{wrong.id}/restore", data={"version": version_of(wrong)}).status_code
        == 302
    )
    assert balance(2010, "invoiced", Audience.STAFF).income_totals == {"SEK": D("18000.00")}


def test_the_front_page_counts_valid_invoices_only(client, db, make_invoice):
    keep = make_invoice(net_amount=D("100"))
    for _ in range(2):
        client.post(
            f"/invoices/{(invoice := make_invoice()).id}/void",
            data={"reason": "Dubblett", "version": version_of(invoice)},
        )
    front = client.get("/").get_data(as_text=True)
    assert re.search(r'data-count="invoices"><span class="card-figure">1</span> faktura<', front)
    assert keep.invoice_number  # the one valid invoice


def test_restore_is_refused_for_what_is_not_voided_and_voids_need_a_reason(db, make_invoice):
    from app.services.invoices import restore_invoice
    from app.services.invoices import void_invoice

    invoice = make_invoice()
    with pytest.raises(ServiceError):
        restore_invoice(invoice)
    with pytest.raises(ServiceError) as caught:
        void_invoice(invoice, "   ")
    assert caught.value.field == "reason"
    void_invoice(invoice, "Dubblett")
    with pytest.raises(ServiceError):
        void_invoice(invoice, "igen")
    restore_invoice(invoice)
    assert invoice.voided_at is None and invoice.void_reason is None


def test_the_database_refuses_a_void_without_its_reason(db, make_rate_card):
    card = make_rate_card()
    card.voided_at = dt.datetime.now(dt.UTC)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_audit_csv_names_restores(auditor_client, client, db, make_invoice):
    invoice = make_invoice()
    client.post(
        f"/invoices/{invoice.id}/void", data={"reason": "Fel", "version": version_of(invoice)}
    )
    client.post(f"/invoices/{invoice.id}/restore", data={"version": version_of(invoice)})
    text = auditor_client.get("/audit/events.csv?action=restore").get_data(as_text=True)
    [row] = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert (row["action"], row["record_type"]) == ("restore", "invoices")
    assert json.loads(row["changes"])["void_reason"] == ["Fel", None]
