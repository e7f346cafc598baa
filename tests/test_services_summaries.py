"""The invoice summaries (``app.services.summaries``): after every kind of write they equal a
fresh aggregation of the invoices, and a figure read from them equals the same figure summed
from the invoices, for every filter they answer."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from app.importing.plan import Options
from app.importing.run import import_and_commit
from app.models import Category
from app.models import Department
from app.models import ImportBatch
from app.models import Invoice
from app.models import InvoiceMonthSummary
from app.models import InvoiceSummary
from app.models import Vendor
from app.privacy import Audience
from app.services import contracts
from app.services import flag_store
from app.services import imports
from app.services import invoices
from app.services import lists
from app.services import summaries
from app.services import totals as totals_service
from app.services import vendors
from app.services.balance import balance
from app.services.balance import balance_years
from app.services.errors import ServiceError
from app.services.invoice_filters import InvoiceFilters
from app.services.overview import counts
from app.services.overview import yearly_overview
from app.services.summary_filters import summary_scope
from app.services.totals import DIMENSIONS
from app.services.totals import TotalsQuery
from tests.ledger import build_ledger

D = Decimal
_numbers = itertools.count(1)


def assert_exact(db) -> None:
    db.session.flush()
    assert summaries.differences() == []


def assert_flags_exact(db) -> None:
    """The stored flags equal flags computed afresh (the store follows at commit)."""
    db.session.commit()
    assert flag_store.differences() == []


# --- a random sequence of writes ---------------------------------------------------------------


@pytest.fixture
def tmp_csv(tmp_path):
    def write(lines: list[str]):
        path = tmp_path / f"fakturor-{next(_numbers)}.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    return write


def _world(db):
    """Four vendors (the first with a contract in SEK, small enough for its invoices to pass
    its ceiling and quota), two categories, two departments."""
    names = [f"Summa {next(_numbers)} AB" for _ in range(4)]
    made = [vendors.create_vendor({"name": name}) for name in names]
    contract = contracts.create_contract(
        {
            "vendor": made[0],
            "title": f"Avtal {next(_numbers)}",
            "starts_on": dt.date(2010, 1, 1),
            "ends_on": dt.date(2011, 6, 30),
            "ceiling_amount": D("60000.00"),
            "hour_quota": D("40"),
            "hourly_rate": D("1000.00"),
        }
    )
    world = {
        "vendors": [v.id for v in made],
        "names": names,
        "contract": contract.id,
        "categories": [lists.get_or_create(Category, n).id for n in ("Strategi", "Design")],
        "departments": [lists.get_or_create(Department, n).id for n in ("KLF", "KF")],
    }
    db.session.commit()
    return world


def _pick(db, model, index: int, *where):
    ids = db.session.scalars(sa.select(model.id).where(*where).order_by(model.id)).all()
    return db.session.get(model, ids[index % len(ids)]) if ids else None


def _vendor(db, world, index: int):
    live = [v for v in (db.session.get(Vendor, i) for i in world["vendors"]) if v is not None]
    return live[index % len(live)]


def _entry(db, model, ids, index: int):
    return None if index >= len(ids) else db.session.get(model, ids[index])


def _data(invoice: Invoice) -> dict:
    return {
        "vendor": invoice.vendor,
        "invoice_number": invoice.invoice_number,
        "invoiced_on": invoice.invoiced_on,
        "paid_on": invoice.paid_on,
        "net_amount": invoice.net_amount,
        "vat_amount": invoice.vat_amount,
        "currency": invoice.currency,
        "contract": invoice.contract,
        "category": invoice.category,
        "department": invoice.department,
        "credits": invoice.credits,
        "vat_confirmed": True,
        "version": invoice.version,
    }


def _create(db, world, vendor, year, month, ore, rate, paid, category, department, contract, cur):
    invoiced = dt.date(year, month, 1 + ore % 28)
    # Under the contract: the first vendor's, in SEK, with hours at or above its rate.
    contract = contract and cur == "SEK"
    vendor = _vendor(db, world, 0 if contract else vendor)
    invoices.create_invoice(
        {
            "vendor": vendor,
            "invoice_number": f"S-{next(_numbers)}",
            "invoiced_on": invoiced,
            "paid_on": invoiced + dt.timedelta(days=paid) if paid is not None else None,
            "net_amount": D(ore).scaleb(-2),
            "vat_rate": rate,
            "currency": cur,
            "category": _entry(db, Category, world["categories"], category),
            "department": _entry(db, Department, world["departments"], department),
            "contract": db.session.get(contracts.Contract, world["contract"])
            if contract and vendor.id == world["vendors"][0]
            else None,
            "hours": D(abs(ore) // 100_000 + ore % 2) if contract else None,
        }
    )


def _edit(db, world, pick, field, value):
    invoice = _pick(db, Invoice, pick, Invoice.voided_at.is_(None))
    if invoice is None:
        return
    data = _data(invoice)
    if field == "amount":
        net = D(value + 1).scaleb(-2) * (-1 if invoice.net_amount < 0 else 1)
        data.update(net_amount=net, vat_amount=invoices.compute_vat(net, 25))
    elif field == "date":
        data["invoiced_on"] = dt.date(2009 + value % 4, value % 12 + 1, value % 28 + 1)
        data["paid_on"] = data["invoiced_on"] + dt.timedelta(days=value % 45)
    elif field == "paid":
        data["paid_on"] = (
            None if data["paid_on"] else invoice.invoiced_on + dt.timedelta(value % 90)
        )
    elif field == "vendor":
        data.update(vendor=_vendor(db, world, value), contract=None, credits=None)
        if invoice.credited_by:
            return
    elif field == "category":
        data["category"] = _entry(db, Category, world["categories"], value % 3)
    elif field == "department":
        data["department"] = _entry(db, Department, world["departments"], value % 3)
    else:
        data.update(currency="EUR" if invoice.currency == "SEK" else "SEK", contract=None)
    invoices.update_invoice(invoice, data)


def _credit(db, pick, ore):
    invoice = _pick(db, Invoice, pick, Invoice.voided_at.is_(None), Invoice.net_amount > 0)
    if invoice is None or invoice.currency != "SEK":
        return
    invoices.create_invoice(
        {
            "vendor": invoice.vendor,
            "invoice_number": f"K-{next(_numbers)}",
            "invoiced_on": invoice.invoiced_on,
            "net_amount": -D(ore % 10_000 + 1).scaleb(-2),
            "vat_rate": 25,
            "credits": invoice,
            "category": invoice.category,
        }
    )


def _import(db, world, tmp_csv, rows, seed):
    lines = ["Leverantör;Fakturanummer;Fakturadatum;Betaldatum;Belopp"]
    for row in range(rows):
        n = seed + row
        name = world["names"][n % 4] if n % 5 else f"Ny {next(_numbers)} AB"
        invoiced = dt.date(2009 + n % 4, n % 12 + 1, n % 28 + 1)
        paid = (invoiced + dt.timedelta(days=n % 30)).isoformat() if n % 3 else ""
        amount = f"{n % 9973},{n % 100:02d}"
        lines.append(f"{name};I-{next(_numbers)};{invoiced.isoformat()};{paid};{amount}")
    report = import_and_commit(tmp_csv(lines), None, Options())
    assert report.status == "ok", report.error


def _undo(db, pick):
    batch = _pick(db, ImportBatch, pick, ImportBatch.undone_at.is_(None))
    if batch is not None:
        imports.undo_batch(batch, "Fel fil")


def _merge(db, world, a, b):
    target, duplicate = _vendor(db, world, a), _vendor(db, world, b)
    if target.id != duplicate.id:
        vendors.merge_vendors(target, duplicate, version=target.version)


def _bulk_insert(db, world, rows, seed):
    db.session.execute(
        sa.insert(Invoice),
        [
            {
                "vendor_id": _vendor(db, world, seed + n).id,
                "invoice_number": f"B-{next(_numbers)}",
                "invoiced_on": dt.date(2009 + (seed + n) % 4, (seed + n) % 12 + 1, 3),
                "paid_on": dt.date(2013, 1, 1) if n % 2 else None,
                "net_amount": D(seed % 5000 + n).scaleb(-2),
                "category_id": world["categories"][n % 2] if n % 3 else None,
                "currency": "SEK" if n % 4 else "EUR",
            }
            for n in range(rows)
        ],
    )


def _statement(db, pick, value):
    invoice = _pick(db, Invoice, pick)
    if invoice is None:
        return
    db.session.execute(
        sa.update(Invoice)
        .where(Invoice.vendor_id == invoice.vendor_id)
        .values(net_amount=Invoice.net_amount + D(value % 1000), paid_on=None)
    )


def _amend(db, world, day, amount):
    contracts.add_amendment(
        db.session.get(contracts.Contract, world["contract"]),
        {
            "dated_on": dt.date(2009, 1, 1) + dt.timedelta(days=day),
            "kind": contracts.AmendmentKind.EXPANSION,
            "added_amount": D(amount).scaleb(-2),
            "added_hours": D(amount % 50),
            "new_ends_on": dt.date(2013, 6, 30) if amount % 2 else None,
            "reason": "Utökat uppdrag",
        },
    )


def _void(db, pick):
    invoice = _pick(db, Invoice, pick, Invoice.voided_at.is_(None))
    if invoice is not None:
        invoices.void_invoice(invoice, "Fel belopp")


def _restore(db, pick):
    invoice = _pick(db, Invoice, pick, Invoice.voided_at.is_not(None))
    if invoice is not None:
        invoices.restore_invoice(invoice)


small = st.integers(0, 40)
ACTIONS = st.one_of(
    st.tuples(
        st.just("create"),
        st.integers(0, 3),
        st.integers(2009, 2012),
        st.integers(1, 12),
        st.integers(-50_000, 5_000_000),
        st.sampled_from([25, 0]),
        st.one_of(st.none(), st.integers(0, 60)),
        st.integers(0, 2),
        st.integers(0, 2),
        st.booleans(),
        st.sampled_from(["SEK", "SEK", "EUR"]),
    ),
    st.tuples(
        st.just("edit"),
        small,
        st.sampled_from(["amount", "date", "paid", "vendor", "category", "department", "cur"]),
        st.integers(0, 10**6),
    ),
    st.tuples(st.just("void"), small),
    st.tuples(st.just("restore"), small),
    st.tuples(st.just("credit"), small, st.integers(0, 10**6)),
    st.tuples(st.just("import"), st.integers(1, 6), st.integers(0, 10**6)),
    st.tuples(st.just("undo"), small),
    st.tuples(st.just("merge"), st.integers(0, 3), st.integers(0, 3)),
    st.tuples(st.just("bulk"), st.integers(1, 5), st.integers(0, 10**6)),
    st.tuples(st.just("statement"), small, st.integers(0, 10**6)),
    st.tuples(st.just("amend"), st.integers(0, 4 * 365), st.integers(-3_000_000, 3_000_000)),
)
#: Writes that go through a service (refusals roll back to a savepoint) and those that
#: commit on their own (an import, its undoing, a merge).
SERVICES = {
    "create": _create,
    "edit": _edit,
    "void": lambda db, world, *args: _void(db, *args),
    "restore": lambda db, world, *args: _restore(db, *args),
    "credit": lambda db, world, *args: _credit(db, *args),
    "bulk": _bulk_insert,
    "statement": lambda db, world, *args: _statement(db, *args),
    "amend": _amend,
}


@settings(max_examples=30)
@given(actions=st.lists(ACTIONS, min_size=1, max_size=8))
def test_after_every_write_the_summaries_equal_a_fresh_aggregation(db, tmp_csv, actions):
    """And the stored flags equal flags computed afresh."""
    world = _world(db)
    assert_exact(db)
    assert_flags_exact(db)
    for action, *args in actions:
        if action in SERVICES:
            try:
                with db.session.begin_nested():
                    SERVICES[action](db, world, *args)
            except ServiceError:
                pass  # refused: rolled back, summaries and all
        elif action == "import":
            _import(db, world, tmp_csv, *args)
        elif action == "undo":
            _undo(db, *args)
            db.session.commit()
        else:
            _merge(db, world, *args)
            db.session.commit()
        assert_exact(db)
        assert_flags_exact(db)


def test_each_write_moves_the_sums_it_should(db, make_vendor, make_invoice):
    """A hand-checked walk: entered, moved to another month, paid, voided, restored."""
    vendor = make_vendor()

    def rows(basis="invoiced"):
        return [
            (s.year, s.month, s.net_amount, s.vat_amount, s.invoice_count)
            for s in db.session.scalars(
                sa.select(InvoiceSummary)
                .where(InvoiceSummary.vendor_id == vendor.id, InvoiceSummary.date_basis == basis)
                .order_by(InvoiceSummary.year, InvoiceSummary.month)
            )
        ]

    invoice = make_invoice(vendor=vendor, invoiced_on=dt.date(2010, 3, 5))
    make_invoice(vendor=vendor, invoiced_on=dt.date(2010, 3, 9), net_amount=D("0.01"))
    assert rows() == [(2010, 3, D("1000.01"), D("250.00"), 2)]
    assert rows("paid") == []
    invoices.update_invoice(
        invoice,
        {**_data(invoice), "invoiced_on": dt.date(2010, 4, 1), "paid_on": dt.date(2011, 1, 2)},
    )
    assert rows() == [(2010, 3, D("0.01"), D("0.00"), 1), (2010, 4, D("1000.00"), D("250.00"), 1)]
    assert rows("paid") == [(2011, 1, D("1000.00"), D("250.00"), 1)]
    invoices.void_invoice(invoice, "Dubblett")
    assert rows() == [(2010, 3, D("0.01"), D("0.00"), 1)]
    assert rows("paid") == []
    invoices.restore_invoice(invoice)
    assert rows("paid") == [(2011, 1, D("1000.00"), D("250.00"), 1)]
    assert_exact(db)


def test_an_import_and_its_undoing_move_the_sums(db, tmp_csv, make_vendor):
    vendor = make_vendor(name="Importerad Leverantör AB")
    lines = ["Leverantör;Fakturanummer;Fakturadatum;Belopp"]
    lines += [f"{vendor.name};X-{n};2011-0{n % 3 + 1}-15;{n}00,50" for n in range(1, 10)]
    report = import_and_commit(tmp_csv(lines), None, Options())
    assert report.status == "ok"
    figure = invoices.invoice_totals(InvoiceFilters(vendor_id=vendor.id))
    assert [(t.net_amount, t.count) for t in figure] == [(D("4504.50"), 9)]
    assert_exact(db)
    # Every statement that groups, copies or voids the batch's rows reads them by a range of
    # ids too (the batch alone can make a database read the whole table, once per statement).
    by_batch: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many):
        if "import_batch_id = " in statement and "min(invoices.id)" not in statement:
            by_batch.append(statement)

    engine = db.session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        imports.undo_batch(db.session.get(ImportBatch, report.batch_id), "Fel fil")
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    db.session.commit()
    invoice_statements = [s for s in by_batch if "invoices.import_batch_id" in s]
    # Two sums into the summaries' scratch table (one per date basis), and the rest of undoing.
    assert len(invoice_statements) >= 4, by_batch
    assert all("invoices.id BETWEEN" in s for s in invoice_statements), invoice_statements
    assert invoices.invoice_totals(InvoiceFilters(vendor_id=vendor.id)) == []
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(InvoiceSummary.vendor_id == vendor.id))
        == 0
    )
    assert_exact(db)


def test_an_insert_the_summaries_cannot_follow_is_refused(db, make_vendor):
    vendor = make_vendor()
    with pytest.raises(NotImplementedError):
        db.session.execute(
            sa.insert(Invoice).from_select(
                ["vendor_id", "invoice_number", "invoiced_on", "net_amount", "vat_amount"],
                sa.select(
                    sa.literal(vendor.id),
                    sa.literal("F"),
                    sa.literal(dt.date(2010, 1, 1)),
                    sa.literal(100),
                    sa.literal(0),
                ),
            )
        )


# --- the same figures from the summaries and from the invoices ---------------------------------


@pytest.fixture
def ledger(db, make_vendor):
    """The hand-checked ledger, and more invoices over three years, paid and unpaid."""
    book = build_ledger()
    extra = make_vendor(name="Extra Konsult AB")
    for n in range(24):
        invoices.create_invoice(
            {
                "vendor": extra if n % 3 else book.beta,
                "invoice_number": f"E-{n}",
                "invoiced_on": dt.date(2010 + n % 3, n % 12 + 1, n % 27 + 1),
                "paid_on": dt.date(2010 + n % 3, n % 12 + 1, 28) if n % 4 else None,
                "net_amount": D(f"{(n * 7919) % 50_000}.{n:02d}"),
                "vat_rate": 25,
                "category": book.strategi if n % 2 else None,
                "department": book.kf if n % 5 else book.klf,
            }
        )
    db.session.commit()
    return book


def _filter_sets(book) -> list[InvoiceFilters]:
    staff = Audience.STAFF
    return [
        InvoiceFilters(),
        InvoiceFilters(year=2010),
        InvoiceFilters(year=2010, month=3),
        InvoiceFilters(year=2011, date_basis="paid"),
        InvoiceFilters(date_basis="paid"),
        InvoiceFilters(date_from=dt.date(2010, 3, 1), date_to=dt.date(2011, 2, 28)),
        InvoiceFilters(date_from=dt.date(2010, 4, 1), date_basis="paid"),
        InvoiceFilters(year=2010, date_to=dt.date(2010, 6, 30)),
        InvoiceFilters(vendor_id=book.alfa.id),
        InvoiceFilters(vendor_ids=(book.alfa.id, book.beta.id), year=2010),
        InvoiceFilters(exclude_vendor_ids=(book.alfa.id,), currency="SEK"),
        InvoiceFilters(vendor_text="nils", audience=staff),
        InvoiceFilters(vendor_text="konsult"),
        InvoiceFilters(category_id=0),
        InvoiceFilters(category_id=book.strategi.id, department_id=book.klf.id),
        InvoiceFilters(department_id=0, date_basis="paid", year=2010),
        InvoiceFilters(contract_id=book.contract.id),
        InvoiceFilters(contract_id=0, currency="USD"),
        InvoiceFilters(status="all", year=2011),
    ]


def _from_invoices(monkeypatch):
    """Make every figure come from the invoices table."""
    for module in (totals_service, invoices):
        monkeypatch.setattr(module, "year_or_month_scope", lambda *_args, **_kwargs: None)


def _from_months(monkeypatch):
    """Make every figure the summaries answer come from the month summary."""
    for module in (totals_service, invoices):
        monkeypatch.setattr(
            module,
            "year_or_month_scope",
            lambda filters, dated, by=(): summary_scope(filters, dated),
        )


def _from_category_months(monkeypatch):
    """Make every figure the month summary can answer (no vendor or contract) come from it,
    before the year summary."""
    allowed = {"year", "month", "category", "department", "currency"}

    def scope(filters, dated, by=()):
        found = None
        if set(by) <= allowed:
            found = summary_scope(filters, dated, InvoiceMonthSummary)
        return found or summary_scope(filters, dated)

    for module in (totals_service, invoices):
        monkeypatch.setattr(module, "year_or_month_scope", scope)


def _groupings():
    return [(d,) for d in DIMENSIONS] + list(itertools.permutations(DIMENSIONS, 2))


def _plain(rows):
    return [(r.keys, r.currency, r.amount, r.count, r.share, r.labels) for r in rows]


def test_every_grouping_and_filter_gives_the_same_figures_from_the_summaries(ledger, monkeypatch):
    filter_sets = _filter_sets(ledger)
    for filters in filter_sets:
        assert summary_scope(filters.narrowed(status="active"), dated=True) is not None, filters
    queries = [
        TotalsQuery(by=by, measure=measure, filters=filters)
        for filters in filter_sets
        for by in _groupings()
        for measure in ("net", "gross", "vat")
        if measure == "net" or len(by) == 1
    ]

    def figures():
        return (
            [_plain(totals_service.totals(q)) for q in queries],
            [totals_service.pivot(f, top=2) for f in filter_sets],
            [invoices.invoice_totals(f) for f in filter_sets],
            [invoices.yearly_totals(**_fields(f)) for f in filter_sets],
        )

    summed = figures()
    assert any(row for row in summed[0])
    # The month summary answers some of them by itself (no vendor or contract asked for).
    assert any(
        summary_scope(f.narrowed(status="active"), True, InvoiceMonthSummary) is not None
        for f in filter_sets
    )
    assert any(
        summary_scope(f.narrowed(status="active"), True, InvoiceMonthSummary) is None
        and summary_scope(f.narrowed(status="active"), True) is not None
        for f in filter_sets
    )
    with monkeypatch.context() as patch:
        _from_months(patch)
        assert figures() == summed
    with monkeypatch.context() as patch:
        _from_category_months(patch)
        assert figures() == summed
    _from_invoices(monkeypatch)
    assert figures() == summed


def _fields(filters: InvoiceFilters) -> dict:
    return {
        name: getattr(filters, name)
        for name in ("vendor_id", "category_id", "year", "date_basis", "currency", "status")
    }


def test_the_front_page_balance_and_years_match_the_invoices(ledger, monkeypatch):
    from app.extensions import db

    year = sa.cast(sa.extract("year", Invoice.invoiced_on), sa.Integer)
    by_year = {
        (y, c): (amount, n)
        for y, c, amount, n in db.session.execute(
            sa.select(year, Invoice.currency, sa.func.sum(Invoice.net_amount), sa.func.count())
            .where(Invoice.voided_at.is_(None))
            .group_by(year, Invoice.currency)
        )
    }
    overview = {
        (r.year, r.currency): (r.costs, r.invoice_count)
        for r in yearly_overview()
        if r.invoice_count
    }
    assert overview == by_year
    assert counts()["invoices"] == sum(n for _amount, n in by_year.values()) == 32
    assert balance_years() == [2012, 2011, 2010]
    summed = [
        balance(y, basis, Audience.STAFF) for y in (2010, 2011) for basis in ("invoiced", "paid")
    ]
    _from_invoices(monkeypatch)
    assert summed == [
        balance(y, b, Audience.STAFF) for y in (2010, 2011) for b in ("invoiced", "paid")
    ]
    assert summed[1].costs["USD"] == D("99.99")


# --- which figures the summaries answer --------------------------------------------------------


@pytest.mark.parametrize(
    "filters",
    [
        InvoiceFilters(q="konsult"),
        InvoiceFilters(amount_min=D("100")),
        InvoiceFilters(amount_max=D("100")),
        InvoiceFilters(batch_id=3),
        InvoiceFilters(date_from=dt.date(2010, 3, 2)),
        InvoiceFilters(date_to=dt.date(2010, 3, 30)),
        InvoiceFilters(year=2010, month=13),
        InvoiceFilters(status="voided"),
    ],
)
def test_filters_the_summaries_cannot_answer_go_to_the_invoices(filters):
    assert summary_scope(filters) is None


def test_a_figure_is_read_from_the_summaries_when_it_can_be(db, make_invoice, make_vendor):
    vendor = make_vendor()
    make_invoice(vendor=vendor, net_amount=D("100.00"), description="Workshop")
    db.session.flush()
    # The summaries made wrong behind Insyn's back (the month summary by 1 öre, the year
    # summary by 2): the figures that read them show it.
    for table, ore in ((summaries.TABLE, 1), (summaries.YEAR_TABLE, 2)):
        db.session.connection().execute(
            sa.update(table)
            .where(table.c.vendor_id == vendor.id, table.c.date_basis == "invoiced")
            .values(net_amount=table.c.net_amount + ore)
        )

    def net(**filters):
        [total] = invoices.invoice_totals(InvoiceFilters(vendor_id=vendor.id, **filters))
        return total.net_amount

    assert net() == net(year=2010) == D("100.02")
    assert net(category_id=0) == net(year=2010, month=3) == D("100.01")
    assert net(q="workshop") == net(amount_min=D("1")) == D("100.00")
    assert [
        (d.table, d.key["vendor_id"], d.stored[0], d.actual[0]) for d in summaries.differences()
    ] == [
        ("invoice_summaries", vendor.id, 10001, 10000),
        ("invoice_year_summaries", vendor.id, 10002, 10000),
    ]


def test_figures_of_the_whole_ledger_by_month_category_or_department_read_the_month_summary(
    db, make_invoice, make_vendor
):
    category = lists.get_or_create(Category, "Strategi")
    make_invoice(vendor=make_vendor(), net_amount=D("100.00"), category=category)
    make_invoice(vendor=make_vendor(), net_amount=D("50.00"), category=category)
    db.session.flush()
    # The month summary made wrong behind Insyn's back by 3 öre: the figures that read it
    # show it; those that name a vendor, or group by one, do not.
    table = summaries.MONTH_TABLE
    db.session.connection().execute(
        sa.update(table)
        .where(table.c.category_id == category.id, table.c.date_basis == "invoiced")
        .values(net_amount=table.c.net_amount + 3)
    )

    def net(**filters):
        [total] = invoices.invoice_totals(InvoiceFilters(**filters))
        return total.net_amount

    assert net(category_id=category.id) == net(category_id=category.id, year=2010) == D("150.03")
    by_month = totals_service.totals(
        TotalsQuery(by=("month", "category"), filters=InvoiceFilters(category_id=category.id))
    )
    assert [(r.keys["category"], r.amount, r.count) for r in by_month] == [
        (category.id, D("150.03"), 2)
    ]
    by_vendor = totals_service.totals(
        TotalsQuery(by=("vendor",), filters=InvoiceFilters(category_id=category.id))
    )
    assert sorted(r.amount for r in by_vendor) == [D("50.00"), D("100.00")]
    [difference] = summaries.differences()
    assert (difference.table, difference.stored[0], difference.actual[0]) == (
        "invoice_month_summaries",
        15003,
        15000,
    )


def test_rebuild_summaries_reports_and_repairs_a_difference(db, runner, make_invoice):
    from app.cli_operations import rebuild_summaries_command

    invoice = make_invoice(net_amount=D("100.00"), invoiced_on=dt.date(2010, 5, 5))
    db.session.flush()
    result = runner.invoke(rebuild_summaries_command)
    assert (result.exit_code, result.output.strip()) == (
        0,
        "The invoice summaries and the stored flags are exact.",
    )
    # An invoice changed with plain SQL, past every hook.
    db.session.connection().execute(
        sa.text("UPDATE invoices SET net_amount = 20000 WHERE id = :id"), {"id": invoice.id}
    )
    result = runner.invoke(rebuild_summaries_command, ["--check"])
    assert result.exit_code == 1
    assert (
        f"invoice_summaries date_basis=invoiced vendor_id={invoice.vendor_id} year=2010 "
        "month=5 currency=SEK category_id=0 department_id=0 contract_id=0: summaries 100.00 "
        "+ VAT 25.00 in 1 invoice(s), invoices 200.00 + VAT 25.00 in 1 invoice(s)"
    ) in result.output
    assert (
        f"invoice_year_summaries date_basis=invoiced year=2010 vendor_id={invoice.vendor_id} "
        "currency=SEK: summaries 100.00"
    ) in result.output
    assert (
        "invoice_month_summaries date_basis=invoiced year=2010 month=5 currency=SEK "
        "category_id=0 department_id=0: summaries 100.00"
    ) in result.output
    assert "4 summary row(s) and 0 contract(s)' flags differ; nothing was changed." in result.output
    assert (
        f"invoice_contract_year_summaries date_basis=invoiced year=2010 contract_id=0 "
        f"vendor_id={invoice.vendor_id} currency=SEK: summaries 100.00"
    ) in result.output
    assert len(summaries.differences()) == 4
    result = runner.invoke(rebuild_summaries_command)
    assert result.exit_code == 1
    assert (
        "4 summary row(s) and 0 contract(s)' flags differed; rebuilt from the invoices."
        in result.output
    )
    assert summaries.differences() == []
    [total] = invoices.invoice_totals(InvoiceFilters(vendor_id=invoice.vendor_id))
    assert total.net_amount == D("200.00")


# --- the migration -----------------------------------------------------------------------------


def test_the_migration_fills_the_summaries_from_the_invoices_there(databases, migrated_app):
    from flask_migrate import downgrade
    from flask_migrate import upgrade

    from app.extensions import db

    app = migrated_app(databases.new())
    try:
        with app.app_context():
            downgrade(revision="f0811bef4f63")
            now = "2026-01-01 00:00:00"
            with db.engine.begin() as connection:
                connection.execute(
                    sa.text(
                        "INSERT INTO vendors (id, name, name_key, id_kind, country, "
                        "is_private_person, created_at, updated_at) "
                        "VALUES (1, 'A AB', 'a ab', 'none', 'SE', false, :now, :now)"
                    ),
                    {"now": now},
                )
                insert = sa.text(
                    "INSERT INTO invoices (vendor_id, invoice_number, invoiced_on, paid_on, "
                    "net_amount, vat_amount, currency, category_id, created_at, updated_at, "
                    "voided_at, void_reason) VALUES (1, :number, :invoiced, :paid, :net, :vat, "
                    ":currency, NULL, :now, :now, :voided, :reason)"
                )
                for number, invoiced, paid, net, currency, voided in (
                    ("F1", "2010-01-05", "2010-02-01", 10000, "SEK", None),
                    ("F2", "2010-01-20", None, 2550, "SEK", None),
                    ("F3", "2010-01-21", "2010-02-03", -1000, "SEK", None),
                    ("F4", "2010-01-22", "2010-01-30", 500, "EUR", None),
                    ("F5", "2010-01-23", "2010-01-30", 99999, "SEK", now),
                ):
                    connection.execute(
                        insert,
                        {
                            "number": number,
                            "invoiced": invoiced,
                            "paid": paid,
                            "net": net,
                            "vat": net // 4,
                            "currency": currency,
                            "now": now,
                            "voided": voided,
                            "reason": "fel" if voided else None,
                        },
                    )
            upgrade()
            with db.engine.connect() as connection:
                rows = connection.execute(
                    sa.text(
                        "SELECT date_basis, year, month, currency, category_id, department_id,"
                        " contract_id, net_amount, vat_amount, invoice_count"
                        " FROM invoice_summaries ORDER BY date_basis, year, month, currency"
                    )
                ).all()
            assert [tuple(r) for r in rows] == [
                ("invoiced", 2010, 1, "EUR", 0, 0, 0, 500, 125, 1),
                ("invoiced", 2010, 1, "SEK", 0, 0, 0, 11550, 2887, 3),
                ("paid", 2010, 1, "EUR", 0, 0, 0, 500, 125, 1),
                ("paid", 2010, 2, "SEK", 0, 0, 0, 9000, 2250, 2),
            ]
            with db.engine.connect() as connection:
                years = connection.execute(
                    sa.text(
                        "SELECT date_basis, year, vendor_id, currency, net_amount, vat_amount,"
                        " invoice_count FROM invoice_year_summaries"
                        " ORDER BY date_basis, year, currency"
                    )
                ).all()
            assert [tuple(r) for r in years] == [
                ("invoiced", 2010, 1, "EUR", 500, 125, 1),
                ("invoiced", 2010, 1, "SEK", 11550, 2887, 3),
                ("paid", 2010, 1, "EUR", 500, 125, 1),
                ("paid", 2010, 1, "SEK", 9000, 2250, 2),
            ]
            with db.engine.connect() as connection:
                months = connection.execute(
                    sa.text(
                        "SELECT date_basis, year, month, currency, category_id, department_id,"
                        " net_amount, vat_amount, invoice_count FROM invoice_month_summaries"
                        " ORDER BY date_basis, year, month, currency"
                    )
                ).all()
            assert [tuple(r) for r in months] == [
                ("invoiced", 2010, 1, "EUR", 0, 0, 500, 125, 1),
                ("invoiced", 2010, 1, "SEK", 0, 0, 11550, 2887, 3),
                ("paid", 2010, 1, "EUR", 0, 0, 500, 125, 1),
                ("paid", 2010, 2, "SEK", 0, 0, 9000, 2250, 2),
            ]
            with app.test_request_context():
                assert summaries.differences() == []
                db.session.remove()
    finally:
        with app.app_context():
            db.engine.dispose()


# --- two writers at once -----------------------------------------------------------------------


def test_writers_at_the_same_moment_keep_the_summaries_exact(databases, migrated_app):
    """Clerks entering invoices of one vendor and month at the same moment, each in a
    transaction of its own: every delta lands (on PostgreSQL the upserts wait for each
    other's row; SQLite takes one writer at a time)."""
    import threading

    from app.extensions import db
    from app.models.sqlite import writing

    app = migrated_app(databases.new())
    try:
        with app.app_context():
            vendor_id = vendors.create_vendor({"name": "Samtidig AB"}).id
            db.session.commit()
            db.session.remove()
        start = threading.Barrier(4)
        errors = []

        def clerk(n: int) -> None:
            try:
                # As a request that saves: on SQLite it waits its turn for the write lock.
                with app.app_context(), writing():
                    start.wait(timeout=30)
                    for k in range(5):
                        invoices.create_invoice(
                            {
                                "vendor": db.session.get(Vendor, vendor_id),
                                "invoice_number": f"T{n}-{k}",
                                "invoiced_on": dt.date(2010, 3, 1 + k),
                                "net_amount": D("100.00") * (n + 1),
                                "vat_rate": 25,
                            }
                        )
                        db.session.commit()
                    db.session.remove()
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)

        threads = [threading.Thread(target=clerk, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []
        with app.app_context():
            [total] = invoices.invoice_totals(InvoiceFilters(vendor_id=vendor_id, year=2010))
            assert (total.net_amount, total.count) == (D("5000.00"), 20)
            assert summaries.differences() == []
            db.session.remove()
    finally:
        with app.app_context():
            db.engine.dispose()
