"""ApiToken: a personal or service key to Insyn's API, scoped to reading or writing.

The secret itself is shown once, when the token is made, and never stored: only its SHA-256
is kept, with a short visible prefix by which its owner recognises it in lists. A token acts
as its owner (their role still decides what they may change), within its scope, until it
expires or is revoked.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.models.base import UTCDateTime
from app.models.base import db
from app.models.base import intpk
from app.models.base import utcnow
from app.models.user import User


class TokenScope(enum.StrEnum):
    READ = "read"  #: GET requests only
    WRITE = "write"  #: also creates, corrections, voids and imports (if the owner's role may)


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[intpk]
    #: What the token is for, as its owner named it ("Ekonomisystemet"); shown in the history
    #: of every change made with it.
    name: Mapped[str] = mapped_column(sa.String(100))
    #: The account the token acts as (a person's, or a service account's).
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    scope: Mapped[TokenScope] = mapped_column(
        sa.Enum(
            TokenScope,
            name="token_scope",
            native_enum=False,
            create_constraint=True,
            length=10,
            values_callable=lambda scopes: [s.value for s in scopes],
        )
    )
    #: The first characters of the secret ("insyn_Ab12Cd"), to tell tokens apart in lists.
    prefix: Mapped[str] = mapped_column(sa.String(20))
    #: SHA-256 of the whole secret, hex. The secret itself is never stored.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Who made it: the owner, or an administrator for a service account.
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: The last day the token works (inclusive, UTC).
    expires_on: Mapped[dt.date]
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: When the token was last used (every request with it updates this).
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    def is_usable(self, today: dt.date) -> bool:
        """Neither revoked nor past its last day."""
        return self.revoked_at is None and today <= self.expires_on

    @property
    def can_write(self) -> bool:
        return self.scope is TokenScope.WRITE

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.name!r} {self.scope}>"
