"""Refusals that lead to the right fix (``app.importing.summary``): a file whose columns
cannot be told is refused in one message naming every missing or ambiguous field and every
column with two of its values, with the exact command to type; it exits 1, and the command
it suggests imports the file. ``--period`` is suggested only when no column holds dates."""

from __future__ import annotations

import shlex
from decimal import Decimal

import sqlalchemy as sa

from app.models import Invoice
from tests.test_importing_errors import import_file
from tests.test_importing_errors import nothing_written

#: Nothing in it is named as Insyn knows: two columns of company names, two of money, two
#: of dates.
UNKNOWN = (
    "Part;Motpart2;Reg;Bet;Summa A;Summa B;Notering\n"
    "Penseo AB;Kultur AB;2010-03-01;2010-03-20;1 000,00;1 250,00;Strategi\n"
    "Mediabyrån AB;Teknik AB;2010-03-04;2010-03-28;2 500,50;3 125,63;Tryck\n"
    "Penseo AB;Kultur AB;2010-04-01;2010-04-20;-100,00;-125,00;Kredit\n"
)


def _suggestion(output: str) -> list[str]:
    """The arguments of the command the refusal suggests, after ``insyn``."""
    line = next(line for line in output.splitlines() if line.startswith("Import with: "))
    words = shlex.split(line.removeprefix("Import with: "))
    assert words[:2] == ["insyn", "import"], line
    return words[1:]


def test_one_refusal_names_every_field_and_every_column_and_its_suggestion_imports(
    runner, db, tmp_path
):
    path = tmp_path / "utdrag.csv"
    path.write_text(UNKNOWN, encoding="utf-8")
    refused = import_file(runner, path)
    assert refused.exit_code == 1, refused.output
    out = refused.output
    # Every field that cannot be told, at once…
    assert "vendor_name (leverantör / supplier) could be in any of: Part, Motpart2" in out
    assert "net_amount (belopp / amount) could be in any of: Summa A, Summa B" in out
    assert "invoiced_on (datum / date) could be in any of: Reg, Bet" in out
    # …every column, with two values…
    for column in ("A  Part", "B  Motpart2", "C  Reg", "D  Bet", "E  Summa A", "F  Summa B"):
        assert column in out, column
    assert "Penseo AB | Mediabyrån AB" in out and "1 000,00 | 2 500,50" in out
    assert "2010-03-01 | 2010-03-04" in out and "Strategi | Tryck" in out
    # …and no --period: the file has dates.
    assert "--period" not in out
    assert nothing_written(db)

    words = _suggestion(out)
    assert words.count("--column") == 3
    imported = runner.invoke(args=words)
    assert imported.exit_code == 0, imported.output
    assert "Imported:  3" in imported.output
    assert db.session.scalar(sa.select(sa.func.sum(Invoice.net_amount))) == Decimal("3400.50")


def test_a_file_without_dates_is_told_to_give_the_period(runner, db, tmp_path):
    path = tmp_path / "utan-datum.csv"
    path.write_text(
        "Leverantör;Belopp\nPenseo AB;1 000,00\nMediabyrån AB;2 500,50\n", encoding="utf-8"
    )
    refused = import_file(runner, path)
    assert refused.exit_code == 1, refused.output
    assert "No column holds dates: give the month the file covers with --period YYYY-MM" in (
        refused.output
    )
    assert _suggestion(refused.output)[-2:] == ["--period", "YYYY-MM"]
    done = import_file(runner, path, "--period", "2016-03")
    assert done.exit_code == 0, done.output
    assert "every row dated 2016-03-31" in done.output


def test_a_date_column_whose_header_is_no_date_word_is_found_by_its_content(runner, db, tmp_path):
    path = tmp_path / "utdrag.csv"
    path.write_text(
        "Leverantör;Verifikat;Belopp\n"
        "Penseo AB;2010-03-01;1 000,00\n"
        "Mediabyrån AB;2010-03-04;2 500,50\n",
        encoding="utf-8",
    )
    result = import_file(runner, path)
    assert result.exit_code == 0, result.output
    assert "invoiced_on ← Verifikat (by content)" in result.output
    days = sorted(db.session.scalars(sa.select(Invoice.invoiced_on)))
    assert [d.isoformat() for d in days] == ["2010-03-01", "2010-03-04"]


def test_a_field_no_column_can_hold_is_named_and_the_rest_suggested(runner, db, tmp_path):
    path = tmp_path / "utan-belopp.csv"
    path.write_text(
        "Part;Motpart2;Datum\nPenseo AB;Kultur AB;2010-03-01\nMediabyrån AB;Teknik AB;2010-03-02\n",
        encoding="utf-8",
    )
    refused = import_file(runner, path)
    assert refused.exit_code == 1, refused.output
    assert "No column holds net_amount (belopp / amount)." in refused.output
    assert "(and say where net_amount is)" in refused.output
    assert nothing_written(db)


def test_an_unreadable_file_still_exits_2_in_one_line(runner, db, tmp_path):
    path = tmp_path / "trasig.xlsx"
    path.write_bytes(b"PK\x03\x04 this is no workbook")
    result = import_file(runner, path)
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert "is not a readable workbook" in result.output


def test_a_year_and_month_date_the_rows_that_have_no_date(runner, db, tmp_path):
    path = tmp_path / "kort.csv"
    path.write_text(
        "Leverantör;Datum;År;Månad;Belopp\n"
        "Penseo AB;2021-09-10;2021;10;100,00\n"
        "Sigiloso;;2021;10;50,00\n"
        "Sigiloso;;2021;13;5,00\n",
        encoding="utf-8",
    )
    refused = import_file(runner, path)
    assert refused.exit_code == 1, refused.output
    assert "row 4, column Månad: “13” is not a month." in refused.output
    path.write_text(path.read_text(encoding="utf-8").replace(";13;", ";11;"), encoding="utf-8")
    done = import_file(runner, path)
    assert done.exit_code == 0, done.output
    assert "dated the last day of its month (column År)" in done.output
    days = sorted(d.isoformat() for d in db.session.scalars(sa.select(Invoice.invoiced_on)))
    assert days == ["2021-09-10", "2021-10-31", "2021-11-30"]
