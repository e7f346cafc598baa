"""VendorAlias: another spelling of a vendor's name met in a file or a form."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.models.base import db
from app.models.base import intpk

if TYPE_CHECKING:
    from app.models.vendor import Vendor


class VendorAlias(db.Model):
    __tablename__ = "vendor_aliases"

    id: Mapped[intpk]
    vendor_id: Mapped[int] = mapped_column(
        sa.ForeignKey("vendors.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(300))
    #: ``app.text.name_key`` of the name; a spelling points at one vendor only.
    name_key: Mapped[str] = mapped_column(sa.String(300), unique=True)
    #: The import that added this spelling (the file's own spelling of a vendor it found by
    #: organisation number); empty when added by hand or by a merge. Undoing the import
    #: removes it.
    import_batch_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("import_batches.id", ondelete="RESTRICT"), index=True
    )

    vendor: Mapped[Vendor] = relationship(back_populates="aliases")

    def __str__(self) -> str:
        return self.name
