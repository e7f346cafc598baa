"""Who is reading: the web layer's one decision about private persons (see
:mod:`app.privacy`). A signed-in account is staff and sees the names it works with; anyone
else is the public. Services and exporters are told, never ask."""

from __future__ import annotations

from flask_login import current_user

from app.models import Role
from app.privacy import Audience
from app.privacy import staff_name


def request_audience() -> Audience:
    """The audience of the current request: staff when an active account is signed in."""
    return Audience.STAFF if current_user.is_authenticated else Audience.PUBLIC


def staff_name_for_reader(actor: str | None, role: Role | str | None = None) -> str:
    """:func:`app.privacy.staff_name` for this request's reader (a Jinja global): the public
    reads the role, signed-in accounts the name."""
    return staff_name(actor, role, public=not request_audience().sees_personal_data)
