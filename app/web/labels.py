"""Names shown for the codes records carry (procurement bases, amendment kinds, id kinds)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from wtforms.fields.choices import SelectChoice

from app.identifiers import IdKind
from app.models import AmendmentKind
from app.models import ProcurementBasis
from app.models import Role

PROCUREMENT_BASIS = {
    ProcurementBasis.DIRECT_AWARD: _l("Direct award"),
    ProcurementBasis.FRAMEWORK_AGREEMENT: _l("Framework agreement"),
    ProcurementBasis.OPEN_TENDER: _l("Open tender"),
    ProcurementBasis.OTHER: _l("Other"),
}

AMENDMENT_KIND = {
    AmendmentKind.EXTENSION: _l("Extension"),
    AmendmentKind.EXPANSION: _l("Expansion"),
    AmendmentKind.PRICE_CHANGE: _l("Price change"),
    AmendmentKind.OTHER: _l("Other"),
}

ROLE = {
    Role.ADMIN: _l("administrator"),
    Role.CLERK: _l("clerk"),
    Role.AUDITOR: _l("auditor"),
}

#: What someone did to a record, read after their name ("Anna changed"); a context of its own,
#: since "voided" as an invoice's state reads differently in Swedish.
ACTION = {
    "insert": lazy_pgettext("audit action", "created"),
    "update": lazy_pgettext("audit action", "changed"),
    "void": lazy_pgettext("audit action", "voided"),
    "delete": lazy_pgettext("audit action", "deleted"),
}

ID_KIND = {
    IdKind.ORGNR: _l("Organisation number"),
    IdKind.PERSONNUMMER: _l("Personal identity number (private person)"),
    IdKind.FOREIGN: _l("Foreign id"),
    IdKind.NONE: _l("No id"),
}


def choices(mapping: dict) -> list[SelectChoice]:
    """The options of a select field, one per code."""
    return [SelectChoice(key.value, label) for key, label in mapping.items()]
