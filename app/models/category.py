"""Category: what an invoice paid for (strategy, training, equipment…); a managed list."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.models.base import PUBLISHED_ID
from app.models.base import ImportedMixin
from app.models.base import TimestampMixin
from app.models.base import VersionMixin
from app.models.base import db
from app.models.base import intpk


class Category(TimestampMixin, ImportedMixin, VersionMixin, db.Model):
    __tablename__ = "categories"
    __table_args__ = PUBLISHED_ID

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    #: Optional account number or code from the chart of accounts (Kommun-Bas), e.g. "6590".
    code: Mapped[str | None] = mapped_column(sa.String(40))
    description: Mapped[str | None] = mapped_column(sa.Text)

    def __str__(self) -> str:
        return self.name
