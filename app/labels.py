"""Names shown for the codes records carry (procurement bases, amendment kinds, id kinds),
and for the fields and values of the audit trail: one place for the pages and the exports."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

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
    "restore": lazy_pgettext("audit action", "restored"),
    "delete": lazy_pgettext("audit action", "deleted"),
}

ID_KIND = {
    IdKind.ORGNR: _l("Organisation number"),
    IdKind.PERSONNUMMER: _l("Personal identity number (private person)"),
    IdKind.FOREIGN: _l("Foreign id"),
    IdKind.NONE: _l("No id"),
}


#: What an import's rows became.
IMPORT_KIND = {
    "invoices": _l("Invoices"),
    "contracts": _l("Contracts"),
    "engagements": _l("Fee income"),
    "demo": _l("Demo data"),
}

#: Why an org number in a file was kept as given rather than used.
ID_FLAG = {
    "missing": _l("Org numbers given as NULL, SAKNAS or the like"),
    "several": _l("Cells with several org numbers"),
    "invalid": _l("Org numbers that fail their check"),
}

#: Record types (tables) as the audit log names them.
RECORD_TYPE = {
    "vendors": _l("Vendor"),
    "contracts": _l("Contract"),
    "contract_amendments": _l("Amendment"),
    "invoices": _l("Invoice"),
    "rate_cards": _l("Day rate"),
    "engagements": _l("Engagement"),
    "categories": _l("Category"),
    "departments": _l("Department"),
    "users": _l("Account"),
    "direct_award_thresholds": _l("Direct-award threshold"),
    "flag_settings": _l("Amendment review share"),
    "import_batches": _l("Import"),
    "import_profiles": _l("Import layout"),
}


def record_type_options(tables) -> list[tuple]:
    """(table, its name) pairs for the audit log's menu."""
    return [(table, RECORD_TYPE.get(table, table)) for table in tables]


#: Fields as the history names them (the record's attribute → its label in forms and pages).
FIELD = {
    "name": _l("Name"),
    "org_number": _l("Organisation number"),
    "id_kind": _l("Identifier"),
    "vat_number": _l("VAT number"),
    "country": _l("Country"),
    "is_private_person": _l("Private person"),
    "notes": _l("Notes"),
    "aliases": _l("Other spellings"),
    "vendor": _l("Vendor"),
    "contract": _l("Contract"),
    "reference": _l("Reference (registry number)"),
    "title": _l("Title"),
    "purpose": _l("Purpose"),
    "procurement_basis": _l("Procurement"),
    "signed_on": _l("Signed on"),
    "starts_on": _l("Starts on"),
    "ends_on": _l("Ends on"),
    "ceiling_amount": _l("Ceiling amount"),
    "hour_quota": _l("Hour quota"),
    "hourly_rate": _l("Hourly rate"),
    "currency": _l("Currency"),
    "import_batch": _l("Imported from"),
    "source_row": _l("Row in the file"),
    "source_sheet": _l("Sheet in the file"),
    "withdrawn_at": _l("Withdrawn"),
    "year": _l("Year"),
    "month": _l("Month"),
    "definition": _l("Columns"),
    "dated_on": _l("Dated"),
    "kind": _l("Kind"),
    "new_ends_on": _l("New end date"),
    "added_amount": _l("Added amount"),
    "added_hours": _l("Added hours"),
    "new_hourly_rate": _l("New hourly rate"),
    "reason": _l("Reason"),
    "invoice_number": _l("Invoice number"),
    "invoiced_on": _l("Invoice date"),
    "paid_on": _l("Paid on"),
    "net_amount": _l("Amount excl. VAT"),
    "vat_amount": _l("VAT"),
    "hours": _l("Hours billed"),
    "category": _l("Category"),
    "department": _l("Department"),
    "description": _l("Description"),
    "voided_at": _l("Voided at"),
    "void_reason": _l("Reason for voiding"),
    "valid_from": _l("Valid from"),
    "valid_to": _l("Valid to"),
    "day_rate": _l("Day rate"),
    "basis": _l("Basis"),
    "organiser_name": _l("Organiser"),
    "organiser_org_number": _l("Organiser's organisation number"),
    "first_day": _l("First day"),
    "last_day": _l("Last day"),
    "topic": _l("Topic"),
    "speaker": _l("Speaker"),
    "started_days": _l("Started days"),
    "rate_card": _l("Day rate in force"),
    "rate_override_reason": _l("Reason for another rate"),
    "fee_amount": _l("Fee"),
    "organiser_pays_travel": _l("The organiser pays travel and lodging"),
    "travel_amount": _l("Travel and lodging paid by the organiser"),
    "outgoing_invoice_number": _l("Our invoice number"),
    "code": _l("Code"),
    # Fields an import reads that are not a record's own (the preview's column table).
    "vendor_name": _l("Vendor"),
    "vendor_org_number": _l("Vendor's organisation number"),
    "vendor_ref": _l("Vendor's number in the ledger"),
    "category_code": _l("Account number"),
    "contract_reference": _l("Contract (registry number)"),
    "value": _l("Contract value"),
    "original_value": _l("Original contract value"),
    "group": _l("Amendment group"),
    "procurement": _l("Procurement"),
    "amendment": _l("Amendment"),
    "email": _l("Email"),
    "role": _l("Role"),
    "is_active": _l("Active"),
    "password": _l("Password"),
    "credits": _l("Credits invoice"),
    # An import's own event.
    "sha256": _l("File fingerprint (SHA-256)"),
    "profile": _l("Import profile"),
    "sheet_name": _l("Sheet"),
    "rows": _l("Rows imported"),
    "totals": _l("Amounts imported"),
    "undone_at": _l("Undone at"),
    "records": _l("Records voided"),
    # A direct-award threshold's.
    "amount": _l("Amount excl. VAT"),
    "note": _l("Source"),
    "is_example": _l("Example value, not verified"),
    # The flag settings'.
    "amendment_review_percent": _l("Amendment review share (%)"),
}

#: Coded values as the history shows them, by field.
CODES = {
    "procurement_basis": PROCUREMENT_BASIS,
    "kind": AMENDMENT_KIND,
    "role": ROLE,
    "id_kind": ID_KIND,
}


def field_label(name: str) -> str:
    """The label of a record's field, or its code name when it has none."""
    return FIELD.get(name, name)
