"""The first pass over a file: find the table, choose the profile or the synonym map, learn
each column's notation, and set aside what is not data (blank rows, bare separators, totals).

Nothing is parsed for keeps here; the second pass (``records``) does that. The first pass
keeps only what decides how to read (shapes of amounts, distinct dates, distinct vendors), so
a million rows cost little memory.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from app.importing import headers as header_map
from app.importing.cells import AmountColumn
from app.importing.cells import DateColumn
from app.importing.cells import month_day
from app.importing.cells import text
from app.importing.errors import ImportFileError
from app.importing.errors import Issue
from app.importing.profiles import Profile
from app.importing.profiles import best_profile
from app.importing.profiles import profile_named
from app.importing.profiles import shipped_profiles
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
#: A cell saying only this (folded; a year or a number may follow) marks a totals row.
TOTAL_LABEL = re.compile(
    r"^(summa|summa totalt|totalt?|totals|total summa|totalsumma|grand total|sum|slutsumma)"
    r"( [0-9 ]*)?$"
)
#: How many rows to look at for the header.
HEADER_SEARCH_ROWS = 30


#: What a file without the columns a kind needs is told, by kind.
_MISSING_COLUMNS = {
    "invoices": N_(
        "%(file)s lacks columns that invoices need: %(missing)s. "
        "Its header (row %(row)s) has: %(found)s."
    ),
    "contracts": N_(
        "%(file)s lacks columns that contracts need: %(missing)s. "
        "Its header (row %(row)s) has: %(found)s."
    ),
    "engagements": N_(
        "%(file)s lacks columns that fee income needs: %(missing)s. "
        "Its header (row %(row)s) has: %(found)s."
    ),
}


class MissingColumnsError(ImportFileError):
    """The file is readable but lacks columns the kind of record needs: its rows are
    rejected (exit 1), not unreadable (exit 2).

    Attributes:
        layout: what a user needs to say which columns to read instead: ``kind``,
            ``header_row``, ``headers`` (the header's texts), ``missing`` (field names) and
            ``mapping`` (field → header text, as far as it was found).
    """

    def __init__(self, message: str, layout: dict, **params) -> None:
        super().__init__(message, **params)
        self.layout = layout


@dataclass
class Options:
    """What the user chose: ``None`` or "auto" lets Insyn decide."""

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


@dataclass
class LeftOut:
    """Rows that are not data, by reason: their row numbers."""

    blank: list[int] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.blank) + len(self.totals)


@dataclass
class Plan:
    """How to read a file, learned in the first pass."""

    source: Source
    kind: str
    profile: Profile | None
    header_row: int
    headers: list[str]
    columns: dict[str, int]
    amounts: dict[str, AmountColumn]
    dates: dict[str, DateColumn]
    period: dt.date | None
    currency: str
    options: Options
    left_out: LeftOut = field(default_factory=LeftOut)
    data_rows: int = 0
    issues: list[Issue] = field(default_factory=list)
    #: Distinct raw values of text fields worth resolving once (vendors, categories…).
    distinct: dict[str, set] = field(default_factory=dict)
    #: The amount a totals row states, with its row, to check against the sum.
    stated_total: tuple[int, object] | None = None

    @property
    def mapping_label(self) -> str:
        return self.profile.name if self.profile else "auto"

    def column_name(self, field_name: str) -> str:
        """The header of the column a field is read from, as the file writes it."""
        index = self.columns.get(field_name)
        return (
            self.headers[index] if index is not None and index < len(self.headers) else field_name
        )


def make_plan(path: str | Path, filename: str | None, options: Options) -> Plan:
    """Open the file and learn how to read it (the first pass).

    Raises:
        ImportFileError: unreadable file; no header; a required column missing (the message
            names the columns the kind needs).
    """
    source = open_source(path, filename, options.sheet)
    sample = read_sample(source, HEADER_SEARCH_ROWS)
    if not any(any(_filled(c) for c in cells) for _, cells in sample):
        raise ImportFileError(N_("%(file)s has no data."), file=source.filename)
    profiles = shipped_profiles()
    kind, profile, header_row, header_cells = _choose_layout(source, sample, options, profiles)
    header_texts = [text(c) or "" for c in header_cells]
    # A profile is the whole truth about its source; without one, the synonyms decide.
    columns = (
        profile.locate(header_texts) if profile else header_map.match_columns(kind, header_texts)
    )
    if options.columns:
        columns = _chosen_columns(columns, options.columns, kind, header_texts, source, header_row)
    missing = [f for f in header_map.required_fields(kind) if f not in columns]
    if missing:
        raise MissingColumnsError(
            _MISSING_COLUMNS[kind],
            layout={
                "kind": kind,
                "header_row": header_row,
                "headers": [h for h in header_texts if h],
                "missing": missing,
                "mapping": {f: header_texts[i] for f, i in columns.items()},
            },
            file=source.filename,
            row=header_row,
            missing="; ".join(header_map.describe(kind, f) for f in missing),
            found=", ".join(h for h in header_texts if h) or "—",
        )
    period = _period(source, profile, options, columns, kind)
    currency = (options.currency or (profile.currency if profile else None) or "SEK").upper()
    date_format = profile.date_format if profile else "auto"
    month = profile.month_day if profile else "last"
    plan = Plan(
        source=source,
        kind=kind,
        profile=profile,
        header_row=header_row,
        headers=header_texts,
        columns=columns,
        amounts={
            f: AmountColumn(header_texts[i], profile.decimal if profile else "auto")
            for f, i in columns.items()
            if f in AMOUNT_FIELDS
        },
        dates={
            f: DateColumn(header_texts[i], date_format, month)
            for f, i in columns.items()
            if f in DATE_FIELDS
        },
        period=period,
        currency=currency,
        options=options,
    )
    if (
        profile is None
        and kind in ("invoices",)
        and "invoiced_on" not in columns
        and "paid_on" not in columns
        and period is None
    ):
        raise ImportFileError(
            N_(
                "%(file)s has no date column. Give the month it covers as the period "
                "(YYYY-MM; --period on the command line)."
            ),
            file=source.filename,
        )
    _first_pass(plan)
    return plan


def _chosen_columns(
    found: dict[str, int],
    chosen: dict[str, str],
    kind: str,
    header_texts: list[str],
    source: Source,
    header_row: int,
) -> dict[str, int]:
    """The columns found, with the user's choices applied: a chosen column serves only the
    field it was chosen for, and an empty choice leaves the field unread.

    Raises:
        ImportFileError: a field the kind does not have, or a header the file does not have.
    """
    known = header_map.field_names(kind)
    folded = [header_map.fold(h) for h in header_texts]
    columns = dict(found)
    for name, header in chosen.items():
        if name not in known:
            raise ImportFileError(
                N_("%(field)s is not a field of this kind of record; the fields are: %(fields)s."),
                field=name,
                fields=", ".join(sorted(known)),
            )
        columns.pop(name, None)
        if not (header or "").strip():
            continue
        wanted = header_map.fold(header)
        if wanted not in folded:
            raise ImportFileError(
                N_("%(file)s has no column %(column)s in its header (row %(row)s): %(found)s."),
                file=source.filename,
                column=header,
                row=header_row,
                found=", ".join(h for h in header_texts if h) or "—",
            )
        index = folded.index(wanted)
        columns = {f: i for f, i in columns.items() if i != index}
        columns[name] = index
    return columns


def _filled(cell) -> bool:
    return cell is not None and cell != "" and not (isinstance(cell, str) and not cell.strip())


def _choose_layout(source: Source, sample, options: Options, profiles: list[Profile]):
    """The kind, the profile (``None`` for the synonym map) and the header row."""
    if options.profile and options.profile != "auto":
        profile = profile_named(options.profile)
        for number, cells in sample:
            if profile.applies_to([text(c) or "" for c in cells]):
                return profile.kind, profile, number, cells
        raise ImportFileError(
            N_("%(file)s does not have the columns of profile %(profile)s: %(columns)s."),
            file=source.filename,
            profile=profile.name,
            columns=", ".join(profile.headers),
        )
    for number, cells in sample:
        profile = best_profile([text(c) or "" for c in cells], options.kind, profiles)
        if profile is not None:
            return profile.kind, profile, number, cells
    kinds = [options.kind] if options.kind else list(header_map.KINDS)
    best = None
    for kind in kinds:
        found = header_map.find_header(kind, sample)
        if found is None:
            continue
        number, cells = found
        mapped = header_map.match_columns(kind, [text(c) or "" for c in cells])
        complete = all(f in mapped for f in header_map.required_fields(kind))
        score = (complete, len(mapped))
        if best is None or score > best[0]:
            best = (score, kind, number, cells)
    if best is None:
        # Nothing names the fields: the first row of text is the header, and the check for
        # required columns says what is missing.
        for number, cells in sample:
            if sum(1 for c in cells if isinstance(c, str) and c.strip()) >= 2:
                return options.kind or "invoices", None, number, cells
        raise ImportFileError(
            N_("No header row found in the first %(rows)s rows of %(file)s."),
            rows=HEADER_SEARCH_ROWS,
            file=source.filename,
        )
    _score, kind, number, cells = best
    return kind, None, number, cells


_PERIOD_IN_NAME = re.compile(r"(?<!\d)(\d{4})[-_.]?(0[1-9]|1[0-2])(?!\d)")


def _period(
    source: Source, profile: Profile | None, options: Options, columns, kind: str
) -> dt.date | None:
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


def _first_pass(plan: Plan) -> None:
    """Read every row once: set aside what is not data, and let each column observe its
    cells."""
    columns = plan.columns
    identity = [
        columns[f]
        for f in ("vendor_name", "organiser_name", "invoice_number", "reference")
        if f in columns
    ]
    amount_cols = [(plan.amounts[f], columns[f]) for f in plan.amounts]
    date_cols = [(plan.dates[f], columns[f]) for f in plan.dates]
    distinct_fields = [
        f
        for f in (
            "vendor_name",
            "vendor_org_number",
            "category",
            "category_code",
            "department",
            "contract_reference",
            "organiser_name",
            "currency",
        )
        if f in columns
    ]
    plan.distinct = {f: set() for f in distinct_fields}
    distinct_cols = [(plan.distinct[f], columns[f]) for f in distinct_fields]
    width = len(plan.headers)
    vendor_index = columns.get("vendor_name")
    org_index = columns.get("vendor_org_number")
    ref_index = columns.get("vendor_ref")
    vendors = plan.distinct.setdefault("vendor", set())
    for number, cells in plan.source.rows():
        if number <= plan.header_row:
            continue
        if len(cells) < width:
            cells = list(cells) + [""] * (width - len(cells))
        kind = _classify(cells, identity, amount_cols)
        if kind == "blank":
            plan.left_out.blank.append(number)
            continue
        if kind == "totals":
            plan.left_out.totals.append(number)
            if amount_cols:
                # The total of the amount the rows are summed by, not of whichever amount
                # column comes first (Leeds puts its VAT column before the amount).
                main = columns.get("net_amount", columns.get("value", amount_cols[0][1]))
                plan.stated_total = (number, cells[main])
            continue
        plan.data_rows += 1
        for column, index in amount_cols:
            column.observe(cells[index])
        for column, index in date_cols:
            column.observe(cells[index])
        for values, index in distinct_cols:
            values.add(cells[index])
        if vendor_index is not None:
            vendors.add(
                (
                    cells[vendor_index],
                    cells[org_index] if org_index is not None else None,
                    cells[ref_index] if ref_index is not None else None,
                )
            )
    if plan.data_rows == 0:
        raise ImportFileError(
            N_("%(file)s has a header (row %(row)s) but no rows of data below it."),
            file=plan.source.filename,
            row=plan.header_row,
        )
    for column in [*plan.amounts.values(), *plan.dates.values()]:
        issue = column.decide()
        if issue is not None:
            plan.issues.append(issue)


def _classify(cells: list, identity: list[int], amount_cols) -> str:
    """ "blank" for rows with nothing but separators or spaces, "totals" for a totals row
    (its first cell or an identifying cell starts with Summa, Totalt, Total…, or it has an
    amount and nothing identifying it), else "data"."""
    first = None
    for cell in cells:
        if cell is not None and cell != "" and (type(cell) is not str or not cell.isspace()):
            first = cell
            break
    if first is None:
        return "blank"
    if _says_total(first):
        return "totals"
    named = False
    for index in identity:
        cell = cells[index]
        if cell is not first and _says_total(cell):
            return "totals"
        named = named or _filled(cell)
    if identity and amount_cols and not named:
        filled = sum(1 for c in cells if _filled(c))
        if filled <= 2 and any(_filled(cells[index]) for _column, index in amount_cols):
            return "totals"
    return "data"


#: How every totals label begins: a cheap test before folding, as this runs for every row.
_TOTAL_PREFIXES = frozenset({"sum", "tot", "gra", "slu"})


def _says_total(cell) -> bool:
    return (
        type(cell) is str
        and len(cell) < 40
        and cell.lstrip()[:3].lower() in _TOTAL_PREFIXES
        and TOTAL_LABEL.match(header_map.fold(cell)) is not None
    )
