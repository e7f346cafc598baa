"""Cell values as exports write them: text that can never turn into a spreadsheet formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from collections.abc import Iterator

#: A cell starting with one of these is read as a formula by Excel or LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str) -> str:
    """``value`` made inert for a CSV cell: text that a spreadsheet would take for a formula
    gets a leading apostrophe (``=HYPERLINK(…)`` → ``'=HYPERLINK(…)``)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_lines(
    header: Iterable[str], rows: Iterable[Iterable[object]], *, delimiter: str = ","
) -> Iterator[str]:
    """CSV text, a line at a time (for streaming responses): ``None`` as empty, text made
    inert, numbers as they come. RFC 4180 quoting, CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")

    def line(values: Iterable[object]) -> str:
        writer.writerow(
            "" if v is None else csv_text(v) if isinstance(v, str) else v for v in values
        )
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield line(header)
    for row in rows:
        yield line(row)
