"""Accounts: creating users, roles, passwords, and signing in with throttling."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.models import LoginAttempt
from app.models import Role
from app.models import User
from app.models.base import utcnow
from app.models.user import new_session_token
from app.money import N_
from app.passwords import PasswordError
from app.passwords import PasswordPolicy
from app.passwords import check_password
from app.passwords import dummy_hash
from app.passwords import hash_password
from app.passwords import verify_password
from app.services.conflicts import check_version
from app.services.errors import DuplicateError
from app.services.errors import ServiceError
from app.text import clean_text


def users():
    """All accounts, by name."""
    return sa.select(User).order_by(sa.func.lower(User.name), User.id)


def find_user(email: str) -> User | None:
    """The account signing in as ``email`` (case ignored), active or not."""
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def normalise_email(email: str | None) -> str:
    return (email or "").strip().lower()


def create_user(data: dict, *, policy: PasswordPolicy) -> User:
    """Open an account.

    Args:
        data: ``email``, ``name``, ``role`` (a ``Role`` or its value), ``password``.
        policy: the deployment's password policy (shortest length, hash method).

    Raises:
        DuplicateError: the email has an account already.
        ServiceError: the email is not an address, or the password breaks the rules.
    """
    email = normalise_email(data.get("email"))
    if "@" not in email or email.startswith("@") or email.endswith("@") or " " in email:
        raise ServiceError(N_("Give an email address."), field="email")
    existing = find_user(email)
    if existing is not None:
        raise DuplicateError(
            N_("%(email)s has an account already."), field="email", existing=existing, email=email
        )
    name = clean_text(data.get("name")) or email.split("@")[0]
    password = data.get("password") or ""
    _check(password, email=email, name=name, policy=policy)
    user = User(
        email=email,
        name=name,
        role=Role(data.get("role") or Role.CLERK),
        password_hash=hash_password(password, policy.hash_method),
    )
    db.session.add(user)
    db.session.flush()
    return user


def update_user(user: User, data: dict) -> User:
    """Change an account's name, role or active flag.

    Raises:
        ServiceError: the change would leave no active administrator.
    """
    check_version(user, data)
    role = Role(data.get("role") or user.role)
    active = bool(data.get("is_active", user.is_active))
    if user.role is Role.ADMIN and user.is_active and (role is not Role.ADMIN or not active):
        _keep_an_admin(user)
    user.name = clean_text(data.get("name")) or user.name
    user.role = role
    if user.is_active and not active:
        user.session_token = new_session_token()  # signs the account out everywhere
    user.is_active = active
    user.updated_at = utcnow()
    db.session.flush()
    return user


def set_role(user: User, role: Role | str) -> User:
    """Give ``user`` another role; raises as :func:`update_user`."""
    return update_user(user, {"role": role})


def deactivate(user: User) -> User:
    """Stop an account from signing in; it stays in the history. Raises as :func:`update_user`."""
    return update_user(user, {"is_active": False})


def set_password(user: User, password: str, *, policy: PasswordPolicy) -> User:
    """Give ``user`` a new password (checked and hashed by ``policy``) and sign it out of every
    other session.

    Raises:
        ServiceError: the password breaks the rules.
    """
    _check(password, email=user.email, name=user.name, policy=policy)
    user.password_hash = hash_password(password, policy.hash_method)
    user.session_token = new_session_token()
    db.session.flush()
    return user


def end_sessions(user: User) -> None:
    """Sign ``user`` out everywhere: a new session token, so that every session cookie and
    remember-me cookie issued before (kept, copied or replayed) names no account any more.

    Straight to the row, as a sign-in is: signing out is not an edit of the account, so its
    version (and the forms an administrator may have open) stay as they are.
    """
    db.session.execute(
        sa.update(User).where(User.id == user.id).values(session_token=new_session_token())
    )


def _check(password: str, *, email: str, name: str, policy: PasswordPolicy) -> None:
    try:
        check_password(password, email=email, name=name, min_length=policy.min_length)
    except PasswordError as error:
        raise ServiceError(error.message, field="password", **error.params) from None


def _keep_an_admin(user: User) -> None:
    others = db.session.scalar(
        sa.select(sa.func.count()).where(
            User.role == Role.ADMIN, User.is_active.is_(True), User.id != user.id
        )
    )
    if not others:
        raise ServiceError(N_("Insyn needs at least one active administrator."), field="role")


def generate_password() -> str:
    """A strong random password for a demo account: four groups of five letters and digits."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(4))


# --- signing in ----------------------------------------------------------------------------


class LoginRefused(Exception):
    """Sign-in refused; ``locked`` says whether for too many failures (the message differs,
    but never says whether the account exists)."""

    def __init__(self, locked: bool = False) -> None:
        self.locked = locked
        super().__init__("locked" if locked else "refused")


@dataclass(frozen=True)
class Throttle:
    max_failures: int  #: failures allowed in a window
    window: dt.timedelta  #: how long a lock lasts


def authenticate(email: str, password: str, address: str, throttle: Throttle) -> User:
    """The active account for ``email`` and ``password``, with the attempt recorded.

    After ``throttle.max_failures`` failures within ``throttle.window`` for the same email
    (existing or not) or from the same address, every attempt is refused until the window
    has passed, whatever the password.

    Counting the failures and recording this attempt are one step: attempts for the same
    email or from the same address take turns (see :func:`_serialise_attempts`) until the
    caller commits, so that simultaneous guesses cannot all pass the count before any is
    recorded. The caller must commit (or roll back) soon after.

    Raises:
        LoginRefused: the same for an unknown email, a wrong password and an inactive account.
    """
    email = normalise_email(email)[:254]
    address = (address or "unknown")[:64]
    _serialise_attempts(email, address)
    now = utcnow()
    if _is_locked(email, address, now, throttle):
        _record(email, address, now, succeeded=False)
        raise LoginRefused(locked=True)
    user = find_user(email)
    # Check a hash even when no account matches, so timing does not tell.
    valid = verify_password(user.password_hash if user else dummy_hash(), password or "")
    if user is None or not valid or not user.is_active or user.is_service:
        _record(email, address, now, succeeded=False)
        raise LoginRefused()
    _record(email, address, now, succeeded=True)
    # Straight to the row: signing in is not an edit of the account, so its version (and the
    # forms an administrator may have open) stay as they are.
    db.session.execute(sa.update(User).where(User.id == user.id).values(last_login_at=now))
    return user


def _serialise_attempts(email: str, address: str) -> None:
    """Hold, until the transaction ends, a lock per email and per address that sign-in
    attempts take in turn.

    PostgreSQL: transaction-level advisory locks on the two keys (always in the same order,
    so that two attempts never wait for each other). SQLite: nothing to add when the
    transaction holds the database's one write lock from its start (a sign-in request does:
    ``app.models.sqlite.writing``), which already makes attempts take turns.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted({f"insyn-login-email:{email}", f"insyn-login-address:{address}"}):
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})


def _is_locked(email: str, address: str, now: dt.datetime, throttle: Throttle) -> bool:
    since = now - throttle.window
    for column, value in ((LoginAttempt.email, email), (LoginAttempt.address, address)):
        last_success = (
            sa.select(sa.func.max(LoginAttempt.attempted_at))
            .where(column == value, LoginAttempt.succeeded.is_(True))
            .scalar_subquery()
        )
        failures = db.session.scalar(
            sa.select(sa.func.count()).where(
                column == value,
                LoginAttempt.succeeded.is_(False),
                LoginAttempt.attempted_at >= since,
                sa.or_(last_success.is_(None), LoginAttempt.attempted_at > last_success),
            )
        )
        if failures >= throttle.max_failures:
            return True
    return False


def _record(email: str, address: str, at: dt.datetime, *, succeeded: bool) -> None:
    db.session.add(LoginAttempt(email=email, address=address, attempted_at=at, succeeded=succeeded))
    db.session.flush()
