"""ImportJob: an import running in the background of the server, its progress kept in the
database so a page reload (or another worker process) can follow it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.models.base import PUBLISHED_ID
from app.models.base import UTCDateTime
from app.models.base import db
from app.models.base import intpk
from app.models.base import utcnow
from app.models.import_batch import ImportBatch
from app.models.user import User


class ImportJob(db.Model):
    __tablename__ = "import_jobs"
    __table_args__ = PUBLISHED_ID

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: The upload's name as the user knows it.
    filename: Mapped[str] = mapped_column(sa.String(255))
    #: Where the upload is kept until the job is done (under the instance folder).
    stored_path: Mapped[str] = mapped_column(sa.String(500))
    #: The choices made on the upload form (kind, profile, sheet, period, currency).
    options: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    #: "preview" (reading and checking, nothing written) or "import" (writing).
    phase: Mapped[str] = mapped_column(sa.String(20), default="preview")
    #: "queued", "running", "done" or "failed".
    status: Mapped[str] = mapped_column(sa.String(20), default="queued")
    #: Rows handled so far and in all (0 while unknown).
    done_rows: Mapped[int] = mapped_column(default=0)
    total_rows: Mapped[int] = mapped_column(default=0)
    #: The outcome: the preview or import report as plain data.
    report: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    #: The message shown when the job failed.
    error: Mapped[str | None] = mapped_column(sa.Text)
    batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("import_batches.id"))
    #: The process running the job: "host:process id:its start" (the start tells a process
    #: from a later one given the same id); a running job whose process is gone was
    #: interrupted.
    worker: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()
    batch: Mapped[ImportBatch | None] = relationship()

    @property
    def percent(self) -> int:
        return int(100 * self.done_rows / self.total_rows) if self.total_rows else 0
