"""A sheet's layout: which row is the header, what kind of records the rows are, and which
column holds each field, by the profile that knows the layout, by the columns' names, and,
where names do not decide it, by what the cells hold.

Nothing is guessed: a field with several equally plausible columns is *ambiguous* and the
import is refused, naming the candidates with examples; a field no column can hold is
*missing*. :class:`SheetLayout` says all of it for one sheet (or text file).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from app.importing import headers as header_map
from app.importing.cells import text
from app.importing.errors import ImportFileError
from app.importing.profiles import Profile
from app.importing.profiles import best_profile
from app.importing.sniff import ColumnContent
from app.importing.sniff import columns_content
from app.importing.sniff import filled
from app.money import N_

#: How many rows to look at for the header.
HEADER_SEARCH_ROWS = 30
#: How many rows below it to read the columns' content from.
CONTENT_ROWS = 200
#: How far ahead a column's score must be to be chosen over the next one.
CLEAR_LEAD = 0.5

#: A field holding names, whose column the content can tell (repeating names of parties).
_NAME_FIELDS = {"vendor_name", "organiser_name"}


@dataclass
class SheetLayout:
    """How one sheet (or a text file) is laid out.

    Attributes:
        sheet: the sheet's name (``None`` for a text file).
        kind: "invoices", "contracts" or "engagements".
        profile: the profile that knows the layout, or ``None``.
        header_row: the header's row number as the spreadsheet shows it.
        headers: the header's texts.
        columns: field → column position.
        found_by: field → "profile", "name", "content" or "chosen".
        missing: fields needed that no column holds.
        ambiguous: field → the positions of the columns that could each hold it.
        suggested: field → the position to suggest for a missing or ambiguous field.
        contents: each column's content in the sample.
        titles: the text in the rows above the header.
        dates_found: whether any column holds dates (else only ``--period`` can date rows).
    """

    sheet: str | None
    kind: str
    profile: Profile | None
    header_row: int
    headers: list[str]
    columns: dict[str, int]
    found_by: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    ambiguous: dict[str, list[int]] = field(default_factory=dict)
    suggested: dict[str, int] = field(default_factory=dict)
    contents: list[ColumnContent] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    dates_found: bool = False

    @property
    def complete(self) -> bool:
        return not self.missing and not self.ambiguous

    @property
    def signature(self) -> tuple:
        """What two sheets in the same layout share: the kind, the profile and the needed
        fields they have columns for (each sheet is read by its own header: the columns'
        names, order and any extra columns may differ)."""
        essential = set(header_map.required_fields(self.kind))
        essential.update(header_map.DATE_GROUP.get(self.kind, ()))
        return (
            self.kind,
            self.profile.name if self.profile else None,
            tuple(sorted(f for f in self.columns if f in essential)),
        )

    def header_of(self, field_name: str) -> str:
        return self.headers[self.columns[field_name]]


def read_layout(
    sheet: str | None,
    sample: list[tuple[int, list]],
    profiles: list[Profile],
    *,
    kind: str | None = None,
    profile: Profile | None = None,
    chosen: dict[str, str] | None = None,
    period_known: bool = False,
    filename: str = "",
) -> SheetLayout | None:
    """The layout of a sheet from its first rows, or ``None`` when it holds nothing that
    could be a table (no row with two texts).

    Args:
        sample: the sheet's first rows, ``(row number, cells)``.
        profiles: the profiles to recognise a layout by.
        kind: the kind the user chose, if any.
        profile: the profile the user chose, if any (it must apply).
        chosen: field → header, the columns the user chose (an empty header: unread).
        period_known: the rows' date is known without a column (``--period``, a profile
            reading it from the file name), so a date column is not needed.

    Raises:
        ImportFileError: the chosen profile does not apply; a chosen field or header does not
            exist.
    """
    head = sample[:HEADER_SEARCH_ROWS]
    found = _find_layout(head, profiles, kind, profile, filename)
    if found is None:
        return None
    kind, profile, header_row, header_cells = found
    headers = [text(c) or "" for c in header_cells]
    rows = [cells for number, cells in sample if number > header_row][:CONTENT_ROWS]
    contents = columns_content(rows, len(headers))
    layout = SheetLayout(
        sheet=sheet,
        kind=kind,
        profile=profile,
        header_row=header_row,
        headers=headers,
        columns={},
        contents=contents,
        titles=[t for number, cells in head if number < header_row for t in map(text, cells) if t],
        dates_found=any(c.is_date for c in contents),
    )
    if profile is not None:
        layout.columns = profile.locate(headers)
        layout.found_by = dict.fromkeys(layout.columns, "profile")
    else:
        _by_name(layout)
    if chosen:
        _apply_chosen(layout, chosen, filename)
    period_known = period_known or bool(profile and profile.period_from)
    _by_content(layout, period_known)
    return layout


def _find_layout(head, profiles, kind, profile, filename):
    """(kind, profile, header row, header cells) for the first rows of a sheet."""
    if profile is not None:
        for number, cells in head:
            if profile.applies_to([text(c) or "" for c in cells]):
                return profile.kind, profile, number, cells
        raise ImportFileError(
            N_("%(file)s does not have the columns of profile %(profile)s: %(columns)s."),
            file=filename,
            profile=profile.name,
            columns=", ".join(profile.headers),
        )
    for number, cells in head:
        found = best_profile([text(c) or "" for c in cells], kind, profiles)
        if found is not None:
            return found.kind, found, number, cells
    kinds = [kind] if kind else list(header_map.KINDS)
    best = None
    for candidate in kinds:
        header = header_map.find_header(candidate, head)
        if header is None:
            continue
        number, cells = header
        mapped = header_map.match_columns(candidate, [text(c) or "" for c in cells])
        complete = all(f in mapped for f in header_map.required_fields(candidate))
        score = (complete, len(mapped))
        if best is None or score > best[0]:
            best = (score, candidate, number, cells)
    if best is not None:
        _score, found_kind, number, cells = best
        return found_kind, None, number, cells
    # Nothing names the fields: the first row of two texts or more is the header, and the
    # columns are told by their content.
    for number, cells in head:
        if sum(1 for c in cells if isinstance(c, str) and c.strip()) >= 2:
            return kind or "invoices", None, number, cells
    return None


def _by_name(layout: SheetLayout) -> None:
    """Columns by name: exact names, then a field's candidates that fit its content."""
    # A field of names or text cannot be a column of numbers or dates (account numbers
    # under "Account" are no category when "Account Name" is there). A description can: what
    # a column headed so holds is read as it is written, numbers included.
    unfit = {
        spec.name: {i for i, c in enumerate(layout.contents) if not c.kind_fits("text")}
        for spec in header_map.FIELDS[layout.kind]
        if spec.content == "text" and spec.name != "description"
    }
    match = header_map.match_names(layout.kind, layout.headers, unfit)
    layout.columns = dict(match.columns)
    taken = set(layout.columns.values())
    if "category" in header_map.field_names(layout.kind) and "category_code" not in layout.columns:
        # A category named only by numbers is its code (the resolver names it so).
        plain = header_map.match_names(layout.kind, layout.headers).columns.get("category")
        if plain is not None and plain not in taken and plain in unfit["category"]:
            layout.columns["category_code"] = plain
            taken.add(plain)
    layout.found_by = dict.fromkeys(layout.columns, "name")
    date_group = header_map.DATE_GROUP.get(layout.kind, ())
    for spec in header_map.FIELDS[layout.kind]:
        positions = [
            i
            for i in match.candidates.get(spec.name, [])
            if i not in taken and layout.contents[i].kind_fits(spec.content)
        ]
        if not positions:
            continue
        dating = spec.name in date_group and not any(f in layout.columns for f in date_group)
        if len(positions) > 1 and spec.name in date_group and not dating:
            continue  # another date names the rows' date; which of these is meant is unknown
        if len(positions) > 1 and (spec.required or dating):
            winner = _clear_winner(spec.content, positions, layout.contents, layout)
            if winner is None:
                layout.ambiguous[spec.name] = positions
                layout.suggested[spec.name] = _ranked(spec.content, positions, layout.contents)[0]
                continue
            positions = [winner]
        layout.columns[spec.name] = positions[0]
        layout.found_by[spec.name] = "name"
        taken.add(positions[0])


def _apply_chosen(layout: SheetLayout, chosen: dict[str, str], filename: str) -> None:
    """The user's choices win: a chosen column serves only the field it was chosen for, and
    an empty choice leaves the field unread.

    Raises:
        ImportFileError: a field the kind does not have, or a header the sheet does not have.
    """
    known = header_map.field_names(layout.kind)
    keys = [header_map.header_key(h) for h in layout.headers]
    for name, header in chosen.items():
        if name not in known:
            raise ImportFileError(
                N_("%(field)s is not a field of this kind of record; the fields are: %(fields)s."),
                field=name,
                fields=", ".join(sorted(known)),
            )
        layout.columns.pop(name, None)
        layout.ambiguous.pop(name, None)
        layout.suggested.pop(name, None)
        layout.found_by[name] = "chosen"
        if not (header or "").strip():
            continue
        wanted = header_map.header_key(header)
        exact = [i for i, h in enumerate(layout.headers) if h.strip() == header.strip()]
        positions = exact or [i for i, key in enumerate(keys) if key == wanted]
        if not positions:
            raise ImportFileError(
                N_("%(file)s has no column %(column)s in its header (row %(row)s): %(found)s."),
                file=filename,
                column=header,
                row=layout.header_row,
                found=", ".join(h for h in layout.headers if h) or "—",
            )
        index = positions[0]
        layout.columns = {f: i for f, i in layout.columns.items() if i != index}
        layout.columns[name] = index
    layout.found_by = {f: how for f, how in layout.found_by.items() if f in layout.columns}


def _by_content(layout: SheetLayout, period_known: bool) -> None:
    """The needed fields no name gave, by what the free columns hold; what stays open is
    missing (or ambiguous)."""
    kind = layout.kind
    needed = [f for f in header_map.required_fields(kind) if f not in layout.columns]
    date_group = header_map.DATE_GROUP.get(kind, ())
    dated = any(f in layout.columns or f in layout.ambiguous for f in date_group) or any(
        f in layout.columns for f in header_map.PERIOD_FIELDS.get(kind, ())
    )
    if date_group and not period_known and not dated:
        needed.append(date_group[0])
    taken = set(layout.columns.values())
    for name in needed:
        if name in layout.ambiguous:
            continue
        if layout.found_by.get(name) == "chosen":
            layout.missing.append(name)  # the user said not to read it
            continue
        content = "text" if name in _NAME_FIELDS else header_map.spec_of(kind, name).content
        clean, blocked = _content_candidates(layout, name, content, taken)
        if not clean and blocked:
            start = _period_start(layout, blocked) if content == "date" else None
            if start is None:
                # Only columns whose names say they are something else ("Due date"): ask.
                layout.ambiguous[name] = blocked
                layout.suggested[name] = blocked[0]
                continue
            clean = [start]
        if not clean:
            layout.missing.append(name)
            continue
        winner = (
            clean[0] if len(clean) == 1 else _clear_winner(content, clean, layout.contents, layout)
        )
        if winner is None:
            layout.ambiguous[name] = clean
            layout.suggested[name] = _ranked(content, clean, layout.contents)[0]
            continue
        layout.columns[name] = winner
        layout.found_by[name] = "content"
        taken.add(winner)


def _content_candidates(
    layout: SheetLayout, name: str, content: str, taken: set[int]
) -> tuple[list[int], list[int]]:
    """The free columns whose content fits a field: those whose names say nothing against
    it, and those whose names hold one of the field's blockers."""
    if content == "text" and name not in _NAME_FIELDS:
        return [], []  # a title or a topic cannot be told from its content
    blockers = header_map.blockers_of(layout.kind, name)
    clean, blocked = [], []
    for index, column in enumerate(layout.contents):
        header = layout.headers[index]
        if index in taken or not header.strip() or not _strongly(column, content):
            continue
        words = set(header_map.header_key(header).split())
        (blocked if words & blockers else clean).append(index)
    return clean, blocked


def _strongly(column: ColumnContent, content: str) -> bool:
    """Whether a column holds what a field needs, clearly enough to be chosen by content."""
    if content == "date":
        return column.is_date
    if content == "amount":
        return column.is_money
    if content == "text":
        # Names of parties repeat, or end in a legal form; free text (a description) does not.
        return column.is_text and (column.legal_forms >= 0.2 or column.distinct <= 0.9)
    return False


def _score(column: ColumnContent, content: str) -> float:
    if content == "amount":
        return column.money_score
    if content == "text":
        return column.vendor_score
    return 0.0


def _ranked(content: str, positions: list[int], contents: list[ColumnContent]) -> list[int]:
    """The positions, the most plausible first (the leftmost on a tie)."""
    return sorted(positions, key=lambda i: (-_score(contents[i], content), i))


def _period_start(layout: SheetLayout, positions: list[int]) -> int | None:
    """Of a period's two dates ("Zeitraum Von", "Zeitraum Bis"), the start's position: the
    one column naming a start when every other names an end; else ``None``."""
    starts, ends = [], []
    for index in positions:
        words = set(header_map.header_key(layout.headers[index]).split())
        if words & header_map.START_WORDS:
            starts.append(index)
        elif words & header_map.END_WORDS:
            ends.append(index)
    if len(starts) == 1 and len(starts) + len(ends) == len(positions):
        return starts[0]
    return None


def _clear_winner(
    content: str, positions: list[int], contents: list[ColumnContent], layout=None
) -> int | None:
    """The one position well ahead of the others, or ``None``. Of dates only a period's
    start is chosen (from a pair of start and end); otherwise which date a row has is the
    user's to say."""
    if content == "date" and layout is not None:
        return _period_start(layout, positions)
    if content not in ("amount", "text"):
        return None
    ranked = _ranked(content, positions, contents)
    first, second = (_score(contents[i], content) for i in ranked[:2])
    return ranked[0] if first - second >= CLEAR_LEAD else None


def header_layout(
    layout: SheetLayout, cells: list, profiles: list[Profile]
) -> dict[str, int] | None:
    """The columns of a header row met inside a table (a second table below the first, read
    by its own header), or ``None`` when the row is no header of the layout's kind: it must
    name every needed field, by the profile or the names, or hold the headers the first
    table's columns were chosen by."""
    texts = [c if isinstance(c, str) else "" for c in cells]
    if sum(1 for c in texts if c.strip()) < 2:
        return None
    keys = [header_map.header_key(t) for t in texts]
    if layout.profile is not None and layout.profile.applies_to(texts):
        columns = layout.profile.locate(texts)
    else:
        columns = header_map.match_columns(layout.kind, texts)
    used = set(columns.values())
    # The fields chosen by hand or by content: the same header in the new row.
    for name, how in layout.found_by.items():
        if how in ("chosen", "content") and name in layout.columns:
            wanted = header_map.header_key(layout.header_of(name))
            position = next((i for i, k in enumerate(keys) if k == wanted and i not in used), None)
            if position is not None:
                columns[name] = position
                used.add(position)
    needed = [f for f in header_map.required_fields(layout.kind) if f in layout.columns]
    if not needed or any(f not in columns for f in needed):
        return None
    date_group = header_map.DATE_GROUP.get(layout.kind, ())
    if any(f in layout.columns for f in date_group) and not any(f in columns for f in date_group):
        return None
    return columns


def blank(cells: list) -> bool:
    return not any(filled(c) for c in cells)
