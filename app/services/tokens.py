"""API tokens: making, finding, using and revoking them, and the service accounts they may
belong to.

A token's secret is ``insyn_`` followed by 43 random URL-safe characters (256 bits). Only its
SHA-256 is stored: the secret is returned once by :func:`create_token` and cannot be shown
again. A token acts as its owner: the owner's role decides what it may change, its scope
whether it may change anything at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa

from app.extensions import db
from app.models import ApiToken
from app.models import Role
from app.models import TokenScope
from app.models import User
from app.models.base import utcnow
from app.money import N_
from app.services.accounts import normalise_email
from app.services.errors import DuplicateError
from app.services.errors import ServiceError
from app.text import clean_text

#: What every secret starts with, so that a leaked one is recognised (by secret scanners too).
PREFIX = "insyn_"
#: How many characters of the secret lists show.
SHOWN = len(PREFIX) + 6
#: A token lives at most this long, in days; by default a year.
MAX_DAYS = 2 * 366
DEFAULT_DAYS = 365
#: What a service account's password hash holds: no password ever matches it.
NO_PASSWORD = "!service-account"  # noqa: S105 - a marker, not a password


def hash_secret(secret: str) -> str:
    """The SHA-256 of ``secret``, hex: what is stored and looked up."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def tokens_of(user: User) -> sa.Select:
    """The tokens of ``user``, newest first (revoked and expired ones included)."""
    return (
        sa.select(ApiToken)
        .where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )


def all_tokens() -> sa.Select:
    """Every token with its owner, newest first."""
    return sa.select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())


def create_token(user: User, data: dict, created_by: User | None) -> tuple[ApiToken, str]:
    """Make a token for ``user``; returns it with its secret (shown once, never stored).

    Args:
        user: the account the token acts as.
        data: ``name``; ``scope`` ("read" or "write", default read); ``expires_on`` (a date,
            default a year from today; at most ``MAX_DAYS`` ahead).
        created_by: who makes it: ``user`` themselves, or an administrator for a service
            account; ``None`` for a command run by whoever runs the server.

    Raises:
        ServiceError: no name, an unknown scope, a write scope for an account that may not
            change records, an expiry in the past or too far ahead, or a token made for
            someone else by anyone but an administrator for a service account.
    """
    if (
        created_by is not None
        and created_by.id != user.id
        and not (created_by.is_admin and user.is_service)
    ):
        raise ServiceError(
            N_(
                "Only an administrator makes tokens for another account, and only for a "
                "service account."
            ),
            field="user",
        )
    if not user.is_active:
        raise ServiceError(N_("The account is deactivated."), field="user")
    name = clean_text(data.get("name"))
    if not name:
        raise ServiceError(N_("Name the token (what it is for)."), field="name")
    if len(name) > 100:
        raise ServiceError(N_("At most %(count)s characters."), field="name", count=100)
    try:
        scope = TokenScope(data.get("scope") or TokenScope.READ)
    except ValueError:
        raise ServiceError(N_("The scope is read or write."), field="scope") from None
    if scope is TokenScope.WRITE and not user.can_write:
        raise ServiceError(
            N_("The account cannot change records, so its token can only read."), field="scope"
        )
    today = utcnow().date()
    expires_on = data.get("expires_on") or today + dt.timedelta(days=DEFAULT_DAYS)
    if expires_on < today:
        raise ServiceError(N_("The last day cannot be in the past."), field="expires_on")
    if expires_on > today + dt.timedelta(days=MAX_DAYS):
        raise ServiceError(
            N_("A token lives at most %(days)s days."),
            field="expires_on",
            days=MAX_DAYS,
        )
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name,
        user=user,
        scope=scope,
        prefix=secret[:SHOWN],
        token_hash=hash_secret(secret),
        created_by=created_by,
        expires_on=expires_on,
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def find_token(secret: str) -> ApiToken | None:
    """The token whose secret is ``secret``, usable or not; ``None`` when there is none."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    return db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))


def usable(token: ApiToken | None) -> bool:
    """Whether ``token`` may be used now: not revoked, not expired, its owner active."""
    return bool(token and token.is_usable(utcnow().date()) and token.user.is_active)


def record_use(token: ApiToken) -> None:
    """Note that ``token`` was used now. Written straight to its row: a use is not a change
    of the token, for the audit trail or its version."""
    db.session.execute(
        sa.update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=utcnow())
    )


def revoke_token(token: ApiToken) -> ApiToken:
    """Stop ``token`` from working, at once and for good.

    Raises:
        ServiceError: it is already revoked.
    """
    if token.revoked_at is not None:
        raise ServiceError(N_("The token is already revoked."))
    token.revoked_at = utcnow()
    db.session.flush()
    return token


def create_service_account(data: dict) -> User:
    """Open an account for a system (a finance system pushing invoices, say): it never signs
    in, and works only through tokens an administrator makes for it.

    Args:
        data: ``email`` (a contact address for the system), ``name``, ``role`` (clerk to
            write, auditor to read everything; never admin).

    Raises:
        ServiceError: the email is not an address, or the role is admin.
        DuplicateError: the email has an account already.
    """
    email = normalise_email(data.get("email"))
    if "@" not in email or email.startswith("@") or email.endswith("@") or " " in email:
        raise ServiceError(N_("Give an email address."), field="email")
    existing = db.session.scalar(sa.select(User).where(User.email == email))
    if existing is not None:
        raise DuplicateError(
            N_("%(email)s has an account already."), field="email", existing=existing, email=email
        )
    role = Role(data.get("role") or Role.CLERK)
    if role is Role.ADMIN:
        raise ServiceError(N_("A service account cannot be an administrator."), field="role")
    user = User(
        email=email,
        name=clean_text(data.get("name")) or email.split("@")[0],
        role=role,
        is_service=True,
        password_hash=NO_PASSWORD,
    )
    db.session.add(user)
    db.session.flush()
    return user
