"""Idempotency keys: the first answer to a create, kept so that a retry gets it again.

A client that sends ``Idempotency-Key: <its own unique value>`` with a create and loses the
answer (a timeout, a dropped connection) sends the same request again with the same key and
gets the first answer, not a second record. Keys belong to an account and are kept a day.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import sqlalchemy as sa

from app.extensions import db
from app.models import IdempotencyKey
from app.models.base import utcnow

#: How long a key answers for its first request.
KEPT = dt.timedelta(days=1)


def request_digest(method: str, path: str, body: bytes) -> str:
    """The SHA-256 of a request's method, path and body: what makes a retry the same request."""
    digest = hashlib.sha256(f"{method} {path}\n".encode())
    digest.update(body)
    return digest.hexdigest()


def find(user_id: int, key: str) -> IdempotencyKey | None:
    """The kept answer for ``key`` of this account, if it is younger than ``KEPT``."""
    return db.session.scalar(
        sa.select(IdempotencyKey).where(
            IdempotencyKey.user_id == user_id,
            IdempotencyKey.key == key,
            IdempotencyKey.created_at > utcnow() - KEPT,
        )
    )


def remember(
    user_id: int,
    token_id: int | None,
    key: str,
    digest: str,
    status: int,
    body: str,
    location: str | None,
) -> IdempotencyKey:
    """Keep the answer to a first request (in the transaction of the record it created, so
    that both are kept or neither); keys of this account older than ``KEPT`` go."""
    db.session.execute(
        sa.delete(IdempotencyKey).where(
            IdempotencyKey.user_id == user_id, IdempotencyKey.created_at <= utcnow() - KEPT
        )
    )
    kept = IdempotencyKey(
        key=key,
        user_id=user_id,
        token_id=token_id,
        request_hash=digest,
        status=status,
        body=body,
        location=location,
    )
    db.session.add(kept)
    db.session.flush()
    return kept
