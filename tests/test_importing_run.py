"""Two imports of one file at the same moment (``app.importing.run``): two clerks confirming
at once, or two commands. Each runs with its own connection, in a thread of its own, on a
database of this module's own (SQLite, or PostgreSQL when ``DATABASE_URL`` names a server);
one writes the file, the other finds it imported, and no row is doubled. The database itself
holds each file's sheet for one standing batch only."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.audit import SYSTEM
from app.audit import acting_as
from app.extensions import db as _db
from app.importing.plan import Options
from app.importing.run import import_and_commit
from app.models import ImportBatch
from app.models import ImportSheet
from app.models import Invoice

ROWS = 3000


@pytest.fixture(scope="module")
def own_app(databases, migrated_app):
    app = migrated_app(databases.new())
    yield app
    with app.app_context():
        _db.engine.dispose()


def _ledger(path) -> Decimal:
    lines = ["Leverantör;Fakturanummer;Fakturadatum;Belopp"]
    total = Decimal(0)
    for number in range(ROWS):
        amount = Decimal(f"{number % 997}.{number % 100:02d}")
        total += amount
        written = str(amount).replace(".", ",")
        lines.append(
            f"Leverantör {number % 40} AB;F-{number};2010-{number % 12 + 1:02d}-01;{written}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return total


def test_two_imports_of_one_file_at_once_write_it_once(own_app, tmp_path):
    path = tmp_path / "fakturor.csv"
    total = _ledger(path)
    start = threading.Barrier(2)
    reports, errors = [], []

    def one_import():
        try:
            with own_app.app_context(), acting_as(SYSTEM):
                start.wait(timeout=30)
                reports.append(import_and_commit(path, path.name, Options()))
                _db.session.remove()
        except Exception as error:  # noqa: BLE001 - reported below, with the thread's error
            errors.append(error)

    threads = [threading.Thread(target=one_import) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors
    assert sorted(r.status for r in reports) == ["duplicate", "ok"], [r.error for r in reports]
    with own_app.app_context():
        assert _db.session.scalar(sa.select(sa.func.count()).select_from(ImportBatch)) == 1
        count, amount = _db.session.execute(
            sa.select(sa.func.count(), sa.func.sum(Invoice.net_amount))
        ).one()
        assert (count, amount) == (ROWS, total)
        _db.session.remove()


def test_the_database_refuses_a_second_standing_import_of_a_sheet(db):
    batch = ImportBatch(filename="a.csv", sha256="ab" * 32, kind="invoices")
    other = ImportBatch(filename="a-copy.csv", sha256="ab" * 32, kind="invoices")
    db.session.add_all([batch, other])
    db.session.flush()
    db.session.add(ImportSheet(batch_id=batch.id, sha256="ab" * 32, kind="invoices", sheet=""))
    db.session.flush()
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.add(ImportSheet(batch_id=other.id, sha256="ab" * 32, kind="invoices", sheet=""))
        db.session.flush()
    # Undone (no longer live), the sheet can be imported again.
    with db.session.begin_nested():
        db.session.scalars(sa.select(ImportSheet)).one().is_live = None
        db.session.add(ImportSheet(batch_id=other.id, sha256="ab" * 32, kind="invoices", sheet=""))
        db.session.flush()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ImportSheet)) == 2
