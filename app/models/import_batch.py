"""ImportBatch: one file (or sheet) loaded into Insyn, the provenance of every row it created."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.models.base import UTCDateTime
from app.models.base import db
from app.models.base import intpk
from app.models.base import utcnow


class ImportBatch(db.Model):
    __tablename__ = "import_batches"

    id: Mapped[intpk]
    #: The file name as uploaded or given on the command line (no directories).
    filename: Mapped[str] = mapped_column(sa.String(255))
    #: SHA-256 of the file's bytes, hex: re-importing the same file is detected by it.
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    #: The sheet read, for workbooks; empty for CSV.
    sheet_name: Mapped[str | None] = mapped_column(sa.String(255))
    #: What the rows became: "invoices", "contracts" or "engagements".
    kind: Mapped[str] = mapped_column(sa.String(32))
    #: Name of the import profile used to map the columns.
    profile: Mapped[str | None] = mapped_column(sa.String(100))
    #: Number of records created.
    row_count: Mapped[int] = mapped_column(default=0)
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __str__(self) -> str:
        return self.filename

    def __repr__(self) -> str:
        return f"<ImportBatch {self.id} {self.filename!r}>"
