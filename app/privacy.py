"""Private persons on the public site: who may see their names and ids.

A vendor who is a natural person (``Vendor.is_private_person``: marked by a clerk, or found so
by the personnummer-shaped id or the ``SURNAME;FIRSTNAME`` name an import or a form saw) is
personal data. Swedish publishers show such a supplier as "Privatperson", without an id, and
keep the amounts, so that every total stays whole. Insyn's public pages and downloads do the
same for anyone not signed in; signed-in accounts (clerks, administrators, auditors) see the
names they work with. The open-data files always withhold them
(:mod:`app.exporting.privacy`).

Staff are not published either: where a page names who imported or undid something, the
public reads the account's role ("a clerk"), signed-in accounts the name and address.

Outside a request (the command line, run by whoever runs the server) names are shown,
unless the command asks to write what the public sees (:func:`as_public`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import has_request_context
from flask_babel import gettext

from app.models import Role
from app.models import Vendor

_PUBLIC: ContextVar[bool] = ContextVar("insyn_public", default=False)


@contextmanager
def as_public() -> Iterator[None]:
    """Within the block, write what the public sees, whoever asks (``insyn export --public``)."""
    token = _PUBLIC.set(True)
    try:
        yield
    finally:
        _PUBLIC.reset(token)


def shows_personal_data() -> bool:
    """Whether this request may see private persons' names and ids: a signed-in account, or
    no request at all (the command line), unless within :func:`as_public`."""
    if _PUBLIC.get():
        return False
    if not has_request_context():
        return True
    from flask_login import current_user

    return bool(current_user and current_user.is_authenticated)


def private_person_label() -> str:
    """What the public sees instead of a private person's name, in the reader's language."""
    return gettext("Private person")


def hidden_name() -> str | None:
    """What a private person's name becomes for this reader: "Privatperson" for the public,
    ``None`` (the name stays) for a signed-in account or the command line. Ask once for a
    whole table, then :func:`public_vendor_name` per row."""
    return None if shows_personal_data() else private_person_label()


def public_vendor_name(name: str | None, is_private: bool, hidden: str | None) -> str | None:
    """``name``, or ``hidden`` (see :func:`hidden_name`) for a private person."""
    return hidden if is_private and hidden is not None else name


def vendor_name(vendor: Vendor | None) -> str:
    """A vendor's name as this reader may see it (a Jinja filter)."""
    if vendor is None:
        return ""
    return public_vendor_name(vendor.name, vendor.is_private_person, hidden_name())


def vendor_identifier(vendor: Vendor | None) -> str | None:
    """A vendor's organisation number, withheld from the public for a private person (whose
    id is a personnummer)."""
    if vendor is None or (vendor.is_private_person and not shows_personal_data()):
        return None
    return vendor.org_number


def hides_private_persons():
    """A condition on ``Vendor`` that leaves private persons out of what the public can search
    for (finding one by name would tell that the person was paid); ``None`` when the reader
    may see them."""
    return None if shows_personal_data() else Vendor.is_private_person.is_(False)


def staff_name(actor: str | None, role: Role | str | None, public: bool) -> str:
    """Who did something, as a reader may see it: ``actor`` (“Name <email>”, or the command
    with the server account that ran it) for staff; for the ``public``, the role of the
    account (“a clerk”), or “a command on the server”, never a name or an address."""
    if not public:
        return actor or ""
    roles = {
        Role.ADMIN: gettext("an administrator"),
        Role.CLERK: gettext("a clerk"),
        Role.AUDITOR: gettext("an auditor"),
    }
    if role is not None:
        return roles.get(Role(role), gettext("a member of staff"))
    return gettext("a command on the server") if actor else ""


def staff_name_for_reader(actor: str | None, role: Role | str | None = None) -> str:
    """:func:`staff_name` for this request's reader (a Jinja global)."""
    return staff_name(actor, role, public=not shows_personal_data())
