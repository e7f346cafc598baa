"""Reading dates: ISO text, ``YYYYMMDD``, ``YYYYMM``, day-first or month-first slashed dates
(two-digit years too), dates with a month's name ("3 Apr 2023", "24-Mar-23", "Apr 3, 2023"),
Excel serial numbers and real date cells, each column's order (day or month first) decided
from all its cells, as ``cells`` does for amounts.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import re

from app.importing.errors import Issue
from app.money import N_

#: Excel's day zero (the 1900 system, leap-year bug included: serials count from 1899-12-30).
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_TIME = r"(?:[ T]\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:\.\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?)?"
_SLASHED = re.compile(rf"^(\d{{1,2}})[/.\-](\d{{1,2}})[/.\-](\d{{4}}|\d{{2}}){_TIME}$")
#: "3 Apr 2023", "24-Mar-23", "3. April 2023", "3 maj 2016".
_DAY_MONTH = re.compile(
    rf"^(\d{{1,2}})\.?[ \-/]+([^\W\d_]{{3,10}})\.?[ \-/,]+(\d{{4}}|\d{{2}}){_TIME}$"
)
#: "Apr 3, 2023", "April 3 2023".
_MONTH_DAY = re.compile(rf"^([^\W\d_]{{3,10}})\.? (\d{{1,2}})(?:st|nd|rd|th)?,? (\d{{4}}){_TIME}$")
#: Month names and their abbreviations in English, Swedish, Norwegian, Danish and German
#: (folded to lower case; the first three letters serve as well).
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january", "januari", "januar", "jän", "janv"),
            ("feb", "february", "februari", "februar", "febr"),
            ("mar", "march", "mars", "marts", "märz", "mär", "maa"),
            ("apr", "april"),
            ("may", "maj", "mai", "mei"),
            ("jun", "june", "juni"),
            ("jul", "july", "juli"),
            ("aug", "august", "augusti"),
            ("sep", "sept", "september"),
            ("oct", "october", "oktober", "okt"),
            ("nov", "november"),
            ("dec", "december", "desember", "dezember", "des", "dez"),
        ),
        start=1,
    )
    for name in names
}


def _month(name: str) -> int | None:
    folded = name.casefold()
    return _MONTHS.get(folded) or _MONTHS.get(folded[:3])


def _year(text: str) -> int:
    """A year as written: two digits are 2000–2069 or 1970–1999."""
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


_YMD_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")


class DateColumn:
    """A date column: ISO text, ``YYYYMMDD``, ``YYYYMM``, ``DD/MM/YYYY`` (or ``MM/DD/YYYY``,
    decided from the values or the profile), Excel serial numbers and real date cells.

    Distinct values are few (days, not rows), so each is read once and looked up after.
    """

    def __init__(self, name: str, date_format: str = "auto", month_day: str = "last") -> None:
        self.name = name
        self.format = date_format
        self.month_day = month_day
        self.texts: set[str] = set()
        self.day_first: bool | None = {"DD/MM/YYYY": True, "MM/DD/YYYY": False}.get(date_format)
        self.cache: dict = {}
        #: The earliest and latest dates seen (for narrowing lookups of rows already imported).
        self.low: dt.date | None = None
        self.high: dt.date | None = None

    def observe(self, value) -> None:
        if type(value) is str:
            self.texts.add(value.strip())
        elif value is not None and value != "":
            self.texts.add(value)  # numbers and date cells: few distinct values too

    def decide(self) -> Issue | None:
        """Whether slashed dates are day first, from values whose day is over 12; an issue
        quoting an example when both readings occur or none can be told."""
        if self.day_first is not None:
            self._learn_range()
            return None
        firsts, seconds = False, False
        example = None
        for value in self.texts:
            match = _SLASHED.match(value) if type(value) is str else None
            if match:
                example = example or value
                a, b = int(match.group(1)), int(match.group(2))
                firsts |= a > 12
                seconds |= b > 12
        if firsts and seconds:
            return Issue(
                N_("The dates in column “%(column)s” are written both day-first and month-first."),
                column=self.name,
                params={"column": self.name},
            )
        if example is not None:
            if not firsts and not seconds:
                # Unknowable from the values; day first is the European and Swedish way.
                self.day_first = True
            else:
                self.day_first = firsts
        self._learn_range()
        return None

    def _learn_range(self) -> None:
        """Read every distinct value once (errors are reported per row later) and keep the
        earliest and latest date."""
        for value in self.texts:
            try:
                day = self.read(value)
            except ValueError:
                continue
            if self.low is None or day < self.low:
                self.low = day
            if self.high is None or day > self.high:
                self.high = day
        self.texts = set()

    def read(self, value) -> dt.date:
        """The cell as a date.

        Raises:
            ValueError: with a message id for an empty or unreadable cell.
        """
        try:
            return self.cache[value]
        except (KeyError, TypeError):
            pass
        day = self._read(value)
        with contextlib.suppress(TypeError):  # an unhashable cell is read each time
            self.cache[value] = day
        return day

    def _read(self, value) -> dt.date:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, bool) or value is None:
            raise ValueError(N_("The date is missing."))
        if isinstance(value, int | float):
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(N_("“%(value)s” is not a date."))
            number = int(value)
            if number != value and not 1 <= value < 2_958_466:
                raise ValueError(N_("“%(value)s” is not a date."))
            text = str(number)
            if len(text) in (6, 8) and text[:2] in ("19", "20"):
                return self._compact(text)
            if 1 <= number < 2_958_466:
                return _EXCEL_EPOCH + dt.timedelta(days=number)
            raise ValueError(N_("“%(value)s” is not a date."))
        text = str(value).strip()
        if not text:
            raise ValueError(N_("The date is missing."))
        try:
            match = _ISO.match(text)
            if match:
                return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            match = _COMPACT.match(text)
            if match:
                return self._compact(text)
            match = _SLASHED.match(text)
            if match:
                a, b, year = int(match.group(1)), int(match.group(2)), _year(match.group(3))
                day, month = (a, b) if self.day_first is not False else (b, a)
                return dt.date(year, month, day)
            match = _YMD_SLASH.match(text)
            if match:
                return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            day = _named_month(text)
            if day is not None:
                return day
        except ValueError:
            raise ValueError(N_("“%(value)s” is not a date that exists.")) from None
        raise ValueError(N_("“%(value)s” is not a date. Write dates like 2010-05-03."))

    def _compact(self, text: str) -> dt.date:
        """``YYYYMMDD``, or ``YYYYMM`` as the first or last day of that month."""
        year, month = int(text[:4]), int(text[4:6])
        try:
            if len(text) == 8:
                return dt.date(year, month, int(text[6:8]))
            return month_day(year, month, self.month_day)
        except ValueError:
            raise ValueError(N_("“%(value)s” is not a date that exists.")) from None


def _named_month(text: str) -> dt.date | None:
    """A date written with the month's name ("3 Apr 2023", "24-Mar-23", "Apr 3, 2023"), or
    ``None`` when the text is not written so.

    Raises:
        ValueError: the month is named but the day does not exist.
    """
    match = _DAY_MONTH.match(text)
    if match:
        month = _month(match.group(2))
        if month is not None:
            return dt.date(_year(match.group(3)), month, int(match.group(1)))
        return None
    match = _MONTH_DAY.match(text)
    if match:
        month = _month(match.group(1))
        if month is not None:
            return dt.date(int(match.group(3)), month, int(match.group(2)))
    return None


def looks_like_date(value) -> bool:
    """Whether a cell holds a date, for telling a date column by its content: a date cell,
    or text written as a date (ISO, slashed, ``YYYYMMDD``, a month's name). Plain numbers do
    not count: they read as amounts as well."""
    if isinstance(value, dt.date):
        return True
    if type(value) is not str:
        return False
    text = value.strip()
    if not text or not text[:1].isalnum():
        return False
    column = DateColumn("")
    try:
        if _COMPACT.match(text) and len(text) == 8:
            return 1900 < int(text[:4]) < 2100 and column.read(text) is not None
        if _ISO.match(text) or _SLASHED.match(text) or _YMD_SLASH.match(text):
            column.read(text)
            return True
        return _named_month(text) is not None
    except ValueError:
        # A slashed date that exists only the other way round still reads as a date.
        match = _SLASHED.match(text)
        if match:
            a, b = int(match.group(1)), int(match.group(2))
            return min(a, b) >= 1 and max(a, b) <= 31 and min(a, b) <= 12
        return False


def month_day(year: int, month: int, which: str = "last") -> dt.date:
    """The first or last day of a month."""
    if which == "first":
        return dt.date(year, month, 1)
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return following - dt.timedelta(days=1)
