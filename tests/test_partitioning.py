"""``insyn db partition-invoices``: on PostgreSQL the invoices, partitioned by year, keep every
figure, every page and every write as before (a credit note's reference checked as its foreign
key did, an invoice moved to another year moving to that year's partition, a large import,
new years added); a year's query reads its partition alone. On SQLite the command refuses
plainly and changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.audit import Actor
from app.audit import acting_as
from app.extensions import db as _db
from app.importing import load
from app.models import Invoice
from app.models.partitioning import CREDIT_CHECK
from app.models.partitioning import DEFAULT_PARTITION
from app.models.partitioning import is_partitioned
from app.models.partitioning import partition_years
from tests.processes import ledger_csv


@pytest.fixture
def installation(databases, demo_app):
    with demo_app(databases.new()) as app:
        yield app


def _figures(app) -> dict:
    """Every invoice's row, and the public pages a reader opens, as they read now."""
    with app.app_context():
        rows = _db.session.execute(sa.select(Invoice.__table__).order_by(Invoice.id)).all()
        _db.session.remove()
    client = app.test_client()
    pages = {}
    for url in ("/", "/reports/", "/reports/pivot.json", "/reports/totals.json",
                "/reports/balance.json?year=2010", "/invoices/", "/invoices.json", "/vendors/",
                "/search?q=sociala+medier"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if response.is_json:  # all but the moment it was made
            pages[url] = {k: v for k, v in response.get_json().items() if k != "created_at"}
        else:
            pages[url] = response.data
    return {"rows": rows, "pages": pages}


def _credit_trigger() -> str:
    """The credit check's definition, as the server prints it."""
    return _db.session.scalar(
        sa.text(
            "SELECT pg_get_triggerdef(oid) FROM pg_trigger "
            "WHERE tgname = :name AND tgrelid = 'invoices'::regclass"
        ),
        {"name": CREDIT_CHECK},
    )


def _refuses_a_missing_credited_invoice(credit: Invoice) -> None:
    """A credit note pointed at an invoice that does not exist is refused (and rolled back)."""
    with pytest.raises(sa.exc.IntegrityError, match="does not exist"):
        _db.session.execute(
            sa.update(Invoice).where(Invoice.id == credit.id).values(credits_invoice_id=-1)
        )
    _db.session.rollback()


def _corrected(invoice: Invoice, **changes) -> dict:
    """An invoice's form as a clerk sends it, with ``changes``."""
    data = {name: getattr(invoice, name) for name in (
        "vendor", "invoice_number", "invoiced_on", "paid_on", "net_amount", "vat_amount",
        "currency", "version")}  # fmt: skip
    return {**data, **changes}


def _summaries_exact(runner) -> None:
    checked = runner.invoke(args=["db", "rebuild-summaries", "--check"])
    assert checked.exit_code == 0 and "exact" in checked.output, checked.output


def test_on_sqlite_partitioning_is_refused_and_nothing_changes(installation, databases):
    if databases.is_postgres:
        return  # the PostgreSQL test below is this one's counterpart
    before = _figures(installation)
    result = installation.test_cli_runner().invoke(args=["db", "partition-invoices"])
    assert result.exit_code == 1
    assert "Partitioning is PostgreSQL's" in result.output and "Traceback" not in result.output
    assert _figures(installation) == before


def test_partitioned_invoices_keep_every_figure_page_and_write(
    installation, databases, tmp_path, monkeypatch
):
    if not databases.is_postgres:
        return  # SQLite has no partitions: the test above
    runner = installation.test_cli_runner()
    before = _figures(installation)
    year = dt.date.today().year

    result = runner.invoke(args=["db", "partition-invoices", "--through", str(year)])
    assert result.exit_code == 0, result.output
    assert "partitioned by year" in result.output
    with installation.app_context():
        connection = _db.session.connection()
        assert is_partitioned(connection)
        years = partition_years(connection)
        first = min(row.invoiced_on.year for row in before["rows"])
        assert years == list(range(first, year + 1))
        _db.session.remove()
    # The same rows, the same pages, to the byte.
    assert _figures(installation) == before
    _summaries_exact(runner)

    with installation.app_context(), acting_as(Actor(label="test", origin="command")):
        from app.services.invoices import create_invoice
        from app.services.invoices import update_invoice
        from app.services.vendors import create_vendor

        vendor = create_vendor({"name": "Partitionerade Konsulter AB"})
        invoice = create_invoice({"vendor": vendor, "invoice_number": "P-1",
                                  "invoiced_on": dt.date(first, 5, 1),
                                  "net_amount": Decimal("1000.00"), "vat_rate": 25})  # fmt: skip
        credit = create_invoice({"vendor": vendor, "invoice_number": "P-1K",
                                 "invoiced_on": dt.date(first, 6, 1), "credits": invoice,
                                 "net_amount": Decimal("-400.00"), "vat_rate": 25})  # fmt: skip
        _db.session.commit()
        # Corrected to another year: the row moves to that year's partition.
        update_invoice(invoice, _corrected(invoice, invoiced_on=dt.date(year, 1, 15)))
        _db.session.commit()
        where = sa.text("SELECT tableoid::regclass::text FROM invoices WHERE id = :id")
        assert _db.session.scalar(where, {"id": invoice.id}) == f"invoices_y{year}"
        # The credit note's reference is still checked, as its foreign key did.
        _refuses_a_missing_credited_invoice(credit)
        _db.session.remove()
    _summaries_exact(runner)

    # A large import into the partitioned table: all its rows, its indexes all there.
    monkeypatch.setattr(load, "BULK_THRESHOLD", 1000)
    monkeypatch.setattr("app.importing.run.BULK_THRESHOLD", 1000)
    path = tmp_path / "fakturor.csv"
    total = ledger_csv(Path(path), 3000)
    imported = runner.invoke(args=["import", str(path)])
    assert imported.exit_code == 0, imported.output
    with installation.app_context():
        batch = sa.select(sa.func.max(Invoice.import_batch_id)).scalar_subquery()
        batch_sum = _db.session.scalar(
            sa.select(sa.func.sum(Invoice.net_amount)).where(Invoice.import_batch_id == batch)
        )
        assert int(batch_sum.scaleb(2)) == total
        indexes = {i["name"] for i in sa.inspect(_db.session.connection()).get_indexes("invoices")}
        assert {index.name for index in Invoice.__table__.indexes} <= indexes
        # A year's sum reads that year's partition and no other.
        plan = " ".join(
            _db.session.execute(
                sa.text(
                    f"EXPLAIN SELECT sum(net_amount) FROM invoices WHERE invoiced_on >= "
                    f"'{first}-01-01' AND invoiced_on < '{first + 1}-01-01'"
                )
            ).scalars()
        )
        assert f"invoices_y{first} " in plan and f"invoices_y{first + 1}" not in plan, plan
        _db.session.remove()
    _summaries_exact(runner)

    # A date past the last partition lands in the default one; the command, run again, gives
    # the years up to two past this one partitions of their own and moves the row there.
    with installation.app_context(), acting_as(Actor(label="test", origin="command")):
        invoice = _db.session.scalar(sa.select(Invoice).where(Invoice.invoice_number == "P-1"))
        update_invoice(invoice, _corrected(invoice, invoiced_on=dt.date(year + 1, 1, 10)))
        _db.session.commit()
        assert _db.session.scalar(sa.text(f"SELECT count(*) FROM {DEFAULT_PARTITION}")) == 1
        # The credit check calls its function only for a row that names an invoice it
        # credits; here it is put back as an earlier release made it, for every row.
        assert "WHEN ((new.credits_invoice_id IS NOT NULL))" in _credit_trigger()
        _db.session.execute(sa.text(f"DROP TRIGGER {CREDIT_CHECK} ON invoices"))
        _db.session.execute(sa.text(
            f"CREATE TRIGGER {CREDIT_CHECK} BEFORE INSERT OR UPDATE OF credits_invoice_id "
            f"ON invoices FOR EACH ROW EXECUTE FUNCTION {CREDIT_CHECK}()"
        ))  # fmt: skip
        _db.session.commit()
        assert "WHEN" not in _credit_trigger()
        _db.session.remove()
    again = runner.invoke(args=["db", "partition-invoices"])
    assert again.exit_code == 0, again.output
    assert f"New partitions: {year + 1}, {year + 2}; 1 invoice(s) moved" in again.output
    with installation.app_context():
        assert _db.session.scalar(sa.text(f"SELECT count(*) FROM {DEFAULT_PARTITION}")) == 0
        assert partition_years(_db.session.connection())[-1] == year + 2
        # Run again, the command gave the check its present form, and it still refuses.
        assert "WHEN ((new.credits_invoice_id IS NOT NULL))" in _credit_trigger()
        credit = _db.session.scalar(sa.select(Invoice).where(Invoice.invoice_number == "P-1K"))
        _refuses_a_missing_credited_invoice(credit)
        _db.session.remove()
    _summaries_exact(runner)
