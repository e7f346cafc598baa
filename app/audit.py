"""The audit trail: every insert, update, void and delete of a business record writes an
``AuditEvent`` in the same transaction, from one SQLAlchemy session hook.

Views, commands and imports only say who is acting (:func:`acting_as`, or
:func:`set_actor` for a request); the hook does the rest, so no code path can change a
record without leaving its trace. Events themselves are append-only: the hook refuses to
flush a changed or deleted event, and the database refuses it too (triggers in the
migrations).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from contextvars import Token
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.interfaces import MANYTOONE

from app.models import ApiToken
from app.models import AuditEvent
from app.models import Category
from app.models import Contract
from app.models import ContractAmendment
from app.models import Department
from app.models import DirectAwardThreshold
from app.models import Engagement
from app.models import FlagSettings
from app.models import ImportProfile
from app.models import Invoice
from app.models import RateCard
from app.models import User
from app.models import Vendor
from app.models.base import utcnow


@dataclass(frozen=True)
class Actor:
    """Who is changing records: a person signed in, or a command."""

    label: str  #: as a reader of the history sees it
    origin: str  #: "web", "api", "command", "import" or "system"
    user_id: int | None = None
    via_token: str | None = None  #: the name of the API token the changes come with

    @classmethod
    def for_user(cls, user: User, origin: str = "web", via_token: str | None = None) -> Actor:
        return cls(
            label=f"{user.name} <{user.email}>",
            origin=origin,
            user_id=user.id,
            via_token=via_token[:100] if via_token else None,
        )


SYSTEM = Actor(label="system", origin="system")
_actor: ContextVar[Actor | None] = ContextVar("insyn_actor", default=None)


def current_actor() -> Actor:
    """The actor set for this request or command, else ``SYSTEM``."""
    return _actor.get() or SYSTEM


def set_actor(actor: Actor) -> Token:
    """Make ``actor`` the author of the changes that follow; returns a token for
    :func:`reset_actor`."""
    return _actor.set(actor)


def reset_actor(token: Token) -> None:
    _actor.reset(token)


@contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    """Attribute every change made inside the block to ``actor``."""
    token = set_actor(actor)
    try:
        yield actor
    finally:
        reset_actor(token)


class AuditTamperError(RuntimeError):
    """Something tried to change or delete an audit event."""


#: The audited records, each with how a reader names one.
LABELS: dict[type, Callable[[Any], str]] = {
    Vendor: lambda v: v.name,
    Contract: str,
    ContractAmendment: lambda a: f"{a.contract} · {a.kind.value} {a.dated_on}",
    Invoice: lambda i: f"{i.invoice_number} ({i.vendor.name})",
    RateCard: lambda r: f"{r.valid_from}–{r.valid_to or ''} {r.day_rate} {r.currency}",
    Engagement: lambda e: f"{e.first_day} {e.organiser_name}: {e.topic}",
    Category: lambda c: c.name,
    Department: lambda d: d.name,
    User: lambda u: u.email,
    DirectAwardThreshold: str,
    FlagSettings: str,
    ApiToken: str,
    ImportProfile: lambda p: p.name,
}

#: Records whose history shows on another's page: (its table, the attribute holding its id).
PARENTS: dict[type, tuple[str, str]] = {
    ContractAmendment: ("contracts", "contract_id"),
    ApiToken: ("users", "user_id"),
}

#: Bookkeeping columns whose changes are not news to a reader.
_IGNORED = {
    "id",
    "created_at",
    "updated_at",
    "version",
    "name_key",
    "session_token",
    "last_login_at",
    "last_used_at",
}
#: Changed, but never shown: the history says only that they changed.
_SECRET = {"password_hash": "password", "token_hash": "token"}
_HIDDEN = "***"


def _plain(value: Any) -> Any:
    """A value as JSON can hold it: money as a decimal string, dates as ISO text."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _many_to_one(mapper) -> dict[str, str]:
    """Foreign-key attribute → the relationship that reads it (``vendor_id`` → ``vendor``)."""
    pairs = {}
    for rel in mapper.relationships:
        if rel.direction is MANYTOONE:
            for column in rel.local_columns:
                pairs[mapper.get_property_by_column(column).key] = rel.key
    return pairs


def _old_row(session: Session, obj) -> dict[str, Any]:
    """The record's row as the database still holds it (before this flush)."""
    table = obj.__table__
    row = (
        session.connection().execute(sa.select(table).where(table.c.id == obj.id)).mappings().one()
    )
    mapper = sa.inspect(obj).mapper
    return {attr.key: row[attr.columns[0].key] for attr in mapper.column_attrs}


def _changes(session: Session, obj, action: str) -> dict[str, list[Any]]:
    """Each changed field of ``obj`` as ``[old, new]``; related records by their names."""
    state = sa.inspect(obj)
    mapper = state.mapper
    relations = _many_to_one(mapper)
    changes: dict[str, list[Any]] = {}
    old_row: dict[str, Any] | None = None

    def stored(key: str) -> Any:
        nonlocal old_row
        if key in state.dict:
            return state.dict[key]
        old_row = old_row or _old_row(session, obj)
        return old_row[key]

    for attr in mapper.column_attrs:
        key = attr.key
        if key in _IGNORED:
            continue
        if action == "update" and key in relations:
            # Before the flush a new related record shows on the relationship, not yet on
            # its foreign key column.
            linked = state.attrs[relations[key]].history
            if linked.added:
                new_obj = linked.added[0]
                old = _related_label(session, mapper, relations[key], stored(key))
                new = str(new_obj) if new_obj is not None else None
                if old != new:
                    changes[relations[key]] = [old, new]
                continue
        if action == "insert":
            old, new = None, state.dict.get(key)
            if new is None:
                continue
        elif action == "delete":
            old, new = stored(key), None
            if old is None:
                continue
        else:
            history = state.attrs[key].history
            if not history.added:
                continue
            new = history.added[0]
            old = history.deleted[0] if history.deleted else stored(key)
            if old == new:
                continue
        if key in _SECRET:
            changes[_SECRET[key]] = [
                None if old is None else _HIDDEN,
                None if new is None else _HIDDEN,
            ]
        elif key in relations:
            related = relations[key]
            changes[related] = [
                _related_label(session, mapper, related, old),
                _related_label(session, mapper, related, new),
            ]
        else:
            changes[key] = [_plain(old), _plain(new)]
    if isinstance(obj, Vendor):
        _alias_changes(state, changes, action)
    return changes


def _related_label(session: Session, mapper, relationship: str, key: Any) -> Any:
    if key is None:
        return None
    target = mapper.relationships[relationship].mapper.class_
    record = session.get(target, key)
    return str(record) if record is not None else key


def _alias_changes(state, changes: dict, action: str) -> None:
    history = state.attrs["aliases"].history
    if not (history.added or history.deleted) and action != "insert":
        return
    now = sorted(a.name for a in state.obj().aliases)
    before = sorted(
        {a.name for a in (history.unchanged or [])} | {a.name for a in history.deleted or []}
    )
    if action == "insert":
        before = []
    if before != now:
        changes["aliases"] = [before or None, now or None]


def _before_flush(session: Session, _context, _instances) -> None:
    """Refuse changes to events; note what updated and deleted records held before."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent):
            raise AuditTamperError("audit events are append-only")
    pending = session.info.setdefault("audit_pending", [])
    for obj in session.dirty:
        if type(obj) in LABELS and session.is_modified(obj, include_collections=True):
            changes = _changes(session, obj, "update")
            if changes:
                pending.append((obj, _action(obj, changes), changes))
    for obj in session.deleted:
        if type(obj) in LABELS:
            pending.append((obj, "delete", _changes(session, obj, "delete")))


def _action(obj, changes: dict) -> str:
    """An update's action: "void" when the record leaves the totals, "restore" when it comes
    back, else "update"."""
    if "voided_at" in changes:
        before, after = changes["voided_at"]
        if before is None and after is not None:
            return "void"
        if before is not None and after is None:
            return "restore"
    return "update"


def _after_flush(session: Session, _context) -> None:
    """Write one event per changed record, on the flush's own connection and transaction."""
    pending = session.info.pop("audit_pending", [])
    for obj in session.new:
        if type(obj) in LABELS:
            pending.append((obj, "insert", _changes(session, obj, "insert")))
    if not pending:
        return
    actor = current_actor()
    now = utcnow()
    rows = []
    for obj, action, changes in pending:
        state = sa.inspect(obj)
        rows.append(
            {
                "occurred_at": now,
                "actor_id": actor.user_id,
                "actor": actor.label[:300],
                "origin": actor.origin,
                "via_token": actor.via_token,
                "record_type": obj.__tablename__,
                "record_id": state.identity[0] if state.identity else obj.id,
                "record_label": LABELS[type(obj)](obj)[:400],
                "parent_type": PARENTS[type(obj)][0] if type(obj) in PARENTS else None,
                "parent_id": state.dict.get(PARENTS[type(obj)][1])
                if type(obj) in PARENTS
                else None,
                "action": action,
                "record_version": None if action == "delete" else state.dict.get("version"),
                "changes": changes,
            }
        )
    session.connection().execute(sa.insert(AuditEvent), rows)


def _refuse(*_args) -> None:
    raise AuditTamperError("audit events are append-only")


def install() -> None:
    """Attach the hooks to every ORM session (once)."""
    if sa.event.contains(Session, "after_flush", _after_flush):
        return
    sa.event.listen(Session, "before_flush", _before_flush)
    sa.event.listen(Session, "after_flush", _after_flush)
    sa.event.listen(Session, "after_rollback", _forget)
    sa.event.listen(AuditEvent, "before_update", _refuse)
    sa.event.listen(AuditEvent, "before_delete", _refuse)


def _forget(session: Session) -> None:
    """A rolled-back flush leaves no pending events for the next one."""
    session.info.pop("audit_pending", None)


__all__ = [
    "Actor",
    "AuditTamperError",
    "acting_as",
    "current_actor",
    "install",
    "reset_actor",
    "set_actor",
]
