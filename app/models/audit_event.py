"""AuditEvent: one change to one record, who made it and when. Append-only.

Events are written by the session hook in ``app.audit`` in the same transaction as the
change they describe. Nothing updates or deletes them: the ORM refuses (``app.audit``), and
the database refuses too, with triggers made by the migrations.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.models.base import UTCDateTime
from app.models.base import db
from app.models.base import intpk
from app.models.base import utcnow
from app.models.user import User


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        sa.Index("ix_audit_events_record", "record_type", "record_id"),
        sa.Index("ix_audit_events_parent", "parent_type", "parent_id"),
    )

    id: Mapped[intpk]
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: The account that made the change; empty for commands run without one.
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: Who, as a person reads it at the time: "Name <email>", or "command: insyn demo".
    actor: Mapped[str] = mapped_column(sa.String(300))
    #: Where the change came from: "web", "api", "command" or "import".
    origin: Mapped[str] = mapped_column(sa.String(20))
    #: The changed record's table, e.g. "invoices".
    record_type: Mapped[str] = mapped_column(sa.String(50))
    record_id: Mapped[int]
    #: The record as a person names it at the time, e.g. "F1008 (Sociala Medier i Sörmland AB)".
    record_label: Mapped[str] = mapped_column(sa.String(400))
    #: The record this one belongs to, for its history (an amendment's contract).
    parent_type: Mapped[str | None] = mapped_column(sa.String(50))
    parent_id: Mapped[int | None]
    #: The API token the change was made with, by its name at the time; empty for changes
    #: made in the browser, by a command or by an import.
    via_token: Mapped[str | None] = mapped_column(sa.String(100))
    #: "insert", "update", "void", "restore" or "delete" (deletes are gone from the
    #: application; events of earlier ones stay).
    action: Mapped[str] = mapped_column(sa.String(20))
    #: The record's version after the change (empty for a delete).
    record_version: Mapped[int | None]
    #: Each changed field: {"net_amount": ["1000.00", "2000.00"], …} (old, new); on insert the
    #: old values are empty, on delete the new ones.
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON)

    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action} {self.record_type}:{self.record_id}>"
