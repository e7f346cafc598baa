"""An import stopped midway leaves nothing of itself: the ``insyn import`` process killed
while it writes a 100,000-row ledger, and a browser import's worker process killed likewise.
Each time the database holds no part of the batch, its indexes and constraints stand, no job
is left running, and the same file then imports whole; so too when the database fails under
an import (PostgreSQL: the server terminates its connection; SQLite: another writer holds the
file too long). Each runs on a new database of its own (SQLite, or PostgreSQL when
``DATABASE_URL`` names a server), shared with the child processes."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db as _db
from app.models import AuditEvent
from app.models import ImportBatch
from app.models import ImportJob
from app.models import ImportSheet
from app.models import Invoice
from app.models import Vendor
from tests.conftest import PASSWORD
from tests.processes import INSYN
from tests.processes import ROOT
from tests.processes import child_env
from tests.processes import cpu_seconds
from tests.processes import ledger_csv
from tests.processes import run_measured

ROWS = 100_000

#: A browser import's worker: the job runner of the web app, in a process of its own.
_WORKER = """
import sys
from app import create_app
from app.web.imports.jobs import run_job
from tests.conftest import TEST_CONFIG
url, job_id = sys.argv[1], int(sys.argv[2])
app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url, "IMPORT_JOBS_INLINE": False})
run_job(app, job_id)
"""


@pytest.fixture(scope="module")
def ledger(tmp_path_factory) -> tuple[Path, int]:
    """The 100,000-row ledger and its total in öre."""
    path = tmp_path_factory.mktemp("ledger") / "fakturor-100000.csv"
    return path, ledger_csv(path, ROWS)


def _url(app) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"]


def _copying_backend(app) -> int | None:
    """On PostgreSQL, the server process of a connection copying rows into the invoices."""
    with app.app_context(), _db.engine.connect() as connection:
        return connection.scalar(
            sa.text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND query LIKE 'COPY invoices%'"
            )
        )


def _wait_until_writing(app, process: subprocess.Popen, timeout: float = 120) -> float:
    """Wait until ``process`` is writing invoices (PostgreSQL: a connection is copying them;
    SQLite: the uncommitted transaction has spilled megabytes into the write-ahead log);
    returns the process's CPU seconds then."""
    url = sa.make_url(_url(app))
    wal = Path(f"{url.database}-wal") if url.get_backend_name() == "sqlite" else None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            pytest.fail(f"the import ended (exit {process.returncode}) before it was stopped:\n"
                        f"{output}")  # fmt: skip
        if wal is not None:
            if wal.exists() and wal.stat().st_size > 2 * 1024 * 1024:
                return cpu_seconds(process.pid)
        elif _copying_backend(app) is not None:
            return cpu_seconds(process.pid)
        time.sleep(0.05)
    process.kill()
    pytest.fail("the import never started writing")


def _start(argv: list[str], app) -> subprocess.Popen:
    """Start ``argv`` on the app's database; on SQLite, with the write-ahead log emptied first
    (the migrations filled it), so that its growth shows the import's writes."""
    with app.app_context(), _db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return subprocess.Popen(  # noqa: S603
        argv,
        cwd=ROOT,
        env=child_env(_url(app)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _kill(process: subprocess.Popen) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


def _assert_nothing_left(app) -> None:
    """No invoice, vendor, batch, sheet or audit event of the stopped import; the invoices'
    indexes (and, on PostgreSQL, foreign keys) that a large import drops and rebuilds in its
    transaction are all there."""
    with app.app_context(), _db.engine.connect() as connection:
        for model in (Invoice, Vendor, ImportBatch, ImportSheet):
            count = connection.scalar(sa.select(sa.func.count()).select_from(model))
            assert count == 0, f"{model.__tablename__}: {count} rows left"
        assert not connection.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.record_type == "import_batches")
        )
        inspector = sa.inspect(connection)
        indexes = {index["name"] for index in inspector.get_indexes("invoices")}
        assert {index.name for index in Invoice.__table__.indexes} <= indexes
        if connection.dialect.name == "postgresql":
            keys = {key["name"] for key in inspector.get_foreign_keys("invoices")}
            assert {key.name for key in Invoice.__table__.foreign_key_constraints} <= keys


def _assert_imported_whole(app, total: int) -> None:
    with app.app_context(), _db.engine.connect() as connection:
        count, summed = connection.execute(
            sa.select(sa.func.count(Invoice.id), sa.func.sum(Invoice.net_amount))
        ).one()
        assert count == ROWS
        assert int(summed.scaleb(2)) == total
        assert connection.scalar(sa.select(sa.func.count()).select_from(ImportBatch)) == 1


def test_an_import_killed_while_it_writes_leaves_nothing_and_then_imports_whole(own_app, ledger):
    path, total = ledger
    started = time.perf_counter()
    process = _start([INSYN, "import", str(path)], own_app)
    cpu = _wait_until_writing(own_app, process)
    _kill(process)
    killed_after = time.perf_counter() - started
    _assert_nothing_left(own_app)
    again = run_measured([INSYN, "import", str(path)], child_env(_url(own_app)), timeout=300)
    print(f"killed after {killed_after:.1f} s ({cpu:.1f} s of CPU); the whole import then "
          f"took {again.seconds:.1f} s and {again.peak_mb:.0f} MB")  # fmt: skip
    assert again.code == 0, again.stdout + again.stderr
    _assert_imported_whole(own_app, total)


def test_an_import_whose_database_fails_under_it_ends_clearly_and_leaves_nothing(
    own_app, databases, ledger
):
    """PostgreSQL: the server terminates the importing connection while it copies rows.
    SQLite (one file, no server): another writer holds the database past the import's busy
    timeout, again and again, so the import cannot start writing. Either way the command
    exits 3 naming the cause, nothing is written, and the same file then imports whole."""
    path, total = ledger
    if databases.is_postgres:
        process = _start([INSYN, "import", str(path)], own_app)
        _wait_until_writing(own_app, process)
        backend = _copying_backend(own_app)
        with own_app.app_context(), _db.engine.connect() as connection:
            assert connection.scalar(sa.select(sa.func.pg_terminate_backend(backend)))
        output, _ = process.communicate(timeout=120)
        # The cause, as the driver saw it.
        cause = (
            r"The database could not do this, so nothing was changed(.|\n)*"
            r"(terminating connection|connection is (lost|closed)|closed the connection)"
        )
    else:
        holder = sqlite3.connect(sa.make_url(_url(own_app)).database, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")  # the write lock, held
            process = subprocess.Popen(  # noqa: S603
                [INSYN, "import", str(path)],
                cwd=ROOT,
                env=child_env(_url(own_app), SQLITE_BUSY_SECONDS="1"),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            output, _ = process.communicate(timeout=120)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        cause = r"The database was kept busy by other writes while fakturor-100000.csv waited"
    print(output)
    assert process.returncode == 3, output
    assert re.search(cause, output), output
    assert "Traceback" not in output and len(output) < 1000
    _assert_nothing_left(own_app)
    again = subprocess.run(  # noqa: S603
        [INSYN, "import", str(path)],
        cwd=ROOT,
        env=child_env(_url(own_app)),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert again.returncode == 0, again.stdout + again.stderr
    _assert_imported_whole(own_app, total)


def test_a_browser_import_whose_worker_dies_is_marked_failed_and_the_file_then_imports_whole(
    own_app, ledger, tmp_path
):
    import io

    from app.services.accounts import create_user
    from app.services.imports import create_job
    from app.settings import password_policy

    path, total = ledger
    upload = tmp_path / "upload" / path.name
    upload.parent.mkdir()
    upload.write_bytes(path.read_bytes())
    with own_app.app_context():
        user = create_user(
            {"email": "arbetare@kommun.example", "name": "Clerk", "role": "clerk",
             "password": PASSWORD},
            policy=password_policy(),
        )  # fmt: skip
        job = create_job(user, path.name, upload, {"kind": None, "profile": "auto"})
        job.phase = "import"  # a preview confirmed
        _db.session.commit()
        job_id, email = job.id, user.email
    process = _start([sys.executable, "-c", _WORKER, _url(own_app), str(job_id)], own_app)
    _wait_until_writing(own_app, process)
    _kill(process)
    _assert_nothing_left(own_app)
    with own_app.app_context():
        job = _db.session.get(ImportJob, job_id)
        assert job.status == "running" and job.worker.split(":")[1] == str(process.pid)
        _db.session.remove()

    client = own_app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    page = client.get(f"/imports/jobs/{job_id}").get_data(as_text=True)
    assert "interrupted" in page or "avbröts" in page
    with own_app.app_context():
        job = _db.session.get(ImportJob, job_id)
        assert (job.status, job.error) == ("failed", "interrupted")
        _db.session.remove()
    assert not upload.exists()
    _assert_nothing_left(own_app)

    # The same file, uploaded again, previews and imports whole.
    data = {"file": (io.BytesIO(path.read_bytes()), path.name), "kind": "", "profile": "auto"}
    response = client.post("/imports/", data=data, content_type="multipart/form-data")
    again = int(response.headers["Location"].rsplit("/", 1)[1])
    assert client.post(f"/imports/jobs/{again}/confirm", data={}).status_code == 302
    with own_app.app_context():
        assert _db.session.get(ImportJob, again).status == "done"
        _db.session.remove()
    _assert_imported_whole(own_app, total)
