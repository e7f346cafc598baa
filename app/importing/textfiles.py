"""Reading text files (CSV, TXT, TSV): their encoding and delimiter detected, and their rows
streamed in bounded pieces."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path

from app.importing import bounds
from app.importing.errors import ImportFileError
from app.money import N_

#: The longest row of a text file, in characters: read in bounded pieces, so that a file of
#: one endless line is refused before it fills the memory.
MAX_ROW_CHARS = 1 << 20
#: Delimiters tried for text files, in order of preference on a tie.
DELIMITERS = (";", ",", "\t", "|")


def has_nul(path: Path) -> bool:
    """Whether a NUL byte occurs anywhere: text files never hold one (and PostgreSQL refuses
    it in text), binaries always do. A scan at memory speed."""
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 22):
            if b"\x00" in chunk:
                return True
    return False


def detect_encoding(path: Path) -> str:
    """The encoding of a text file: a BOM decides; else UTF-8 if the whole file decodes as
    UTF-8; else Windows-1252, or Latin-1 when bytes undefined in Windows-1252 occur."""
    with path.open("rb") as handle:
        head = handle.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            pass
        handle.seek(0)
        undefined = {0x81, 0x8D, 0x8F, 0x90, 0x9D}
        while chunk := handle.read(1 << 20):
            if undefined.intersection(chunk):
                return "latin-1"
    return "cp1252"


def detect_delimiter(sample: str) -> str:
    """The delimiter that splits the first lines of ``sample`` most consistently (quoted
    fields counted as one), preferring ``;`` then ``,`` then tab then ``|`` on a tie."""
    lines = [line for line in sample.splitlines()[:50] if line.strip()]
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample may end mid-line
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        counts = []
        for row in csv.reader(lines, delimiter=delimiter):
            counts.append(len(row) - 1)
        if not counts or max(counts) == 0:
            continue
        common = max(set(counts), key=counts.count)
        if common == 0:
            continue
        score = (counts.count(common), common)
        if score > best_score:
            best, best_score = delimiter, score
    return best


#: The longest field the csv module reads, in characters (its usual limit); a longer cell
#: makes the row unreadable, a shorter one longer than ``bounds.MAX_CELL`` is refused as a
#: cell. Set on every read: the limit is process-wide, and other libraries change it.
MAX_FIELD = 128 * 1024


class _RowTooLong(Exception):
    """A text file's row ran past :data:`MAX_ROW_CHARS` (raised while reading it)."""


class _Lines:
    """A text file's lines for the csv reader, each read in pieces of at most
    :data:`MAX_ROW_CHARS` characters; counts the characters of the row being read (a quoted
    cell can carry a row over several lines) and stops at :data:`MAX_ROW_CHARS`."""

    def __init__(self, handle) -> None:
        self.readline = handle.readline
        #: Characters read since the last row ended (the reader of the rows resets it).
        self.pending = 0

    def __iter__(self) -> Iterator[str]:
        readline, limit = self.readline, MAX_ROW_CHARS
        while line := readline(limit):
            self.pending += len(line)
            # A piece cut from a longer line must not reach the reader: it would end a row.
            if self.pending > limit or (len(line) == limit and line[-1] not in "\r\n"):
                raise _RowTooLong
            yield line


def csv_rows(
    path: Path, encoding: str, delimiter: str, filename: str
) -> Iterator[tuple[int, list]]:
    """Each row of a text file as ``(row number, [cells])``, streamed: a row is read in
    pieces and refused once past :data:`MAX_ROW_CHARS` characters (or
    ``bounds.MAX_COLUMNS`` columns), so that memory never holds more than one such row.

    Raises:
        ImportFileError: a row too long or too wide, a cell past :data:`MAX_FIELD`, a quote
            not closed, mixed encodings, or the file cannot be opened.
    """
    csv.field_size_limit(MAX_FIELD)
    try:
        handle = path.open("r", encoding=encoding, newline="")
    except OSError:
        raise ImportFileError(N_("The file %(file)s cannot be opened."), file=filename) from None
    with handle:
        lines = _Lines(handle)
        reader = csv.reader(lines, delimiter=delimiter)
        number = 0
        try:
            for number, cells in enumerate(reader, start=1):  # noqa: B007 - number is reported
                lines.pending = 0
                if len(cells) > bounds.MAX_COLUMNS:
                    cells = bounds.check_width(cells, number, filename)  # noqa: PLW2901
                yield number, cells
        except _RowTooLong:
            raise ImportFileError(
                N_(
                    "Row %(row)s of %(file)s is longer than %(limit)s characters, far more "
                    "than a ledger's row holds. Check that the file is the ledger saved as "
                    "CSV, one record a line."
                ),
                row=number + 1,
                file=filename,
                limit=MAX_ROW_CHARS,
            ) from None
        except csv.Error:
            raise ImportFileError(
                N_(
                    "Row %(row)s of %(file)s cannot be read: a cell is too large or a quote is "
                    "not closed."
                ),
                row=number + 1,
                file=filename,
            ) from None
        except UnicodeDecodeError:
            raise ImportFileError(
                N_("%(file)s mixes text encodings and cannot be read."), file=filename
            ) from None
