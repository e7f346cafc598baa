"""The first pass over a file: find its tables (every sheet in the same layout, every header
repeated inside a sheet), choose the profile or the columns, settle the currency and the
period, and read every row once (``scan``) to learn each column's notation and set aside what
is not data. What it learns is a :class:`~app.importing.plan.Plan`."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from app.importing.cells import AmountColumn
from app.importing.currency import choose_currency
from app.importing.dates import DateColumn
from app.importing.dates import month_day
from app.importing.errors import ImportFileError
from app.importing.layout import CONTENT_ROWS
from app.importing.layout import HEADER_SEARCH_ROWS
from app.importing.layout import SheetLayout
from app.importing.layout import blank
from app.importing.layout import read_layout
from app.importing.plan import AMOUNT_FIELDS
from app.importing.plan import DATE_FIELDS
from app.importing.plan import Imported
from app.importing.plan import Options
from app.importing.plan import Plan
from app.importing.plan import SheetPlan
from app.importing.plan import Table
from app.importing.profiles import Profile
from app.importing.profiles import all_profiles
from app.importing.profiles import profile_named
from app.importing.refusal import refusal
from app.importing.scan import scan_sheet
from app.importing.sources import Source
from app.importing.sources import open_source
from app.importing.sources import read_sample
from app.money import N_


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
    source = open_source(path, filename, options.sheet, options.max_sheet_bytes)
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
        raise refusal(source.filename, primary)
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
    for layout in group:
        # Read now (and kept): a workbook whose XML turns out unreadable is refused before
        # anything is written, not halfway through the second pass.
        source.formula_rows_of(layout.sheet)
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
