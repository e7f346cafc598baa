"""The first pass over a file: find its tables (every sheet in the same layout, every header
repeated inside a sheet), choose the profile or the columns, learn each column's notation,
settle the currency, and set aside what is not data (blank rows, totals, notes).

Nothing is parsed for keeps here; the second pass (``records``) does that. The first pass
keeps only what decides how to read (shapes of amounts, distinct dates, distinct vendors), so
a million rows cost little memory.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from app.importing import headers as header_map
from app.importing.cells import AmountColumn
from app.importing.cells import DateColumn
from app.importing.cells import month_day
from app.importing.currency import CurrencyChoice
from app.importing.currency import choose_currency
from app.importing.errors import ImportFileError
from app.importing.errors import Issue
from app.importing.layout import CONTENT_ROWS
from app.importing.layout import HEADER_SEARCH_ROWS
from app.importing.layout import SheetLayout
from app.importing.layout import blank
from app.importing.layout import read_layout
from app.importing.profiles import Profile
from app.importing.profiles import all_profiles
from app.importing.profiles import profile_named
from app.importing.sniff import shown
from app.importing.sources import Source
from app.importing.sources import open_source
from app.importing.sources import read_sample
from app.money import N_

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

#: What a file without the columns a kind needs is told, by kind.
_MISSING_COLUMNS = {
    "invoices": N_(
        "%(file)s: Insyn cannot tell which columns hold what invoices need: %(missing)s. "
        "Its header (row %(row)s) has: %(found)s."
    ),
    "contracts": N_(
        "%(file)s: Insyn cannot tell which columns hold what contracts need: %(missing)s. "
        "Its header (row %(row)s) has: %(found)s."
    ),
    "engagements": N_(
        "%(file)s: Insyn cannot tell which columns hold what fee income needs: %(missing)s. "
        "Its header (row %(row)s) has: %(found)s."
    ),
}


class MissingColumnsError(ImportFileError):
    """The file is readable but Insyn cannot tell which of its columns hold fields the kind
    needs (none does, or several could): its rows are refused (exit 1), the file is not
    unreadable (exit 2).

    Attributes:
        layout: what a user needs to say which columns to read: ``kind``, ``sheet``,
            ``header_row``, ``headers`` (the header's texts), ``columns`` (each with its
            letter, header, two samples and the field read from it), ``missing`` (fields no
            column holds), ``ambiguous`` (field → the headers that could each hold it),
            ``suggested`` (field → the header to choose), ``mapping`` (field → header, as far
            as found) and ``dates_found`` (whether any column holds dates).
    """

    def __init__(self, message: str, layout: dict, **params) -> None:
        super().__init__(message, **params)
        self.layout = layout


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
    #: The deployment's currency, for files that name none (``INSYN_DEFAULT_CURRENCY``).
    default_currency: str = "SEK"
    #: The deployment's country, for new suppliers (``INSYN_DEFAULT_COUNTRY``).
    default_country: str = "SE"


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


def make_plan(
    path: str | Path, filename: str | None, options: Options, imported: Imported | None = None
) -> Plan:
    """Open the file and learn how to read it (the first pass). The caller closes
    ``plan.source`` when done.

    Args:
        imported: finds the sheets imported before; they are left out (``other_sheets``),
            and a plan with no sheet left has ``sheets == []``.

    Raises:
        MissingColumnsError: columns a kind needs cannot be told (the rows are refused).
        ImportFileError: unreadable file; no header.
    """
    source = open_source(path, filename, options.sheet)
    try:
        plan = _plan(source, options, imported)
    except BaseException:
        source.close()
        raise
    return plan


def _plan(source: Source, options: Options, imported: Imported | None) -> Plan:
    chosen = (
        profile_named(options.profile) if options.profile and options.profile != "auto" else None
    )
    profiles = all_profiles()
    layouts, others, first_error = [], [], None
    for name in source.candidate_sheets():
        if not source.has_data(name):
            continue
        sample = read_sample(source, HEADER_SEARCH_ROWS + CONTENT_ROWS, name)
        if all(blank(cells) for _, cells in sample):
            continue
        try:
            layout = read_layout(
                name,
                sample,
                profiles,
                kind=options.kind,
                profile=chosen,
                chosen=options.columns,
                period_known=bool(options.period),
                filename=source.filename,
            )
        except ImportFileError as error:
            first_error = first_error or error
            others.append({"sheet": name, "reason": "layout"})
            continue
        if layout is None:
            others.append({"sheet": name, "reason": "no table"})
            continue
        layouts.append(layout)
    if not layouts:
        if first_error is not None:
            raise first_error
        if not others:
            raise ImportFileError(N_("%(file)s has no data."), file=source.filename)
        raise ImportFileError(
            N_("No header row found in the first %(rows)s rows of %(file)s."),
            rows=HEADER_SEARCH_ROWS,
            file=source.filename,
        )
    primary = _primary(layouts)
    if not primary.complete:
        raise _refusal(source, primary)
    group = [layout for layout in layouts if layout.signature == primary.signature]
    for layout in layouts:
        if layout not in group:
            others.append({"sheet": layout.sheet, "reason": "layout"})
            source.release(layout.sheet)
    others = [o for o in others if o["sheet"] is not None]
    for other in others:
        source.release(other["sheet"])
    if imported is not None:
        earlier = imported(primary.kind, [layout.sheet or "" for layout in group])
        for layout in list(group):
            batch = earlier.get(layout.sheet or "")
            if batch is not None:
                group.remove(layout)
                others.append({"sheet": layout.sheet, "reason": "imported", **batch})
                source.release(layout.sheet)
    return _first_pass(source, options, primary, group, others)


def _primary(layouts: list[SheetLayout]) -> SheetLayout:
    """The layout to import: the one most sheets share among the complete ones (the first
    on a tie); else the first sheet's, to say what it lacks."""
    complete = [layout for layout in layouts if layout.complete]
    if not complete:
        return layouts[0]
    counts: dict[tuple, int] = {}
    for layout in complete:
        counts[layout.signature] = counts.get(layout.signature, 0) + 1
    best = max(counts.values())
    return next(layout for layout in complete if counts[layout.signature] == best)


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _refusal(source: Source, layout: SheetLayout) -> MissingColumnsError:
    """Everything a user needs to choose the columns, in one refusal."""
    kind = layout.kind
    headers = layout.headers
    fields_of = {index: name for name, index in layout.columns.items()}
    columns = [
        {
            "letter": _letter(index),
            "header": header,
            "samples": list(layout.contents[index].samples) if index < len(layout.contents) else [],
            "field": fields_of.get(index),
            "by": layout.found_by.get(fields_of.get(index, ""), None),
        }
        for index, header in enumerate(headers)
        if header.strip()
    ]
    needs = [*layout.missing, *layout.ambiguous]
    described = "; ".join(header_map.describe(kind, f) for f in needs)
    return MissingColumnsError(
        _MISSING_COLUMNS[kind],
        layout={
            "kind": kind,
            "sheet": layout.sheet,
            "header_row": layout.header_row,
            "headers": [h for h in headers if h.strip()],
            "columns": columns,
            "missing": layout.missing,
            "ambiguous": {f: [headers[i] for i in p] for f, p in layout.ambiguous.items()},
            "suggested": {f: headers[i] for f, i in layout.suggested.items()},
            "mapping": {f: headers[i] for f, i in layout.columns.items()},
            "dates_found": layout.dates_found,
        },
        file=source.filename,
        row=layout.header_row,
        missing=described,
        found=", ".join(h for h in headers if h.strip()) or "—",
    )


_PERIOD_IN_NAME = re.compile(r"(?<!\d)(\d{4})[-_.]?(0[1-9]|1[0-2])(?!\d)")


def _period(source: Source, profile: Profile | None, options: Options) -> dt.date | None:
    """The date of every row in a file without a date column: ``--period`` or, for profiles
    that say so, the year and month in the file name."""
    which = profile.month_day if profile else "last"
    if options.period:
        match = re.fullmatch(r"(\d{4})-(\d{2})", options.period.strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ImportFileError(N_("Give the period as YYYY-MM, e.g. 2016-03."))
        return month_day(int(match.group(1)), int(match.group(2)), which)
    if profile and profile.period_from == "filename":
        match = _PERIOD_IN_NAME.search(Path(source.filename).stem)
        if not match:
            raise ImportFileError(
                N_(
                    "%(file)s has no date column and no period in its name. Give the month it "
                    "covers as the period (YYYY-MM; --period on the command line)."
                ),
                file=source.filename,
            )
        return month_day(int(match.group(1)), int(match.group(2)), which)
    return None


def _first_pass(
    source: Source, options: Options, primary: SheetLayout, group: list[SheetLayout], others
) -> Plan:
    from app.importing.scan import scan_sheet

    profile = primary.profile
    headers = primary.headers
    date_format = profile.date_format if profile else "auto"
    month = profile.month_day if profile else "last"
    amount_field = "net_amount" if "net_amount" in primary.columns else "value"
    plan = Plan(
        source=source,
        kind=primary.kind,
        profile=profile,
        layout=primary,
        sheets=[
            SheetPlan(
                layout.sheet,
                [Table(layout.sheet, layout.header_row, layout.headers, layout.columns)],
            )
            for layout in group
        ],
        amounts={
            f: AmountColumn(headers[i], profile.decimal if profile else "auto")
            for f, i in primary.columns.items()
            if f in AMOUNT_FIELDS
        },
        dates={
            f: DateColumn(headers[i], date_format, month)
            for f, i in primary.columns.items()
            if f in DATE_FIELDS
        },
        period=_period(source, profile, options),
        currency=choose_currency(
            option=options.currency,
            amount_header=primary.header_of(amount_field)
            if amount_field in primary.columns
            else None,
            titles=primary.titles,
            profile_currency=profile.currency if profile else None,
            default=options.default_currency,
            currency_column=primary.header_of("currency")
            if "currency" in primary.columns
            else None,
        ),
        options=options,
        other_sheets=others,
    )
    for sheet in plan.sheets:
        scan_sheet(plan, sheet)
    plan.data_rows = sum(sheet.data_rows for sheet in plan.sheets)
    if plan.sheets and plan.data_rows == 0:
        raise ImportFileError(
            N_("%(file)s has a header (row %(row)s) but no rows of data below it."),
            file=source.filename,
            row=primary.header_row,
        )
    for column in [*plan.amounts.values(), *plan.dates.values()]:
        issue = column.decide()
        if issue is not None:
            plan.issues.append(issue)
    return plan


def sample_cell(cell) -> str:
    """A cell as a refusal quotes it."""
    return shown(cell)
