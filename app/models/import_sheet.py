"""ImportSheet: one sheet of a file (or a whole text file) read by an import batch: what
recognises a file and sheet imported before, enforced by the database."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.models.base import db
from app.models.base import intpk
from app.models.import_batch import ImportBatch


class ImportSheet(db.Model):
    __tablename__ = "import_sheets"
    __table_args__ = (
        # One standing import per file, sheet and kind of record: two imports of the same
        # file at the same moment cannot both write it. An undone batch's sheets have
        # ``is_live`` empty (NULLs never clash), so the file can be imported again.
        sa.UniqueConstraint("sha256", "kind", "sheet", "is_live"),
        sa.CheckConstraint("is_live IS NULL OR is_live", name="live_or_empty"),
    )

    id: Mapped[intpk]
    batch_id: Mapped[int] = mapped_column(
        sa.ForeignKey("import_batches.id", ondelete="CASCADE"), index=True
    )
    #: SHA-256 of the file's bytes, hex.
    sha256: Mapped[str] = mapped_column(sa.String(64))
    #: What the rows became: "invoices", "contracts", "engagements".
    kind: Mapped[str] = mapped_column(sa.String(32))
    #: The sheet's name; "" for a text file (a file has one table then).
    sheet: Mapped[str] = mapped_column(sa.String(255))
    #: Rows of data read from the sheet.
    rows: Mapped[int] = mapped_column(default=0)
    #: True while the batch stands; empty once it is undone.
    is_live: Mapped[bool | None] = mapped_column(default=True)

    batch: Mapped[ImportBatch] = relationship(back_populates="sheets")

    def __repr__(self) -> str:
        return f"<ImportSheet {self.batch_id} {self.sheet!r}>"
