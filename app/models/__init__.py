"""Insyn's records, one noun a module. Importing this package registers every model."""

from __future__ import annotations

from app.models.api_token import ApiToken
from app.models.api_token import TokenScope
from app.models.audit_event import AuditEvent
from app.models.category import Category
from app.models.contract import Contract
from app.models.contract import ProcurementBasis
from app.models.contract_amendment import AmendmentKind
from app.models.contract_amendment import ContractAmendment
from app.models.contract_flag_set import ContractFlagSet
from app.models.department import Department
from app.models.engagement import Engagement
from app.models.flag_settings import FlagSettings
from app.models.idempotency_key import IdempotencyKey
from app.models.import_batch import ImportBatch
from app.models.import_job import ImportJob
from app.models.import_profile import ImportProfile
from app.models.import_sheet import ImportSheet
from app.models.invoice import Invoice
from app.models.invoice_summary import InvoiceContractYearSummary
from app.models.invoice_summary import InvoiceMonthSummary
from app.models.invoice_summary import InvoiceSummary
from app.models.invoice_summary import InvoiceYearSummary
from app.models.login_attempt import LoginAttempt
from app.models.rate_card import RateCard
from app.models.threshold import DirectAwardThreshold
from app.models.user import Role
from app.models.user import User
from app.models.vendor import Vendor
from app.models.vendor_alias import VendorAlias

__all__ = [
    "AmendmentKind",
    "ApiToken",
    "AuditEvent",
    "Category",
    "Contract",
    "ContractAmendment",
    "ContractFlagSet",
    "Department",
    "DirectAwardThreshold",
    "Engagement",
    "FlagSettings",
    "IdempotencyKey",
    "ImportBatch",
    "ImportJob",
    "ImportProfile",
    "ImportSheet",
    "Invoice",
    "InvoiceContractYearSummary",
    "InvoiceMonthSummary",
    "InvoiceSummary",
    "InvoiceYearSummary",
    "LoginAttempt",
    "ProcurementBasis",
    "RateCard",
    "Role",
    "TokenScope",
    "User",
    "Vendor",
    "VendorAlias",
]
