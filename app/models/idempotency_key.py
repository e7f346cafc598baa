"""IdempotencyKey: the first answer to a create sent with an ``Idempotency-Key`` header, so
that a client retrying after a lost answer gets that answer again instead of a duplicate."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.models.base import UTCDateTime
from app.models.base import db
from app.models.base import intpk
from app.models.base import utcnow


class IdempotencyKey(db.Model):
    __tablename__ = "idempotency_keys"
    __table_args__ = (sa.UniqueConstraint("user_id", "key"),)

    id: Mapped[intpk]
    #: The client's key, as sent (at most 200 characters).
    key: Mapped[str] = mapped_column(sa.String(200))
    #: Keys are the client's own: one account's key never answers another's request.
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: The token the first request came with.
    token_id: Mapped[int | None] = mapped_column(sa.ForeignKey("api_tokens.id"))
    #: SHA-256 (hex) of the method, the path and the body of the first request: the same key
    #: with another request is refused.
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    #: The first answer: its status, its JSON body and its Location header.
    status: Mapped[int]
    body: Mapped[str] = mapped_column(sa.Text)
    location: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
