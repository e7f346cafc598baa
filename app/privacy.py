"""Private persons on the public site: who may see their names and ids.

A vendor who is a natural person (``Vendor.is_private_person``: marked by a clerk, or found so
by the personnummer-shaped id or the ``SURNAME;FIRSTNAME`` name an import or a form saw) is
personal data. Swedish publishers show such a supplier as "Privatperson", without an id, and
keep the amounts, so that every total stays whole. Insyn's public pages and downloads do the
same for anyone not signed in; signed-in accounts (clerks, administrators, auditors) see the
names they work with. The open-data files always withhold them
(:mod:`app.exporting.privacy`).

Outside a request (the command line, run by whoever runs the server) names are shown.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import g
from flask import has_request_context
from flask_babel import gettext

from app.extensions import db
from app.models import Vendor


def shows_personal_data() -> bool:
    """Whether this request may see private persons' names and ids: a signed-in account, or
    no request at all (the command line)."""
    if not has_request_context():
        return True
    from flask_login import current_user

    return bool(current_user and current_user.is_authenticated)


def private_vendor_ids() -> frozenset[int]:
    """The ids of the vendors who are private persons, read once per request."""
    if has_request_context() and "private_vendor_ids" in g:
        return g.private_vendor_ids
    ids = frozenset(db.session.scalars(sa.select(Vendor.id).where(Vendor.is_private_person)))
    if has_request_context():
        g.private_vendor_ids = ids
    return ids


def private_person_label() -> str:
    """What the public sees instead of a private person's name, in the reader's language."""
    return gettext("Private person")


def public_vendor_name(vendor_id: int | None, name: str | None) -> str | None:
    """``name``, or "Privatperson" when the vendor is a private person and the reader may
    not see personal data."""
    if vendor_id is None or shows_personal_data() or vendor_id not in private_vendor_ids():
        return name
    return private_person_label()


def vendor_name(vendor: Vendor | None) -> str:
    """A vendor's name as this reader may see it (a Jinja filter)."""
    if vendor is None:
        return ""
    if vendor.is_private_person and not shows_personal_data():
        return private_person_label()
    return vendor.name


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
