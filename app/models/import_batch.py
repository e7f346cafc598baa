"""ImportBatch: one file (or sheet) loaded into Insyn, the provenance of every row it created."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
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
from app.models.user import User

if TYPE_CHECKING:
    from app.models.import_sheet import ImportSheet


class ImportBatch(db.Model):
    __tablename__ = "import_batches"
    __table_args__ = PUBLISHED_ID

    id: Mapped[intpk]
    #: The file name as uploaded or given on the command line (no directories).
    filename: Mapped[str] = mapped_column(sa.String(255))
    #: SHA-256 of the file's bytes, hex: re-importing the same file is detected by it.
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    #: The file's size in bytes.
    size_bytes: Mapped[int | None] = mapped_column(sa.BigInteger)
    #: The sheet read, for workbooks (the sheets, comma-separated, when it read several: each
    #: is in ``sheets``, each record names its own); empty for CSV.
    sheet_name: Mapped[str | None] = mapped_column(sa.String(255))
    #: What the rows became: "invoices", "contracts", "engagements" (or "demo").
    kind: Mapped[str] = mapped_column(sa.String(32))
    #: Name of the import profile used to map the columns ("auto" for the synonym map).
    profile: Mapped[str | None] = mapped_column(sa.String(100))
    #: Who imported it.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: Who imported it, as the audit trail names them ("Name <email>", or a command).
    actor: Mapped[str | None] = mapped_column(sa.String(300))
    #: Number of records created.
    row_count: Mapped[int] = mapped_column(default=0)
    #: What happened to the file's rows: {"read", "imported", "already_imported", "rejected",
    #: "left_out", "new_vendors"} and so on, as counts.
    counts: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    #: The amounts imported, per currency: {"SEK": "450187283.39"} (decimal strings).
    totals: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When an administrator undid the batch (its records voided); empty while it stands.
    undone_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    undone_by: Mapped[str | None] = mapped_column(sa.String(300))

    user: Mapped[User | None] = relationship()
    sheets: Mapped[list[ImportSheet]] = relationship(
        back_populates="batch", order_by="ImportSheet.id", cascade="all, delete-orphan"
    )

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None

    def __str__(self) -> str:
        return self.filename

    def __repr__(self) -> str:
        return f"<ImportBatch {self.id} {self.filename!r}>"
