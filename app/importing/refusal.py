"""Refusing a file whose columns cannot be told, with everything needed to choose them:
every column with its letter, its header and two values, what was read from each and how, the
fields missing or ambiguous, and the column to choose for each."""

from __future__ import annotations

from app.importing import headers as header_map
from app.importing.errors import ImportFileError
from app.importing.layout import SheetLayout
from app.money import N_

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


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def refusal(filename: str, layout: SheetLayout) -> MissingColumnsError:
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
        file=filename,
        row=layout.header_row,
        missing=described,
        found=_listed([h for h in headers if h.strip()]),
    )


#: How many of a header's names a refusal's message lists (the preview shows them all).
LISTED_HEADERS = 40


def _listed(names: list[str]) -> str:
    """The header's names for a message: the first :data:`LISTED_HEADERS`, then "…"."""
    if not names:
        return "—"
    shown = ", ".join(names[:LISTED_HEADERS])
    return f"{shown}, …" if len(names) > LISTED_HEADERS else shown
