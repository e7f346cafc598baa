"""What an import found and did, as plain data: the :class:`Report` the command line prints
and the browser keeps as JSON, made from the plan, the records' issues and the totals."""

from __future__ import annotations

from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal

from app.importing.cells import decimal_from_ore
from app.importing.errors import Issue
from app.importing.plan import Plan


@dataclass
class Report:
    """What an import found and did, as plain data (it is kept as JSON for the browser).

    Amounts are decimal strings per currency; rows are numbered as the spreadsheet shows them
    (``"Sheet:12"`` when several sheets are read).
    """

    filename: str
    #: "ok", "rejected" (invalid rows or columns, nothing written), "duplicate",
    #: "unreadable", or "busy" (another import kept writing the same file)
    status: str = "ok"
    written: bool = False
    kind: str | None = None
    sheet: str | None = None
    #: The sheets read, each with its rows of data and its tables' header rows.
    sheets: list[dict] = field(default_factory=list)
    #: Sheets not read: {"sheet", "reason": "layout" | "no table" | "imported", "batch_id"…}.
    other_sheets: list[dict] = field(default_factory=list)
    hidden_sheets: list[str] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    profile: str | None = None
    profile_title: str | None = None
    header_row: int | None = None
    mapping: dict[str, str] = field(default_factory=dict)  #: field → the column read
    #: field → how its column was found: "profile", "name", "content" or "chosen".
    found_by: dict[str, str] = field(default_factory=dict)
    #: {"code", "source", "evidence", "column"}: the currency and where it came from.
    currency: dict | None = None
    period: str | None = None
    rows_read: int = 0
    imported: int = 0
    amendments: int = 0
    already_imported: int = 0
    rejected: int = 0
    left_out_blank: list = field(default_factory=list)
    left_out_totals: list = field(default_factory=list)
    left_out_notes: list = field(default_factory=list)
    stated_total: dict | None = None  #: {"row": n, "amount": "…", "agrees": bool}
    new_vendors: list[str] = field(default_factory=list)
    new_vendor_count: int = 0
    new_spellings: int = 0
    new_categories: int = 0
    new_departments: int = 0
    flagged_ids: dict[str, int] = field(default_factory=dict)
    flagged_examples: dict[str, str] = field(default_factory=dict)
    unknown_contracts: list[str] = field(default_factory=list)
    totals: dict[str, str] = field(default_factory=dict)
    issues: list[dict] = field(default_factory=list)
    issue_count: int = 0
    sample: list[dict] = field(default_factory=list)
    batch_id: int | None = None
    duplicate_of: dict | None = None
    error: dict | None = None  #: {"message": msgid, "params": {...}} for a refused file
    #: The header's texts, for choosing other columns; the needed fields no column was found
    #: for, those several columns could hold (field → headers), the column to choose for
    #: each, every column with two samples, and whether any column holds dates.
    headers: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    ambiguous: dict[str, list[str]] = field(default_factory=dict)
    suggested: dict[str, str] = field(default_factory=dict)
    columns: list[dict] = field(default_factory=list)
    dates_found: bool = True
    columns_chosen: bool = False  #: the user chose (some of) the columns

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def left_out(self) -> int:
        return len(self.left_out_blank) + len(self.left_out_totals) + len(self.left_out_notes)


def sample_rows(chunk) -> list[dict]:
    return [
        {
            "sheet": record.sheet,
            "row": record.row,
            "vendor": str(record.vendor[0]).strip(),
            "org_number": str(record.vendor[1] or "").strip(),
            "invoice_number": record.number,
            "invoiced_on": record.invoiced_on.isoformat() if record.invoiced_on else None,
            "paid_on": record.paid_on.isoformat() if record.paid_on else None,
            "net_amount": str(decimal_from_ore(record.net)),
            "currency": record.currency,
            "category": str(record.category or "").strip() or None,
            "department": str(record.department or "").strip() or None,
            "description": record.description,
        }
        for record in chunk
    ]


def describe(plan: Plan, report: Report) -> None:
    source = plan.source
    report.kind = plan.kind
    report.sheet = plan.sheet_names[0] if len(plan.sheets) == 1 and plan.sheet_names else None
    report.sheets = [
        {
            "sheet": sheet.name,
            "rows": sheet.data_rows,
            "tables": [table.header_row for table in sheet.tables],
        }
        for sheet in plan.sheets
    ]
    report.other_sheets = plan.other_sheets
    report.hidden_sheets = source.hidden_sheets
    report.encoding, report.delimiter = source.encoding, source.delimiter
    report.profile = plan.mapping_label
    report.profile_title = plan.profile.title if plan.profile else None
    report.header_row = plan.header_row
    report.mapping = {name: plan.headers[index] for name, index in plan.columns.items()}
    report.found_by = dict(plan.layout.found_by)
    report.headers = [h for h in plan.headers if h]
    report.columns_chosen = bool(plan.options.columns)
    currency = plan.currency
    report.currency = {
        "code": currency.code,
        "source": currency.source,
        "evidence": currency.evidence,
        "column": currency.column,
    }
    report.period = plan.period.isoformat() if plan.period else None
    report.rows_read = plan.data_rows
    for sheet in plan.sheets:
        report.left_out_blank += [plan.row_label(sheet.name, n) for n in sheet.blank]
        report.left_out_totals += [plan.row_label(sheet.name, n) for n in sheet.totals]
        report.left_out_notes += [plan.row_label(sheet.name, n) for n in sheet.notes]


def add_issues(report: Report, issues: list[Issue], count: int) -> None:
    report.issue_count = count
    report.issues = [
        {
            "message": i.message,
            "params": plain(i.params),
            "row": i.row,
            "column": i.column,
            "sheet": i.sheet,
        }
        for i in issues
    ]


def check_stated_total(plan: Plan, report: Report) -> None:
    """Compare a totals row's amount with the sum of the rows (when all are in one currency)."""
    row, cell = plan.stated_total
    try:
        stated = plan.amounts["net_amount"].read(cell)
    except (ValueError, KeyError):
        return
    computed = None
    if len(report.totals) == 1 and not report.already_imported and not report.rejected:
        computed = int(Decimal(next(iter(report.totals.values()))).scaleb(2))
    report.stated_total = {
        "row": row,
        "amount": str(decimal_from_ore(stated)),
        "agrees": computed == stated,
    }


def plain(params: dict) -> dict:
    return {
        k: (v if isinstance(v, int | float | str | type(None)) else str(v))
        for k, v in params.items()
    }
