"""Password rules and hashing.

A password has at least ``PASSWORD_MIN_LENGTH`` characters (12 by default), is not on the
list of common passwords (the 30,000 most common, from zxcvbn, also with digits or symbols
tacked on), does not contain the account's own name or email, and is not easy to guess by
zxcvbn's estimate. Hashes are scrypt, in werkzeug's self-describing format.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from app.money import N_

MIN_LENGTH = 12
#: werkzeug's scrypt with its defaults (N=2**15, r=8, p=1): about 100 ms a hash.
HASH_METHOD = "scrypt"
#: Longer passwords only cost hashing time; nobody types more.
MAX_LENGTH = 1024
#: zxcvbn's score, 0 (guessed at once) to 4 (very unguessable): 3 resists offline guessing.
MIN_SCORE = 3


@dataclass(frozen=True)
class PasswordPolicy:
    """How passwords are checked and hashed: the deployment's ``PASSWORD_MIN_LENGTH`` and
    ``PASSWORD_HASH_METHOD``, built where the configuration is read and passed in."""

    min_length: int = MIN_LENGTH
    hash_method: str = HASH_METHOD


def password_policy_from(config: Mapping) -> PasswordPolicy:
    """The :class:`PasswordPolicy` of a configuration mapping (defaults for what it lacks)."""
    return PasswordPolicy(
        min_length=int(config.get("PASSWORD_MIN_LENGTH", MIN_LENGTH)),
        hash_method=str(config.get("PASSWORD_HASH_METHOD", HASH_METHOD)),
    )


class PasswordError(ValueError):
    """A password the rules refuse; ``message`` is an English msgid, ``params`` its values."""

    def __init__(self, message: str, **params) -> None:
        self.message = message
        self.params = params
        super().__init__(message % params if params else message)


@cache
def _common() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def is_common(password: str) -> bool:
    """Whether ``password`` is a common one, ignoring case, spaces and digits or symbols added
    at either end ("Password1234!" is "password")."""
    folded = password.casefold().replace(" ", "")
    core = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", folded)
    return folded in _common() or (len(core) >= 4 and core in _common())


def check_password(
    password: str, *, email: str = "", name: str = "", min_length: int = MIN_LENGTH
) -> None:
    """Refuse a password that breaks the rules.

    Raises:
        PasswordError: saying which rule, in terms a person can act on.
    """
    if len(password) < min_length:
        raise PasswordError(
            N_("The password must have at least %(count)s characters."), count=min_length
        )
    if len(password) > MAX_LENGTH:
        raise PasswordError(N_("The password is too long."))
    if is_common(password):
        raise PasswordError(N_("That password is on the list of common passwords. Choose another."))
    personal = [p for p in re.split(r"[\s@.]+", f"{email} {name}".casefold()) if len(p) >= 4]
    if any(p in password.casefold() for p in personal):
        raise PasswordError(
            N_("The password must not contain the account's name or email address.")
        )
    if zxcvbn(password[:100], user_inputs=[email, name, "insyn"])["score"] < MIN_SCORE:
        raise PasswordError(
            N_("The password is too easy to guess. A few unrelated words make a strong one.")
        )


def hash_password(password: str, method: str = HASH_METHOD) -> str:
    """A salted hash of ``password`` (scrypt unless ``method`` says otherwise)."""
    return generate_password_hash(password, method=method)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash`` (constant time)."""
    return check_password_hash(password_hash, password)


@cache
def dummy_hash() -> str:
    """A hash to check against when no account matches, so that an unknown address takes as
    long to refuse as a wrong password."""
    return hash_password("not-a-real-password-for-timing")
