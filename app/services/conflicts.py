"""No silent overwrites: a change built on an older version of a record is refused."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent
from app.money import N_
from app.services.errors import ServiceError


class VersionConflict(ServiceError):
    """The record changed after the form was opened.

    Attributes:
        record: the record as it is now.
        event: the latest audit event of the record (who changed it and when), if any.
    """

    def __init__(self, record, event: AuditEvent | None) -> None:
        self.record = record
        self.event = event
        if event is not None:
            super().__init__(
                N_(
                    "%(who)s saved this record at %(when)s, after you opened it. Your changes were "
                    "not saved: what you typed is below beside the current values. Save again to "
                    "replace the current values with yours."
                ),
                who=event.actor,
                when=event.occurred_at.strftime("%Y-%m-%d %H:%M UTC"),
            )
        else:
            super().__init__(
                N_(
                    "Someone saved this record after you opened it. Your changes were not saved: "
                    "what you typed is below beside the current values. Save again to replace the "
                    "current values with yours."
                )
            )


def latest_event(record) -> AuditEvent | None:
    """The newest audit event of ``record``."""
    return db.session.scalar(
        sa.select(AuditEvent)
        .where(AuditEvent.record_type == record.__tablename__, AuditEvent.record_id == record.id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(1)
    )


def check_version(record, data: dict) -> None:
    """Refuse ``data`` built from another version of ``record`` than the current one.

    ``data["version"]`` is the version the form was built from; missing or empty means the
    caller does not track versions (a command, an import) and the change goes through.

    Raises:
        VersionConflict: the versions differ.
    """
    expected = data.get("version")
    if expected in (None, ""):
        return
    try:
        expected = int(expected)
    except (TypeError, ValueError):
        expected = -1
    if expected != record.version:
        raise VersionConflict(record, latest_event(record))
