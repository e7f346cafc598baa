"""The CSV reader over arbitrary bytes: every file is read into rows or refused with the
importer's own error (what is wrong, in which file), never with another exception; a row
too long or too wide is refused where it is, in bounded time and memory."""

from __future__ import annotations

import tempfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import example
from hypothesis import given
from hypothesis import strategies as st

from app.importing import bounds
from app.importing import textfiles
from app.importing.errors import ImportFileError
from app.importing.sources import open_source
from app.importing.sources import read_sample
from tests.processes import INSYN
from tests.processes import REFUSAL_MB
from tests.processes import REFUSAL_SECONDS
from tests.processes import child_env
from tests.processes import one_line_csv
from tests.processes import run_measured
from tests.processes import wide_csv

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


# --- rows too long or too wide ---------------------------------------------------------------


def _refusal(path: Path) -> ImportFileError:
    source = open_source(path)
    with pytest.raises(ImportFileError) as refused:
        list(source.rows())
    return refused.value


def test_a_row_longer_than_the_limit_is_refused_where_it_is(tmp_path, monkeypatch):
    monkeypatch.setattr(textfiles, "MAX_ROW_CHARS", 1000)
    path = tmp_path / "lång.csv"
    path.write_text(HEADER.decode() + "Penseo AB;F1;2010-01-01;100\n" + "x;" * 600 + "\n")
    error = _refusal(path)
    assert error.params == {"row": 3, "file": "lång.csv", "limit": 1000}
    assert "longer than" in str(error)


def test_a_row_made_long_by_a_quoted_cell_over_many_lines_is_refused_too(tmp_path, monkeypatch):
    monkeypatch.setattr(textfiles, "MAX_ROW_CHARS", 1000)
    path = tmp_path / "citat.csv"
    path.write_text(HEADER.decode() + '"' + "rad\n" * 300 + '";F1;2010-01-01;100\n')
    assert _refusal(path).params["row"] == 2


def test_a_row_just_within_the_limit_is_read_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(textfiles, "MAX_ROW_CHARS", 1000)
    path = tmp_path / "nära.csv"
    long_row = "a" * 990 + ";b;c\n"  # 996 characters with its line end
    path.write_text(HEADER.decode() + long_row + "Penseo AB;F1;2010-01-01;100\n")
    rows = list(open_source(path).rows())
    assert [number for number, _ in rows] == [1, 2, 3]
    assert rows[1][1] == ["a" * 990, "b", "c"]


def test_a_row_with_more_columns_than_the_limit_is_refused_naming_the_count(tmp_path, monkeypatch):
    monkeypatch.setattr(bounds, "MAX_COLUMNS", 10)
    path = tmp_path / "bred.csv"
    path.write_text(HEADER.decode() + ";".join(f"k{i}" for i in range(25)) + "\n")
    error = _refusal(path)
    assert error.params == {"row": 2, "file": "bred.csv", "count": 25, "limit": 10}
    assert "k24" not in str(error)


def test_empty_cells_ending_a_wide_row_are_dropped_not_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(bounds, "MAX_COLUMNS", 10)
    path = tmp_path / "utfylld.csv"
    path.write_text(HEADER.decode() + "Penseo AB;F1;2010-01-01;100" + ";" * 40 + "\n")
    rows = list(open_source(path).rows())
    assert rows[1] == (2, ["Penseo AB", "F1", "2010-01-01", "100"] + [""] * 6)


def test_a_sheet_with_cells_beyond_the_limit_is_refused_naming_the_sheet(tmp_path, monkeypatch):
    monkeypatch.setattr(bounds, "MAX_COLUMNS", 10)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Fakturor"
    sheet.append(["Leverantör", "Fakturanummer", "Fakturadatum", "Belopp"])
    sheet.append(["Penseo AB", "F1", "2010-01-01", 100])
    sheet.cell(row=3, column=40, value="utanför")
    path = tmp_path / "bred.xlsx"
    workbook.save(path)
    error = _refusal(path)
    assert error.params == {
        "row": 3,
        "sheet": "Fakturor",
        "file": "bred.xlsx",
        "count": 40,
        "limit": 10,
    }


# --- the same, whole, through the command: bounded time and memory --------------------------


@pytest.mark.parametrize(
    ("make", "what"), [(one_line_csv, "longer than"), (wide_csv, "100000 columns")]
)
def test_an_endless_line_or_100000_columns_are_refused_by_the_command_in_bounded_time_and_memory(
    app, tmp_path, make, what
):
    path = make(tmp_path / f"{make.__name__}.csv")
    env = child_env(app.config["SQLALCHEMY_DATABASE_URI"])
    finished = run_measured([INSYN, "import", str(path)], env)
    print(f"{path.name}: {finished.seconds:.2f} s, {finished.peak_mb:.0f} MB")
    assert finished.code == 2, finished.stdout + finished.stderr
    assert finished.seconds < REFUSAL_SECONDS and finished.peak_mb < REFUSAL_MB
    output = finished.stdout + finished.stderr
    assert f"Row 1 of {path.name}" in output and what in output
    assert len(output) < 500 and "Traceback" not in output
