"""What any row of a file may hold, whatever its format: a cell's text, and its columns. A
file beyond them is refused naming the row, before the preview makes a page of it."""

from __future__ import annotations

from app.importing.errors import ImportFileError
from app.money import N_

#: Longest text a cell may hold (Excel's own limit is 32,767 characters).
MAX_CELL = 32_767
#: The most columns a row may have cells in. Ledgers have a few dozen; a row with thousands
#: is a file read with the wrong delimiter, or not a table, and every column would cost the
#: preview a column to choose from.
MAX_COLUMNS = 1_000


def check_width(cells: list, row: int, filename: str, sheet: str | None = None) -> list:
    """``cells`` without the empty cells that end it, when it has more than
    :data:`MAX_COLUMNS` (a spreadsheet's stray cell far to the right widens every row).

    Raises:
        ImportFileError: cells beyond the first :data:`MAX_COLUMNS` columns hold something.
    """
    end = len(cells)
    while end > MAX_COLUMNS and cells[end - 1] in ("", None):
        end -= 1
    if end <= MAX_COLUMNS:
        return cells[:end]
    if sheet is None:
        raise ImportFileError(
            N_(
                "Row %(row)s of %(file)s has %(count)s columns; Insyn reads at most %(limit)s. "
                "Check that the file is the ledger saved as CSV, with its columns separated "
                "by one delimiter."
            ),
            row=row,
            file=filename,
            count=end,
            limit=MAX_COLUMNS,
        )
    raise ImportFileError(
        N_(
            "Row %(row)s of sheet “%(sheet)s” in %(file)s has cells in %(count)s columns; "
            "Insyn reads at most %(limit)s. Delete what lies to the right of the table, or "
            "choose another sheet."
        ),
        row=row,
        sheet=sheet,
        file=filename,
        count=end,
        limit=MAX_COLUMNS,
    )
