"""Running import jobs for the browser: uploads kept on disk until confirmed, each job run in a
background thread of the server process with a session of its own, its progress kept in
memory and written to the database twice a second, its outcome committed once.

This is the edge: the services only record jobs and batches (they flush); starting threads,
tracking progress and committing happen here, beside the views.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import os
import re
import shutil
import socket
import threading
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask import current_app

from app import audit
from app.extensions import db
from app.importing.plan import Options
from app.importing.run import import_and_commit
from app.models import ImportJob
from app.models import User
from app.models.base import utcnow
from app.models.sqlite import writing
from app.services import imports as service
from app.settings import plausibility_rules

log = logging.getLogger(__name__)

#: A job not heard from for this long was interrupted (the server stopped), when its
#: process cannot be asked (it ran on another host, or was never started).
STALE_AFTER = dt.timedelta(minutes=10)
#: Seconds between progress writes.
PROGRESS_EVERY = 0.5

#: Progress of the jobs running in this process, for when the database cannot take a write
#: (SQLite holds its one write lock for the whole import transaction).
_live_progress: dict[int, tuple[int, int]] = {}


def upload_dir() -> Path:
    path = Path(current_app.instance_path) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def safe_filename(name: str) -> str:
    """The base name of an upload, stripped of directories and of characters a file system
    or a header would trip on; never empty."""
    base = re.split(r"[\\/]", name or "")[-1].strip()
    base = re.sub(r"[^\w.\- ()åäöÅÄÖ]+", "_", base)[:200]
    return base if base and base not in {".", ".."} else "upload"


def start_job(user: User, upload, options: Options) -> ImportJob:
    """Keep an upload (a werkzeug FileStorage) on disk and record its preview job. Flushes;
    the caller commits and then calls :func:`launch`."""
    _clean_old_uploads()
    filename = safe_filename(upload.filename)
    folder = upload_dir() / uuid.uuid4().hex
    folder.mkdir()
    stored = folder / filename
    upload.save(stored)
    chosen = {
        "kind": options.kind,
        "profile": options.profile,
        "sheet": options.sheet,
        "period": options.period,
        "currency": options.currency,
    }
    return service.create_job(user, filename, stored, chosen)


def launch(app: Flask, job_id: int) -> None:
    """Run a queued job: in a background thread, or at once when ``IMPORT_JOBS_INLINE`` is
    set (tests, whose database connection cannot be shared with a thread)."""
    if app.config.get("IMPORT_JOBS_INLINE"):
        # In a context of its own, as a thread starts: not in the request's (a writing
        # request's SQLite transactions wait for the write lock; the job's progress must not).
        contextvars.Context().run(run_job, app, job_id)
        return
    thread = threading.Thread(
        target=run_job, args=(app, job_id), name=f"insyn-import-{job_id}", daemon=True
    )
    thread.start()


def job_options(app: Flask, job: ImportJob) -> Options:
    """The job's options, with the deployment's settings the import needs."""
    chosen = {k: v for k, v in job.options.items() if k in Options.__dataclass_fields__}
    return Options.with_settings(
        app.config, plausibility_rules(app.config), **chosen, dry_run=job.phase == "preview"
    )


def run_job(app: Flask, job_id: int) -> None:
    """Do one job's work with its own session; record the outcome (or the failure) on the job."""
    with app.app_context():
        job = db.session.get(ImportJob, job_id)
        if job is None or job.status != "queued":
            return
        job.status = "running"
        job.worker = this_worker()
        db.session.commit()
        user = job.user
        actor = audit.Actor.for_user(user, origin="import")
        options = job_options(app, job)
        path, filename = Path(job.stored_path), job.filename
        db.session.commit()  # the import starts a transaction of its own
        progress = _ProgressWriter(job_id)
        try:
            with audit.acting_as(actor):
                report = import_and_commit(path, filename, options, progress)
            job = db.session.get(ImportJob, job_id)
            job.report = report.to_dict()
            job.batch_id = report.batch_id
            job.status = "done"
            job.done_rows = job.total_rows = report.rows_read
            db.session.commit()
            if job.phase == "import" or report.status in ("unreadable", "duplicate"):
                _discard_upload(job)
        except Exception:
            log.exception("import job %s failed", job_id)
            db.session.rollback()
            job = db.session.get(ImportJob, job_id)
            job.status = "failed"
            job.error = "unexpected"
            db.session.commit()
        finally:
            _live_progress.pop(job_id, None)


class _ProgressWriter:
    """Records a job's progress: in memory at once, in the database at most twice a second
    through a connection of its own (skipped while the database's write lock is taken)."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        _live_progress[self.job_id] = (done, total)
        now = time.monotonic()
        if now - self.last < PROGRESS_EVERY and done < total:
            return
        self.last = now
        engine = db.engine
        if not isinstance(engine, sa.Engine):
            return  # a connection lent by the caller (tests): it cannot be shared
        with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            try:
                if sqlite:
                    connection.exec_driver_sql("PRAGMA busy_timeout = 50")
                connection.execute(
                    sa.update(ImportJob)
                    .where(ImportJob.id == self.job_id)
                    .values(done_rows=done, total_rows=total, updated_at=utcnow())
                )
                connection.commit()
            except sa.exc.OperationalError:
                connection.rollback()  # the import holds SQLite's write lock; memory serves
            finally:
                if sqlite:  # the connection goes back to the pool: with the usual patience
                    busy = int(current_app.config["SQLITE_BUSY_SECONDS"] * 1000)
                    connection.exec_driver_sql(f"PRAGMA busy_timeout = {busy}")
                    connection.commit()


def progress_of(job: ImportJob) -> tuple[int, int]:
    """Rows done and in all, the freshest known."""
    return _live_progress.get(job.id, (job.done_rows, job.total_rows))


def is_stale(job: ImportJob) -> bool:
    """Whether the job was interrupted (its process died, or the server stopped): marked so
    by :func:`settle`."""
    return job.status == "failed" and job.error == "interrupted"


def settle(job: ImportJob) -> ImportJob:
    """The job as it stands: one queued or running whose process is gone (or, when that cannot
    be told, not heard from for :data:`STALE_AFTER`) is marked failed ("interrupted") and its
    upload removed; nothing of it was written, as an import is one transaction. Commits (the
    session holds nothing else: this is called before a job is shown)."""
    if job.status not in ("queued", "running") or not _interrupted(job):
        return job
    job_id = job.id
    db.session.commit()  # end the reading transaction; the write takes the lock afresh
    try:
        with writing():
            marked = db.session.execute(
                sa.update(ImportJob)
                .where(ImportJob.id == job_id, ImportJob.status.in_(("queued", "running")))
                .values(status="failed", error="interrupted", updated_at=utcnow())
            ).rowcount
            db.session.commit()
    except sa.exc.OperationalError:  # the database is busy: the next look marks it
        db.session.rollback()
        marked = 0
    job = db.session.get(ImportJob, job_id)
    if marked:
        log.warning("import job %s was interrupted (worker %s gone)", job_id, job.worker)
        _discard_upload(job)
    return job


def _interrupted(job: ImportJob) -> bool:
    if job.id in _live_progress:
        return False  # running in this process
    if job.status == "running" and job.worker:
        alive = worker_alive(job.worker)
        if alive is not None:
            return not alive
    # Queued and never taken, or run on another host: no sign of life for too long.
    return utcnow() - job.updated_at > STALE_AFTER


def this_worker() -> str:
    """This process, as a job records its worker: "host:process id:its start"."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_process_start(pid) or ''}"[:300]


def worker_alive(worker: str) -> bool | None:
    """Whether the process ``worker`` names (:func:`this_worker`) still runs; ``None`` when
    this host cannot tell (another host's process)."""
    try:
        host, pid_text, start = worker.rsplit(":", 2)
        pid = int(pid_text)
    except ValueError:
        return None
    if host != socket.gethostname():
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    now = _process_start(pid)
    if now is None:
        return True  # no /proc to tell more: the id is taken
    # A zombie (killed, not yet reaped) is dead; another start is another process.
    return now != "Z" and (not start or now == start)


def _process_start(pid: int) -> str | None:
    """When process ``pid`` started, in clock ticks since boot ("Z" for a zombie); ``None``
    without Linux's /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return "Z" if fields[0] == "Z" else fields[19]


def _discard_upload(job: ImportJob) -> None:
    shutil.rmtree(Path(job.stored_path).parent, ignore_errors=True)


def _clean_old_uploads(older_than: dt.timedelta = dt.timedelta(days=1)) -> None:
    """Remove uploads left unconfirmed for a day."""
    limit = time.time() - older_than.total_seconds()
    for folder in upload_dir().iterdir():
        if folder.is_dir() and folder.stat().st_mtime < limit:
            shutil.rmtree(folder, ignore_errors=True)
