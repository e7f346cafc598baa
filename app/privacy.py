"""Private persons: who they are, and what each audience may see of them.

A vendor or an organiser who is a natural person (marked so by a clerk; known by a
personnummer, bare, inside a Swedish VAT number or given as a foreign id; or written
``SURNAME;FIRSTNAME`` as ledgers write people) is personal data. Swedish publishers show such
a party as "Privatperson", without an id, and keep the amounts, so that every total stays
whole. Insyn does the same for the public; signed-in accounts (clerks, administrators,
auditors) see the names they work with. The open-data files always withhold them
(:mod:`app.exporting.privacy`).

Who is reading is a parameter, never read from the request here: every function that shows
or finds a person takes an :class:`Audience`. The web layer decides it from the session
(``app.web.audience``); the command line shows names unless asked to write what the public
sees (``insyn export --public``).

Staff are not published either: where a page names who imported or undid something, the
public reads the account's role ("a clerk"), signed-in accounts the name and address.
"""

from __future__ import annotations

import enum

from flask_babel import gettext

from app.identifiers import is_person_name
from app.identifiers import is_personnummer
from app.models import Role
from app.models import Vendor


class Audience(enum.StrEnum):
    """Who a page, a download or a search is for."""

    PUBLIC = "public"  #: anyone not signed in: private persons are "Privatperson", no ids
    STAFF = "staff"  #: a signed-in account, or the command line: names and ids shown

    @property
    def sees_personal_data(self) -> bool:
        return self is Audience.STAFF


def is_private_person(
    name: str | None,
    org_number: str | None = None,
    vat_number: str | None = None,
    *,
    flagged: bool = False,
) -> bool:
    """Whether a vendor (or an organiser) is a private person, whose name and ids are shown
    to staff only.

    A private person is one that a clerk (or an import) ``flagged`` as such; or whose
    organisation or VAT number holds a personnummer (:func:`app.identifiers.is_personnummer`:
    bare, with or without separators, or inside a Swedish VAT number ``SE``…``01``, however
    the id was classified); or whose name is written ``SURNAME;FIRSTNAME``. Any one is
    enough: the rule errs on the side of the person. Never raises.
    """
    return (
        flagged
        or is_personnummer(org_number)
        or is_personnummer(vat_number)
        or is_person_name(name)
    )


def private_person_label() -> str:
    """What the public sees instead of a private person's name, in the reader's language."""
    return gettext("Private person")


def hidden_name(audience: Audience) -> str | None:
    """What a private person's name becomes for ``audience``: "Privatperson" for the public,
    ``None`` (the name stays) for staff. Ask once for a whole table, then
    :func:`public_vendor_name` per row."""
    return None if audience.sees_personal_data else private_person_label()


def public_vendor_name(name: str | None, is_private: bool, hidden: str | None) -> str | None:
    """``name``, or ``hidden`` (see :func:`hidden_name`) for a private person."""
    return hidden if is_private and hidden is not None else name


def shown_identifier(identifier: str | None, is_private: bool, audience: Audience) -> str | None:
    """An organisation number (or VAT number) as ``audience`` may see it: withheld from the
    public for a private person, whose id holds a personnummer."""
    return None if is_private and not audience.sees_personal_data else identifier


def vendor_name(vendor: Vendor | None, audience: Audience) -> str:
    """A vendor's name as ``audience`` may see it."""
    if vendor is None:
        return ""
    return public_vendor_name(vendor.name, vendor.is_private_person, hidden_name(audience))


def vendor_identifier(vendor: Vendor | None, audience: Audience) -> str | None:
    """A vendor's organisation number as ``audience`` may see it."""
    if vendor is None:
        return None
    return shown_identifier(vendor.org_number, vendor.is_private_person, audience)


def hides_private_persons(audience: Audience):
    """A condition on ``Vendor`` that leaves private persons out of what ``audience`` can
    search for (finding one by name would tell that the person was paid); ``None`` when the
    audience may see them."""
    return None if audience.sees_personal_data else Vendor.is_private_person.is_(False)


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
