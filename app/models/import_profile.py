"""ImportProfile: a layout a clerk described in the browser (which column holds each field),
kept under a name and used like the profiles shipped in ``imports/profiles/``."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.models.base import TimestampMixin
from app.models.base import db
from app.models.base import intpk
from app.models.user import User


class ImportProfile(TimestampMixin, db.Model):
    __tablename__ = "import_profiles"

    id: Mapped[intpk]
    #: What ``--profile`` calls it: lower-case letters, digits and hyphens, unique among the
    #: saved and the shipped profiles.
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    #: What it is, for people ("Hyndburn: spend over £250").
    title: Mapped[str] = mapped_column(sa.String(300))
    #: "invoices", "contracts" or "engagements".
    kind: Mapped[str] = mapped_column(sa.String(32))
    #: The profile as the TOML files of ``imports/profiles/`` hold it (``headers``,
    #: ``columns``, ``dates``, ``amounts``, ``currency``…), as JSON.
    definition: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    #: Who saved it.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    user: Mapped[User | None] = relationship()

    def __str__(self) -> str:
        return self.name
