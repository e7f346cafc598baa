"""What the first pass (``first_pass``, ``scan``) learns about a file, and what the user
chose: the options, the tables of each sheet, and the :class:`Plan` the second pass reads by.

Nothing is parsed for keeps in the first pass; the second pass (``records``) does that. The
plan keeps only what decides how to read (shapes of amounts, distinct dates, distinct
vendors), so a million rows cost little memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING

from app.importing.cells import AmountColumn
from app.importing.currency import CurrencyChoice
from app.importing.dates import DateColumn
from app.importing.errors import Issue
from app.importing.layout import SheetLayout
from app.importing.profiles import Profile
from app.importing.sources import Source
from app.importing.workbooks import MAX_SHEET_BYTES

if TYPE_CHECKING:
    from app.services.plausibility import Rules

#: Fields read as amounts and as dates, by kind.
AMOUNT_FIELDS = {"net_amount", "vat_amount", "hours", "value", "original_value", "travel_amount"}
DATE_FIELDS = {
    "invoiced_on",
    "paid_on",
    "signed_on",
    "starts_on",
    "ends_on",
    "first_day",
    "last_day",
}


@dataclass
class Options:
    """What the user chose (``None`` or "auto" lets Insyn decide), and the deployment's
    settings the import needs."""

    kind: str | None = None
    profile: str = "auto"
    sheet: str | None = None
    period: str | None = None  #: "YYYY-MM", for files without a date column
    currency: str | None = None
    #: Columns the user chose: field name → the column's header as the file writes it (an
    #: empty header: do not read the field). They win over the profile and the synonyms.
    columns: dict[str, str] | None = None
    skip_invalid: bool = False
    dry_run: bool = False
    #: Doubts the person importing confirmed the file is right about (``ACCEPTABLE``):
    #: "prepaid" (payments dated before their invoice) and "vat" (a VAT that is no Swedish
    #: rate of a SEK amount). Without them such rows are refused like invalid cells.
    accept: tuple[str, ...] = ()
    #: The deployment's currency, for files that name none (``INSYN_DEFAULT_CURRENCY``).
    default_currency: str = "SEK"
    #: The deployment's country, for new suppliers (``INSYN_DEFAULT_COUNTRY``).
    default_country: str = "SE"
    #: The most a workbook's sheets may take unpacked, in bytes (``INSYN_MAX_SHEET_BYTES``).
    max_sheet_bytes: int = MAX_SHEET_BYTES
    #: The plausibility rules in force (``plausibility.rules_from(app.config, today)``);
    #: ``None``: every setting at its default.
    rules: Rules | None = None

    @classmethod
    def with_settings(cls, config: Mapping, rules: Rules | None, **chosen) -> Options:
        """What the user chose (``chosen``) with the deployment's settings of ``config``
        (default currency and country, the largest sheet) and the plausibility rules."""
        return cls(
            **chosen,
            default_currency=str(config.get("DEFAULT_CURRENCY") or "SEK").upper(),
            default_country=str(config.get("DEFAULT_COUNTRY") or "SE").upper(),
            max_sheet_bytes=int(config.get("MAX_SHEET_BYTES") or MAX_SHEET_BYTES),
            rules=rules,
        )


#: The doubts an import can be told to accept, with the plausibility rule each one lifts.
ACCEPTABLE = ("prepaid", "vat")


@dataclass
class Table:
    """A table inside a sheet: a header row and the rows below it, up to the next header."""

    sheet: str | None
    header_row: int
    headers: list[str]
    columns: dict[str, int]


@dataclass
class SheetPlan:
    """One sheet (or the text file) being imported: its tables and what was set aside."""

    name: str | None
    tables: list[Table]
    data_rows: int = 0
    blank: list[int] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)
    #: Rows holding no vendor, no amount and no date (a note, a stray mark): not records.
    notes: list[int] = field(default_factory=list)

    @property
    def skipped(self) -> set[int]:
        return set(self.blank) | set(self.totals) | set(self.notes)


@dataclass
class Plan:
    """How to read a file, learned in the first pass."""

    source: Source
    kind: str
    profile: Profile | None
    layout: SheetLayout
    sheets: list[SheetPlan]
    amounts: dict[str, AmountColumn]
    dates: dict[str, DateColumn]
    period: dt.date | None
    currency: CurrencyChoice
    options: Options
    #: Sheets not read: [{"sheet", "reason", …}] ("layout": another layout; "no table": no
    #: header row; "imported": an earlier batch holds it, with its "batch_id").
    other_sheets: list[dict] = field(default_factory=list)
    data_rows: int = 0
    issues: list[Issue] = field(default_factory=list)
    #: Distinct raw values of text fields worth resolving once (vendors, categories…).
    distinct: dict[str, set] = field(default_factory=dict)
    #: The amount a totals row states, with its row, to check against the sum.
    stated_total: tuple[int, object] | None = None

    @property
    def header_row(self) -> int:
        return self.layout.header_row

    @property
    def headers(self) -> list[str]:
        return self.layout.headers

    @property
    def columns(self) -> dict[str, int]:
        return self.layout.columns

    @property
    def mapping_label(self) -> str:
        return self.profile.name if self.profile else "auto"

    @property
    def sheet_names(self) -> list[str]:
        return [s.name for s in self.sheets if s.name is not None]

    def column_name(self, field_name: str) -> str:
        """The header of the column a field is read from, as the file writes it."""
        index = self.columns.get(field_name)
        return (
            self.headers[index] if index is not None and index < len(self.headers) else field_name
        )

    def row_label(self, sheet: str | None, row: int) -> int | str:
        """A row as messages name it: its number, with its sheet when several are read."""
        return f"{sheet}:{row}" if len(self.sheets) > 1 and sheet is not None else row


#: Looks up the sheets of this file an earlier batch imported: (kind, sheets) → {sheet:
#: {"batch_id", "filename", "imported_at", "rows"}} ("" for a text file's one table).
Imported = Callable[[str, list[str]], dict[str, dict]]
