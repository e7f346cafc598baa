"""Reading one sheet in the first pass: each row is data, blank, a totals row, a note, or a
header that starts a new table (another system's rows appended below, read by their own
header); each data row lets its columns observe their cells.
"""

from __future__ import annotations

import re

from app.importing import headers as header_map
from app.importing.layout import header_layout
from app.importing.plan import Plan
from app.importing.plan import SheetPlan
from app.importing.plan import Table

#: A cell saying only this (folded; a year or a number may follow) marks a totals row.
TOTAL_LABEL = re.compile(
    r"^(summa|summa totalt|totalt?|totals|total summa|totalsumma|grand total|sum|slutsumma)"
    r"( [0-9 ]*)?$"
)
#: How every totals label begins: cheap tests before folding, as this runs for every row.
_TOTAL_PREFIXES = frozenset({"sum", "tot", "gra", "slu"})
_TOTAL_INITIALS = frozenset("sStTgG \t\u00a0")
#: Text fields worth resolving once per distinct value.
_DISTINCT = (
    "vendor_name",
    "vendor_org_number",
    "category",
    "category_code",
    "department",
    "contract_reference",
    "organiser_name",
    "currency",
)


class _Reading:
    """The positions the current table reads, looked up once per table, not per row."""

    def __init__(self, plan: Plan, table: Table) -> None:
        columns = table.columns
        self.table = table
        self.width = len(table.headers)
        self.identity = [
            columns[f]
            for f in ("vendor_name", "organiser_name", "invoice_number", "reference")
            if f in columns
        ]
        self.amounts = [(plan.amounts[f], columns[f]) for f in plan.amounts if f in columns]
        self.dates = [(plan.dates[f], columns[f]) for f in plan.dates if f in columns]
        self.distinct = [(plan.distinct[f], columns[f]) for f in _DISTINCT if f in columns]
        main = "net_amount" if "net_amount" in columns else "value"
        self.main_amount = columns.get(main)
        self.main_column = plan.amounts.get(main)
        self.vendor = columns.get("vendor_name")
        self.org = columns.get("vendor_org_number")
        self.ref = columns.get("vendor_ref")

    def hot(self) -> tuple:
        """What each data row needs, to keep in locals: the width, the main amount's column
        and position, the other amounts, the dates, the distinct values, the vendor's cells."""
        others = [(c, i) for c, i in self.amounts if c is not self.main_column]
        return (
            self.width,
            self.main_column if self.main_amount is not None else None,
            self.main_amount,
            others,
            self.dates,
            self.distinct,
            self.vendor,
            self.org,
            self.ref,
        )


def scan_sheet(plan: Plan, sheet: SheetPlan) -> None:
    """Read every row of ``sheet`` once: set aside what is not data, start a new table at a
    repeated header, and let each column observe its cells."""
    for name in _DISTINCT:
        if name in plan.columns:
            plan.distinct.setdefault(name, set())
    vendors = plan.distinct.setdefault("vendor", set())
    reading = _Reading(plan, sheet.tables[0])
    header_row = reading.table.header_row
    # The current table's positions as locals: this loop runs for every row of the file.
    width, main, main_at, others, dates, distinct, vendor, org, ref = reading.hot()
    for number, cells in plan.source.rows(sheet.name):
        if number <= header_row:
            continue
        if len(cells) < width:
            cells = list(cells) + [""] * (width - len(cells))
        kind = _classify(cells, reading)
        if kind != "data":
            _set_aside(plan, sheet, reading, kind, number, cells)
            continue
        if main is not None and not main.observe(cells[main_at]):
            # No number where the amount should be: a header starting a new table?
            columns = header_layout(plan.layout, cells, [plan.profile] if plan.profile else [])
            if columns is not None:
                table = Table(sheet.name, number, [_header(c) for c in cells], columns)
                sheet.tables.append(table)
                reading = _Reading(plan, table)
                width, main, main_at, others, dates, distinct, vendor, org, ref = reading.hot()
                continue
        sheet.data_rows += 1
        for column, index in others:
            column.observe(cells[index])
        for column, index in dates:
            column.observe(cells[index])
        for values, index in distinct:
            values.add(cells[index])
        if vendor is not None:
            vendors.add(
                (
                    cells[vendor],
                    cells[org] if org is not None else None,
                    cells[ref] if ref is not None else None,
                )
            )


def _set_aside(plan: Plan, sheet: SheetPlan, reading: _Reading, kind: str, number: int, cells):
    """Note a row that is not data: blank, a totals row (its amount kept to check the sum
    against), or a note."""
    if kind == "blank":
        sheet.blank.append(number)
    elif kind == "totals":
        sheet.totals.append(number)
        if reading.main_amount is not None and len(plan.sheets) == 1:
            # The total of the amount the rows are summed by, not of whichever amount
            # column comes first (Leeds puts its VAT column before the amount).
            plan.stated_total = (number, cells[reading.main_amount])
    else:
        sheet.notes.append(number)


def _header(cell) -> str:
    return cell.strip() if isinstance(cell, str) else ("" if cell is None else str(cell))


def _filled(cell) -> bool:
    return cell is not None and cell != "" and not (isinstance(cell, str) and not cell.strip())


def _classify(cells: list, reading: _Reading) -> str:
    """ "blank" for rows with nothing but separators or spaces; "totals" for a totals row
    (its first cell or an identifying cell starts with Summa, Totalt, Total…, or it has an
    amount and nothing identifying it); "note" for a row with neither a name, an amount nor
    a date (a stray mark below the table); else "data"."""
    first = None
    for cell in cells:
        if cell is not None and cell != "" and (type(cell) is not str or not cell.isspace()):
            first = cell
            break
    if first is None:
        return "blank"
    # The cheap tests inline (this runs for every row): only a text starting as a totals
    # label can say "total".
    if type(first) is str and first[:1] in _TOTAL_INITIALS and _says_total(first):
        return "totals"
    named = False
    for index in reading.identity:
        cell = cells[index]
        if type(cell) is str:
            if cell is not first and cell[:1] in _TOTAL_INITIALS and _says_total(cell):
                return "totals"
            named = named or not (cell == "" or cell.isspace())
        elif cell is not None:
            named = True
    if reading.identity and not named:
        amounts = any(_filled(cells[index]) for _column, index in reading.amounts)
        if amounts and reading.amounts:
            if sum(1 for c in cells if _filled(c)) <= 2:
                return "totals"
        elif not any(_filled(cells[index]) for _column, index in reading.dates):
            return "note"
    return "data"


def _says_total(cell) -> bool:
    return (
        type(cell) is str
        and cell[:1] in _TOTAL_INITIALS
        and len(cell) < 40
        and cell.lstrip()[:3].lower() in _TOTAL_PREFIXES
        and TOTAL_LABEL.match(header_map.fold(cell)) is not None
    )
