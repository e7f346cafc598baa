"""The importer's cell readers, as properties: an amount written in any notation a ledger uses
reads back to the same öre once the column's notation is decided from its cells; a date in
any accepted notation reads back to the same day; any other cell is refused with a message,
never with an unexpected error."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from app.importing.cells import MAX_ORE
from app.importing.cells import AmountColumn
from app.importing.dates import DateColumn

ORE = st.integers(min_value=-MAX_ORE, max_value=MAX_ORE)


def _written(ore: int, thousands: str, decimal: str, sign: str, mark: str) -> str:
    whole, cents = divmod(abs(ore), 100)
    text = f"{whole:,}".replace(",", thousands) + f"{decimal}{cents:02d}"
    if ore < 0:
        text = {"lead": f"-{text}", "trail": f"{text}-", "paren": f"({text})"}[sign]
    return text + mark


NOTATIONS = st.sampled_from(
    [("", ","), (" ", ","), ("\u00a0", ","), (".", ","), ("", "."), (",", "."), ("'", ".")]
)


@given(
    st.lists(ORE, min_size=1, max_size=20),
    NOTATIONS,
    st.sampled_from(["lead", "trail", "paren"]),
    st.sampled_from(["", " kr", " SEK", ":-"]),
)
def test_a_column_of_amounts_in_one_notation_reads_back_exactly(amounts, notation, sign, mark):
    thousands, decimal = notation
    cells = [_written(ore, thousands, decimal, sign, mark) for ore in amounts]
    column = AmountColumn("Belopp")
    for cell in cells:
        column.observe(cell)
    issue = column.decide()
    if issue is not None:  # every cell could be read either way (e.g. "1,234.00"-free)
        assert "two ways" in issue.message
        return
    assert [column.read(cell) for cell in cells] == amounts


@given(ORE)
def test_numbers_from_a_workbook_read_back_exactly(ore):
    column = AmountColumn("Belopp")
    value = float(Decimal(ore).scaleb(-2))
    if abs(ore) < 10**15:  # a float holds 15 significant digits exactly
        assert column.read(value) == ore
    assert column.read(ore // 100) == (ore // 100) * 100


@given(st.one_of(st.text(max_size=50), st.floats(), st.integers(), st.booleans(), st.none()))
def test_any_cell_is_an_amount_or_refused_with_a_message(cell):
    column = AmountColumn("Belopp")
    column.observe(cell)
    column.decide()
    try:
        ore = column.read(cell)
    except ValueError as error:
        assert error.args and error.args[0]
    else:
        assert isinstance(ore, int) and abs(ore) <= MAX_ORE


#: Dates written as ledgers write them (slashed ones day first, as Swedish and British do).
DATE_NOTATIONS = {
    "iso": lambda d: d.isoformat(),
    "iso time": lambda d: f"{d.isoformat()} 00:00:00",
    "compact": lambda d: d.strftime("%Y%m%d").rjust(8, "0"),
    "slashed": lambda d: f"{d.day:02d}/{d.month:02d}/{d.year:04d}",
    "dotted": lambda d: f"{d.day}.{d.month}.{d.year:04d}",
    "year first": lambda d: f"{d.year:04d}/{d.month}/{d.day}",
    "date cell": lambda d: d,
    "datetime cell": lambda d: dt.datetime(d.year, d.month, d.day, 12, 30),
}


@given(
    st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31)),
    st.sampled_from(sorted(DATE_NOTATIONS)),
)
def test_a_date_in_any_accepted_notation_reads_back_as_the_same_day(day, notation):
    column = DateColumn("Datum")
    cell = DATE_NOTATIONS[notation](day)
    column.observe(cell)
    assert column.decide() is None
    assert column.read(cell) == day, cell


@given(st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2399, 12, 31)))
def test_an_excel_serial_reads_as_its_day(day):
    """Serials of later dates are six-digit numbers starting 19 or 20, which read as YYYYMM
    (as Swedish ledgers write months); no ledger holds a date past 2399."""
    serial = (day - dt.date(1899, 12, 30)).days
    assert DateColumn("Datum").read(serial) == day
    assert DateColumn("Datum").read(float(serial)) == day


@given(st.one_of(st.text(max_size=30), st.floats(), st.integers(), st.booleans(), st.none()))
def test_any_cell_is_a_date_or_refused_with_a_message(cell):
    column = DateColumn("Datum")
    column.observe(cell)
    column.decide()
    try:
        day = column.read(cell)
    except ValueError as error:
        assert error.args and error.args[0]
    else:
        assert isinstance(day, dt.date)
