"""Who reads, for the API and the feeds: every use of the private-person rule (``app.privacy``)
by them is here, so that the rule is applied the one way the public pages apply it.

A private person's name is "Privatperson" and their id, other spellings and notes are
withheld, for anyone not signed in; signed-in accounts and API token holders (the body's own
staff and systems) see them. Amounts stay in every total either way.
"""

from __future__ import annotations

from app.models import Vendor
from app.privacy import hidden_name
from app.privacy import public_vendor_name
from app.web.audience import request_audience


def shows_personal_data() -> bool:
    """Whether this reader (a signed-in account or a token holder) sees private persons."""
    return request_audience().sees_personal_data


def vendor_name(vendor: Vendor | None) -> str | None:
    """The vendor's name as this reader may see it."""
    if vendor is None:
        return None
    return public_vendor_name(
        vendor.name, vendor.is_private_person, hidden_name(request_audience())
    )


def masks(vendor: Vendor | None) -> bool:
    """Whether this reader sees ``vendor`` as a private person without name or id."""
    return bool(vendor is not None and vendor.is_private_person and not shows_personal_data())


def mask_vendor_fields(data: dict, vendor: Vendor | None, name_key: str = "vendor") -> dict:
    """``data`` (a record as the API shows it) with the vendor's name and ids withheld from a
    reader who may not see them."""
    if masks(vendor):
        data[name_key] = vendor_name(vendor)
        for key in ("vendor_org_number", "org_number", "vat_number", "notes"):
            if key in data:
                data[key] = None
        if "aliases" in data:
            data["aliases"] = []
    return data


def mask_organiser_fields(data: dict, engagement) -> dict:
    """``data`` (an engagement as the API shows it) with a private organiser's name, number
    and notes withheld from a reader who may not see them, as the income pages do."""
    if engagement.organiser_is_private and not shows_personal_data():
        data["organiser_name"] = hidden_name(request_audience())
        for key in ("organiser_org_number", "notes"):
            if key in data:
                data[key] = None
    return data


def hides_private_persons() -> bool:
    """Whether private persons are listed last and cannot be searched for (the public)."""
    return not shows_personal_data()
