"""Department: the buying unit (förvaltning or nämnd); a managed list."""

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


class Department(TimestampMixin, ImportedMixin, VersionMixin, db.Model):
    __tablename__ = "departments"
    __table_args__ = PUBLISHED_ID

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    #: Short code used by the finance system, e.g. "KS" or "BGR".
    code: Mapped[str | None] = mapped_column(sa.String(40))

    def __str__(self) -> str:
        return self.name
