"""User: an account that may sign in; its role says what it may change."""

from __future__ import annotations

import datetime as dt
import enum
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.models.base import PUBLISHED_ID
from app.models.base import TimestampMixin
from app.models.base import UTCDateTime
from app.models.base import VersionMixin
from app.models.base import db
from app.models.base import intpk


class Role(enum.StrEnum):
    """What an account may do. Reading lists and totals needs no account at all."""

    ADMIN = "admin"  #: everything a clerk may, plus users, categories, departments, rate cards
    CLERK = "clerk"  #: creates and edits records, runs imports
    AUDITOR = "auditor"  #: reads everything, history included; changes nothing


def new_session_token() -> str:
    """A random token identifying the account in session cookies."""
    return secrets.token_hex(16)


class User(TimestampMixin, VersionMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = PUBLISHED_ID

    id: Mapped[intpk]
    #: Lower-cased; the sign-in name.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[Role] = mapped_column(
        sa.Enum(
            Role,
            name="role",
            native_enum=False,
            create_constraint=True,
            length=20,
            values_callable=lambda roles: [r.value for r in roles],
        )
    )
    #: A deactivated account cannot sign in; accounts are never deleted (history names them).
    is_active: Mapped[bool] = mapped_column(default=True)
    #: A service account: a system (a finance system, say) that uses API tokens an
    #: administrator made for it; it never signs in with a password.
    is_service: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: scrypt hash in werkzeug's format (method$salt$hash); never the password.
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    #: What the session cookie carries instead of the id; replaced when the password changes
    #: or the account is deactivated, which signs the account out everywhere.
    session_token: Mapped[str] = mapped_column(
        sa.String(64), unique=True, default=new_session_token
    )
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    # --- what Flask-Login asks of a user -------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return self.session_token

    # --- what Insyn asks ---------------------------------------------------------------------
    def can(self, *roles: Role) -> bool:
        """Whether the account is active and has one of ``roles``."""
        return self.is_active and self.role in roles

    @property
    def can_write(self) -> bool:
        return self.can(Role.CLERK, Role.ADMIN)

    @property
    def can_read_history(self) -> bool:
        return self.can(Role.AUDITOR, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.can(Role.ADMIN)

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"
