"""The flag store: each contract's flags kept with the writes that change them, read back as
they were computed (evidence beyond the first fifty included), ignored when computed under
other settings, and recomputed by ``insyn db rebuild-summaries`` when changed past Insyn.
(Random sequences of writes are in ``test_services_summaries.py``.)"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from app.importing.plan import Options
from app.importing.run import import_and_commit
from app.models import AmendmentKind
from app.models import Contract
from app.models import ContractFlagSet
from app.models import Invoice
from app.models import ProcurementBasis
from app.services import flag_rules
from app.services import flag_store
from app.services import imports
from app.services.contracts import add_amendment
from app.services.flags import contract_flags
from app.services.invoices import void_invoice
from app.services.thresholds import create_threshold

D = Decimal


def _said(flags) -> list[tuple]:
    """Everything a flag says, its evidence as a list."""
    return [
        (
            f.kind,
            f.message,
            f.plural,
            f.params,
            list(f.invoice_ids),
            f.since,
            f.until,
            f.cleared_by,
            f.contract_id,
            f.vendor_id,
            f.currency,
        )
        for f in flags
    ]


def _row(db, contract) -> ContractFlagSet | None:
    db.session.expire_all()
    return db.session.get(ContractFlagSet, contract.id)


def _count_queries(db):
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    return statements, lambda: sa.event.remove(db.engine, "before_cursor_execute", seen)


def test_a_flag_citing_many_invoices_reads_back_whole(db, make_contract, make_invoice):
    """70 invoices of 100 kr on a 1 000 kr ceiling: the ceiling flag cites 60. The store
    keeps 50 as shown and the rest as positions; all 60 come back, in order."""
    contract = make_contract(ceiling_amount=D("1000.00"), hour_quota=None, hourly_rate=None)
    for n in range(70):
        make_invoice(
            vendor=contract.vendor,
            contract=contract,
            invoiced_on=dt.date(2010, 1, 1) + dt.timedelta(days=n * 3),
            net_amount=D("100.00"),
        )
    live = contract_flags(contract)
    [stored] = flag_store.flags_of([contract]).values()
    assert _said(stored) == _said(live)
    [ceiling] = stored
    assert len(ceiling.invoice_ids) == 60
    assert isinstance(ceiling.invoice_ids, flag_store.StoredEvidence)
    statements, stop = _count_queries(db)
    try:
        first = ceiling.invoice_ids[:50]
        shown = ceiling.invoice_ids.head[:3]
    finally:
        stop()
    assert statements == []  # the count and the shown fifty need no query
    assert first == live[0].invoice_ids[:50]
    assert [s.invoice_number for s in shown] == [
        invoice.invoice_number for invoice in _invoices(db, live[0].invoice_ids[:3])
    ]
    assert list(ceiling.invoice_ids) == live[0].invoice_ids
    assert ceiling.invoice_ids[-1] == live[0].invoice_ids[-1]


def _invoices(db, ids):
    from app.models import Invoice

    return [db.session.get(Invoice, i) for i in ids]


def test_reading_many_contracts_flags_costs_one_query(db, make_contract, make_invoice):
    made = [make_contract(ceiling_amount=D("500.00")) for _ in range(5)]
    for contract in made:
        make_invoice(vendor=contract.vendor, contract=contract, net_amount=D("900.00"))
    # As a page holds them: loaded in one query.
    made = db.session.scalars(sa.select(Contract).where(Contract.id.in_([c.id for c in made])))
    made = made.all()
    statements, stop = _count_queries(db)
    try:
        stored = flag_store.flags_of(made)
    finally:
        stop()
    assert [s for s in statements if "invoices" in s] == []
    # The review share, the thresholds, the rows.
    assert [s.split()[0] for s in statements] == ["SELECT", "SELECT", "SELECT"]
    for contract in made:
        assert _said(stored[contract.id]) == _said(contract_flags(contract))
        assert [f.kind for f in stored[contract.id]] == ["ceiling"]


def test_each_kind_of_write_keeps_the_row_exact(db, make_contract, make_invoice):
    contract = make_contract(ceiling_amount=D("1000.00"), hour_quota=D("10"))
    assert _row(db, contract).flags == "[]"
    over = make_invoice(
        vendor=contract.vendor, contract=contract, net_amount=D("1500.00"), hours=D("1")
    )
    assert [f.kind for f in flag_store.flags_of([contract])[contract.id]] == ["ceiling", "rate"]
    assert flag_store.differences() == []
    add_amendment(
        contract,
        {
            "dated_on": dt.date(2010, 6, 1),
            "kind": AmendmentKind.EXPANSION,
            "added_amount": D("1000.00"),
            "reason": "Utökat",
        },
    )
    db.session.commit()
    [ceiling, *_] = flag_store.flags_of([contract])[contract.id]
    assert (ceiling.until, ceiling.cleared_by) == (dt.date(2010, 6, 1), "amendment")
    assert flag_store.differences() == []
    void_invoice(over, "Fel avtal")
    db.session.commit()
    # The amendment doubled the ceiling (flagged), but no invoice is beyond it any more.
    [amendments] = flag_store.flags_of([contract])[contract.id]
    assert (amendments.kind, len(amendments.invoice_ids)) == ("amendments", 0)
    assert flag_store.differences() == []


def test_a_statement_moving_invoices_to_another_contract_updates_both(
    db, make_contract, make_invoice
):
    """An ORM ``update`` that sets the contract: the old one (its condition) and the new one
    (the value set) are both recomputed."""
    small = make_contract(ceiling_amount=D("1000.00"))
    other = make_contract(vendor=small.vendor, ceiling_amount=D("1000.00"))
    over = make_invoice(vendor=small.vendor, contract=small, net_amount=D("1500.00"))
    db.session.commit()
    assert [f.kind for f in flag_store.flags_of([small])[small.id]] == ["ceiling"]
    db.session.execute(sa.update(Invoice).where(Invoice.id == over.id).values(contract_id=other.id))
    db.session.commit()
    assert _row(db, small).flags == "[]"
    assert [f.kind for f in flag_store.flags_of([other])[other.id]] == ["ceiling"]
    assert flag_store.differences() == []


def test_a_threshold_change_recomputes_the_direct_awards(db, make_contract, make_invoice):
    contract = make_contract(
        ceiling_amount=None,
        hour_quota=None,
        hourly_rate=None,
        procurement_basis=ProcurementBasis.DIRECT_AWARD,
    )
    make_invoice(vendor=contract.vendor, contract=contract, net_amount=D("90000.00"))
    before = [f.kind for f in flag_store.flags_of([contract])[contract.id]]
    create_threshold(
        {"valid_from": dt.date(2010, 2, 1), "amount": D("50000.00"), "currency": "SEK"}
    )
    db.session.commit()
    after = [f.kind for f in flag_store.flags_of([contract])[contract.id]]
    assert "direct_award" not in before and "direct_award" in after
    assert flag_store.differences() == []


def _raised_by_a_fifth(db, make_contract):
    """A 1 000.00 contract an amendment raised by 200.00 (+20 %), committed."""
    contract = make_contract(ceiling_amount=D("1000.00"))
    add_amendment(
        contract,
        {
            "dated_on": dt.date(2010, 6, 1),
            "kind": AmendmentKind.EXPANSION,
            "added_amount": D("200.00"),
            "reason": "Utökat",
        },
    )
    db.session.commit()
    return contract


def test_a_row_computed_under_another_review_share_is_not_used(db, make_contract):
    contract = _raised_by_a_fifth(db, make_contract)
    assert [f.kind for f in flag_store.flags_of([contract])[contract.id]] == ["amendments"]
    # The share changed past Insyn (plain SQL, no hook): 5 000 hundredths, 50 %.
    db.session.connection().execute(
        sa.text("UPDATE flag_settings SET amendment_review_percent = 5000")
    )
    db.session.expire_all()
    # +20 % is under a 50 % review share: computed afresh, not read from the row.
    assert flag_store.flags_of([contract])[contract.id] == []
    assert flag_store.differences() == [contract.id]


def test_a_review_share_change_recomputes_every_contract(db, make_contract, make_invoice):
    raised = _raised_by_a_fifth(db, make_contract)
    other = make_contract(ceiling_amount=D("1000.00"))
    make_invoice(vendor=other.vendor, contract=other, net_amount=D("1500.00"))
    db.session.commit()
    settings = flag_rules.flag_settings()
    flag_rules.update_review_share(settings, {"amendment_review_percent": "50"})
    db.session.commit()
    assert flag_store.flags_of([raised])[raised.id] == []
    assert [f.kind for f in flag_store.flags_of([other])[other.id]] == ["ceiling"]
    # Every row was written under the new share, not only those whose flags changed.
    assert {_row(db, c).settings for c in (raised, other)} == {"review 50"}
    assert flag_store.differences() == []
    flag_rules.update_review_share(settings, {"amendment_review_percent": "19,99"})
    db.session.commit()
    assert [f.kind for f in flag_store.flags_of([raised])[raised.id]] == ["amendments"]
    assert flag_store.differences() == []


def test_an_import_and_its_undoing_keep_the_rows_exact(db, make_contract, tmp_path):
    contract = make_contract(reference="AV-77", ceiling_amount=D("1000.00"))
    name = contract.vendor.name
    path = tmp_path / "fakturor.csv"
    path.write_text(
        "Leverantör;Avtal;Fakturanummer;Fakturadatum;Belopp\n"
        + "".join(f"{name};AV-77;I-{n};2010-0{n}-01;600,00\n" for n in range(1, 4)),
        encoding="utf-8",
    )
    report = import_and_commit(path, None, Options())
    assert report.status == "ok", report.error
    flags = flag_store.flags_of([contract])[contract.id]
    assert [(f.kind, len(f.invoice_ids)) for f in flags] == [("ceiling", 2)]
    assert _row(db, contract).flags != "[]"
    assert flag_store.differences() == []
    imports.undo_batch(db.session.get(imports.ImportBatch, report.batch_id), "Fel fil")
    db.session.commit()
    assert _row(db, contract).flags == "[]"
    assert flag_store.differences() == []


def test_rebuild_reports_and_repairs_a_change_past_insyn(db, runner, make_contract, make_invoice):
    from app.cli_operations import rebuild_summaries_command

    contract = make_contract(ceiling_amount=D("1000.00"))
    invoice = make_invoice(vendor=contract.vendor, contract=contract, net_amount=D("500.00"))
    db.session.connection().execute(
        sa.text("UPDATE invoices SET net_amount = 200000 WHERE id = :id"), {"id": invoice.id}
    )
    result = runner.invoke(rebuild_summaries_command, ["--check"])
    assert result.exit_code == 1
    assert f"the stored flags of contract(s) {contract.id} differ" in result.output
    assert flag_store.differences() == [contract.id]
    result = runner.invoke(rebuild_summaries_command)
    assert result.exit_code == 1
    assert flag_store.differences() == []
    assert [f.kind for f in flag_store.flags_of([contract])[contract.id]] == ["ceiling"]


def test_setup_stores_the_flags_of_contracts_that_have_none(db, runner, make_contract):
    """A database from before the store (or loaded past Insyn): ``insyn setup`` fills it."""
    made = [make_contract(ceiling_amount=D("100.00")) for _ in range(3)]
    db.session.connection().execute(sa.text("DELETE FROM contract_flag_sets"))
    assert {c.id for c in made} <= set(flag_store.differences())
    result = runner.invoke(args=["setup", "--no-demo"])
    assert result.exit_code == 0, result.output
    assert "Stored the flags of" in result.output
    assert flag_store.differences() == []
    again = runner.invoke(args=["setup", "--no-demo"])
    assert "Stored the flags" not in again.output


def test_the_demo_data_is_stored_as_it_is_computed(db, demo):
    """Values just written (hours given as 200, read back as 200.00) are stored alike."""
    assert flag_store.differences() == []
