"""Vendor: a supplier (leverantör), identified by its organisation number where it has one."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.identifiers import IdKind
from app.models.base import PUBLISHED_ID
from app.models.base import ImportedMixin
from app.models.base import TimestampMixin
from app.models.base import VersionMixin
from app.models.base import db
from app.models.base import intpk

if TYPE_CHECKING:
    from app.models.contract import Contract
    from app.models.vendor_alias import VendorAlias


class Vendor(TimestampMixin, ImportedMixin, VersionMixin, db.Model):
    __tablename__ = "vendors"
    __table_args__ = (
        # The vendor list's orders, with the id that breaks ties (keyset paging).
        sa.Index("ix_vendors_name_key_id", "name_key", "id"),
        sa.Index("ix_vendors_created_at_id", "created_at", "id"),
        PUBLISHED_ID,
    )

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(sa.String(300))
    #: The name folded for matching (see ``app.text.name_key``); kept in step by the service.
    name_key: Mapped[str] = mapped_column(sa.String(300))
    #: Normalised id: NNNNNN-NNNN for Swedish numbers, as given for foreign ones. One vendor each.
    org_number: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
    #: What ``org_number`` is: a Swedish organisation number, a personnummer, foreign, or none.
    id_kind: Mapped[IdKind] = mapped_column(
        sa.Enum(
            IdKind,
            name="id_kind",
            native_enum=False,
            create_constraint=True,
            length=20,
            values_callable=lambda kinds: [k.value for k in kinds],
        ),
        default=IdKind.NONE,
    )
    vat_number: Mapped[str | None] = mapped_column(sa.String(40))
    #: ISO 3166-1 alpha-2 country code.
    country: Mapped[str] = mapped_column(sa.String(2), default="SE")
    #: A private person (e.g. a sole trader known by personnummer): personal data, never
    #: published with name or id.
    is_private_person: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str | None] = mapped_column(sa.Text)

    aliases: Mapped[list[VendorAlias]] = relationship(
        back_populates="vendor", cascade="all, delete-orphan", order_by="VendorAlias.name"
    )
    contracts: Mapped[list[Contract]] = relationship(back_populates="vendor")

    @property
    def label(self) -> str:
        """The name with the org number, as the vendor picker shows it; a private person's
        personnummer is left out."""
        if self.org_number and not self.is_private_person:
            return f"{self.name} ({self.org_number})"
        return self.name

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<Vendor {self.id} {self.name!r}>"
