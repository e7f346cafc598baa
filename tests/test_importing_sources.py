"""The CSV reader over arbitrary bytes: every file is read into rows or refused with the
importer's own error (what is wrong, in which file), never with another exception."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import example
from hypothesis import given
from hypothesis import strategies as st

from app.importing.errors import ImportFileError
from app.importing.sources import open_source
from app.importing.sources import read_sample

HEADER = "Leverantör;Fakturanummer;Fakturadatum;Belopp\n".encode()

#: Bytes that make text files hard: quotes, separators, line ends, NUL, a BOM, invalid UTF-8.
NASTY = st.sampled_from([b'"', b";", b",", b"\t", b"\r", b"\n", b"\x00", b"\xef\xbb\xbf", b"\xff",
                         b"\xc3", "å".encode(), "å".encode("latin-1"), b"\\"])  # fmt: skip
CONTENT = st.lists(st.one_of(st.binary(max_size=40), NASTY), max_size=40).map(b"".join)


def _read(data: bytes, suffix: str = ".csv") -> list:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fil{suffix}"
        path.write_bytes(data)
        try:
            source = open_source(path)
            return read_sample(source, 5) + list(source.rows())
        except ImportFileError as error:
            assert error.message and isinstance(error.params, dict)
            return []


@given(st.booleans(), CONTENT)
@example(False, b"\xef\xbb\xbf\x80")  # a UTF-8 byte-order mark, then no UTF-8
@example(False, b"\xff\xfeA")  # a UTF-16 one, then an odd byte
@example(True, b'"' + b"x" * 200_000)  # a quote never closed, a cell past the limit
def test_any_bytes_are_rows_or_the_importers_own_error(with_header, content):
    rows = _read((HEADER if with_header else b"") + content)
    for number, cells in rows:
        assert isinstance(number, int) and all(isinstance(cell, str) for cell in cells)


@given(CONTENT)
def test_any_bytes_as_a_txt_file_too(content):
    _read(content, ".txt")
