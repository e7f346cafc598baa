"""How recent the data is: a validator for HTTP caches that costs one small query.

Every change to a record writes an audit event in the same transaction (``app.audit``), and
every import writes an import batch; so the newest event and the newest batch say whether
anything a page or the API shows may have changed since a client last asked. Both are read
from their primary keys and indexed timestamps, without touching the records themselves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent
from app.models import ImportBatch


@dataclass(frozen=True)
class DataVersion:
    """The state of the data: ``tag`` changes whenever a record changes; ``changed_at`` is
    when the last change was made (``None`` for an empty database)."""

    tag: str
    changed_at: dt.datetime | None


def data_version() -> DataVersion:
    """The current :class:`DataVersion`, in one query of four index look-ups."""
    row = db.session.execute(
        sa.select(
            sa.select(sa.func.max(AuditEvent.id)).scalar_subquery(),
            sa.select(sa.func.max(AuditEvent.occurred_at)).scalar_subquery(),
            sa.select(sa.func.max(ImportBatch.id)).scalar_subquery(),
            sa.select(sa.func.max(ImportBatch.imported_at)).scalar_subquery(),
        )
    ).one()
    event_id, event_at, batch_id, batch_at = row
    moments = [_aware(m) for m in (event_at, batch_at) if m is not None]
    return DataVersion(f"{event_id or 0}.{batch_id or 0}", max(moments) if moments else None)


def _aware(moment) -> dt.datetime:
    """A timestamp as a UTC datetime (SQLite hands back text or naive values from a
    sub-select, whose type the driver does not know)."""
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
