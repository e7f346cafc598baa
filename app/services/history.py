"""Reading the audit trail: a record's history and the filtered log of all events."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent
from app.models import ImportBatch

#: Actions, in the order the log's menu offers them.
ACTIONS = ("insert", "update", "void", "restore", "delete")


@dataclass(frozen=True)
class EventFilters:
    user_id: int | None = None
    record_type: str | None = None
    action: str | None = None
    since: dt.date | None = None  #: from this day (inclusive, UTC)
    until: dt.date | None = None  #: to this day (inclusive, UTC)


def event_select(filters: EventFilters) -> sa.Select:
    """Events matching ``filters``, newest first."""
    query = sa.select(AuditEvent)
    if filters.user_id:
        query = query.where(AuditEvent.actor_id == filters.user_id)
    if filters.record_type:
        query = query.where(AuditEvent.record_type == filters.record_type)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.since:
        query = query.where(AuditEvent.occurred_at >= _midnight(filters.since))
    if filters.until:
        query = query.where(
            AuditEvent.occurred_at < _midnight(filters.until + dt.timedelta(days=1))
        )
    return query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def record_history(record) -> list[AuditEvent]:
    """Every event of ``record`` and of the records that belong to it (a contract's
    amendments), oldest first."""
    table, key = record.__tablename__, record.id
    query = (
        sa.select(AuditEvent)
        .where(
            sa.or_(
                sa.and_(AuditEvent.record_type == table, AuditEvent.record_id == key),
                sa.and_(AuditEvent.parent_type == table, AuditEvent.parent_id == key),
            )
        )
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    )
    return list(db.session.scalars(query))


def record_types() -> list[str]:
    """The record types that have events, for the log's menu."""
    return list(
        db.session.scalars(
            sa.select(AuditEvent.record_type).distinct().order_by(AuditEvent.record_type)
        )
    )


def changed_fields(event: AuditEvent) -> list[tuple[str, Any, Any]]:
    """The event's fields as ``(name, before, after)``, by name. Events whose changes are not
    a mapping of pairs (undo events written before this was mended stored ``0``) show none,
    rather than failing the page."""
    changes = event.changes
    if not isinstance(changes, dict):
        return []
    fields = []
    for name in sorted(changes):
        pair = changes[name]
        if isinstance(pair, list | tuple) and len(pair) == 2:
            fields.append((name, pair[0], pair[1]))
        else:
            fields.append((name, None, pair))
    return fields


@dataclass(frozen=True)
class ImportedCreation:
    """How an imported record came to be, read from its provenance (no event is written per
    imported row: a million-row file writes one event, for its batch)."""

    batch_id: int
    filename: str
    sheet: str | None
    row: int | None
    actor: str | None  #: who imported it, "Name <email>" or the command
    imported_at: dt.datetime
    is_demo: bool


def imported_creation(record) -> ImportedCreation | None:
    """The import that created ``record`` (a model with ``ProvenanceMixin``), or ``None`` for
    a record entered by hand or one without provenance."""
    batch_id = getattr(record, "import_batch_id", None)
    if batch_id is None:
        return None
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None:
        return None
    return ImportedCreation(
        batch_id=batch.id,
        filename=batch.filename,
        sheet=batch.sheet_name,
        row=record.source_row,
        actor=batch.actor,
        imported_at=batch.imported_at,
        is_demo=batch.kind == "demo",
    )
