r"""Reading one row of invoices: the :class:`InvoiceRecord` it becomes, and the readers that
make it, one per kind of column (an amount, a date, a name, text), set up once per table so
that a million rows cost no look-ups; a row that cannot be read becomes :class:`RowProblem`\ s
naming each field and why."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import NamedTuple

from app.importing.bounds import MAX_CELL
from app.importing.cells import AmountColumn
from app.importing.cells import text
from app.importing.currency import cell_currency
from app.importing.dates import DateColumn
from app.importing.dates import month_day
from app.importing.plan import Plan
from app.importing.plan import Table
from app.money import N_


class InvoiceRecord(NamedTuple):
    """One invoice row, read: money in öre, hours in hundredths, the rest as the loader needs
    it."""

    sheet: str | None
    row: int
    #: The raw (name, organisation number, the source's own supplier number) cells.
    vendor: tuple
    number: str
    invoiced_on: dt.date | None
    paid_on: dt.date | None
    net: int
    vat: int
    currency: str
    category: object  #: the raw cell
    category_code: object  #: the raw cell
    department: object  #: the raw cell
    description: str | None
    contract: object  #: the raw cell
    hours: int | None


#: Makes a record from a tuple in the right order, without NamedTuple's keyword machinery
#: (the hot loop makes a million of them).
_new = tuple.__new__


class RowProblem(ValueError):
    """A cell that cannot be read: the field, the message id and its parameters."""

    def __init__(self, field_name: str, message: str, value=None, **params) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message
        self.params = {**params, **({"value": _quoted(value)} if value is not None else {})}


class _AmountReader:
    """An amount cell as öre; an empty cell is ``empty`` (or a problem when it must hold
    one)."""

    __slots__ = ("field", "index", "column", "required")

    def __init__(self, field_name: str, index: int, column: AmountColumn, required: bool):
        self.field, self.index, self.column, self.required = field_name, index, column, required

    def __call__(self, cells: list) -> int | None:
        value = cells[self.index]
        if not self.required and (value == "" or value is None):
            return None
        try:
            return self.column.read(value)
        except ValueError as error:
            raise RowProblem(self.field, error.args[0], value) from None


class _DateReader:
    """A date cell as a date; an empty cell is ``None``."""

    __slots__ = ("field", "index", "column")

    def __init__(self, field_name: str, index: int, column: DateColumn):
        self.field, self.index, self.column = field_name, index, column

    def __call__(self, cells: list) -> dt.date | None:
        value = cells[self.index]
        if value == "" or value is None:
            return None
        try:
            return self.column.read(value)
        except ValueError as error:
            raise RowProblem(self.field, error.args[0], value) from None


class InvoiceReader:
    """Reads a table's rows into :class:`InvoiceRecord`: one reader per field present."""

    def __init__(self, plan: Plan, table: Table) -> None:
        columns = table.columns
        self.sheet = table.sheet
        self.period = plan.period
        self.currency = plan.currency.code
        self.default_currency = plan.options.default_currency
        self.i_vendor = columns["vendor_name"]
        #: The raw cells the loader resolves: positions, ``None`` for a column not there.
        self.i_org, self.i_ref = columns.get("vendor_org_number"), columns.get("vendor_ref")
        self.i_number = columns.get("invoice_number")
        self.i_currency = columns.get("currency")
        self.i_description = columns.get("description")
        self.i_category, self.i_code = columns.get("category"), columns.get("category_code")
        self.i_department = columns.get("department")
        self.i_contract = columns.get("contract_reference")
        # One reader per amount and date present; ``None`` for a column the table lacks.
        self.net = _AmountReader(
            "net_amount", columns["net_amount"], plan.amounts["net_amount"], True
        )
        self.vat = self._amount(plan, columns, "vat_amount")
        self.hours = self._amount(plan, columns, "hours")
        self.invoiced = self._date(plan, columns, "invoiced_on")
        self.paid = self._date(plan, columns, "paid_on")
        self.date_field = "invoiced_on" if "invoiced_on" in columns else "paid_on"
        self.i_year, self.i_month = columns.get("year"), columns.get("month")
        self.periods: dict = {}
        #: Vendor names repeat (a few thousand across a million rows): clean each once, and
        #: remember the cells that hold a good one.
        self.names: dict = {}
        self.good_names: set = set()
        self.currencies: dict = {}
        self.i_net, self.read_net = columns["net_amount"], plan.amounts["net_amount"].read
        #: ``record(number, cells)``: the row as an :class:`InvoiceRecord` (see
        #: :meth:`_fast_reader`); :meth:`problems` says what is wrong with a row it refuses.
        self.record = self._fast_reader()

    @staticmethod
    def _amount(plan: Plan, columns: dict, name: str) -> _AmountReader | None:
        if name not in columns:
            return None
        return _AmountReader(name, columns[name], plan.amounts[name], False)

    @staticmethod
    def _date(plan: Plan, columns: dict, name: str) -> _DateReader | None:
        if name not in columns:
            return None
        return _DateReader(name, columns[name], plan.dates[name])

    def vendor(self, cells: list) -> str:
        raw = cells[self.i_vendor]
        try:
            name = self.names[raw]
        except KeyError:
            name = self.names[raw] = text(raw)
        except TypeError:  # an unhashable cell cannot happen with calamine or csv; be safe
            name = text(raw)
        if name is None:
            raise RowProblem("vendor_name", N_("The vendor is missing."))
        if len(name) > 300:
            raise RowProblem("vendor_name", N_("The vendor's name is longer than 300 characters."))
        return name

    def row_currency(self, cells: list) -> str:
        if self.i_currency is None:
            return self.currency
        raw = cells[self.i_currency]
        found = self.currencies.get(raw)
        if found is None:
            found = self.currencies[raw] = (
                cell_currency(text(raw), self.default_currency) or self.currency
            )
        return found

    def description(self, cells: list) -> str | None:
        if self.i_description is None:
            return None
        value = text(cells[self.i_description])
        if value is not None and len(value) > MAX_CELL:
            raise RowProblem(
                "description", N_("The cell holds more than %(limit)s characters."), limit=MAX_CELL
            )
        return value

    def row_period(self, cells: list, problems: list[RowProblem]) -> dt.date | None:
        """The last day of the row's month (or year), from its year and month columns, for a
        row without a date of its own; ``None`` without a year."""
        if self.i_year is None:
            return None
        key = (cells[self.i_year], cells[self.i_month] if self.i_month is not None else None)
        try:
            return self.periods[key]
        except (KeyError, TypeError):
            pass
        year, month = (text(cell) for cell in key)
        if not year:
            return None
        try:
            number = int(float(year))
            if not 1900 <= number <= 2100:
                raise ValueError
        except ValueError:
            problems.append(RowProblem("year", N_("“%(value)s” is not a year."), key[0]))
            return None
        try:
            which = int(float(month)) if month else 12
            if not 1 <= which <= 12:
                raise ValueError
        except ValueError:
            problems.append(RowProblem("month", N_("“%(value)s” is not a month."), key[1]))
            return None
        day = month_day(number, which, "last")
        with contextlib.suppress(TypeError):
            self.periods[key] = day
        return day

    def problems(self, cells: list) -> list[RowProblem]:
        """Every problem of a row that cannot be read (each field read again, to report each
        one, not only the first)."""
        problems: list[RowProblem] = []
        for reader in (self.vendor, self.net, self.vat, self.invoiced, self.paid, self.hours,
                       self.description):  # fmt: skip
            if reader is not None:
                try:
                    reader(cells)
                except RowProblem as problem:
                    problems.append(problem)
        if not problems:
            try:
                paid = self.paid(cells) if self.paid is not None else None
                invoiced = self.invoiced(cells) if self.invoiced is not None else None
                self._dated(cells, paid, invoiced)
            except RowProblem as problem:
                problems.append(problem)
        return problems

    def _fast_reader(self):
        """The function reading a row of this table as a record in one straight pass (the
        common case: a row without problems). It raises at the first problem met (a
        ValueError: a :class:`RowProblem`, or a column's reader refusing a cell), and
        :meth:`problems` then reads the row again to list them all.

        Every position and reader is bound once here, as the function's own names: it runs
        for every row of the file.
        """
        sheet, i_vendor, good_names, check_vendor = (
            self.sheet, self.i_vendor, self.good_names, self.vendor
        )  # fmt: skip
        i_net, read_net = self.i_net, self.read_net

        def optional(reader):
            return (reader.index, reader.column.read) if reader is not None else (None, None)

        (i_vat, read_vat), (i_hours, read_hours) = optional(self.vat), optional(self.hours)
        (i_invoiced, read_invoiced), (i_paid, read_paid) = (
            optional(self.invoiced), optional(self.paid)
        )  # fmt: skip
        i_org, i_ref, i_number = self.i_org, self.i_ref, self.i_number
        i_category, i_code, i_department = self.i_category, self.i_code, self.i_department
        i_contract, i_description = self.i_contract, self.i_description
        describe, dated = self.description, self._dated
        currency = self.currency if self.i_currency is None else None
        row_currency = self.row_currency

        def record(number: int, cells: list) -> InvoiceRecord:
            raw = cells[i_vendor]
            if raw not in good_names:
                check_vendor(cells)
                good_names.add(raw)
            net = read_net(cells[i_net])
            vat = hours = invoiced = paid = None
            if i_vat is not None and (cell := cells[i_vat]) != "" and cell is not None:
                vat = read_vat(cell)
            if i_invoiced is not None and (cell := cells[i_invoiced]) != "" and cell is not None:
                invoiced = read_invoiced(cell)
            if i_paid is not None and (cell := cells[i_paid]) != "" and cell is not None:
                paid = read_paid(cell)
            if i_hours is not None and (cell := cells[i_hours]) != "" and cell is not None:
                hours = read_hours(cell)
            return _new(
                InvoiceRecord,
                (
                    sheet,
                    number,
                    (
                        raw,
                        cells[i_org] if i_org is not None else None,
                        cells[i_ref] if i_ref is not None else None,
                    ),
                    (text(cells[i_number]) or "")[:100] if i_number is not None else "",
                    invoiced if invoiced is not None else dated(cells, paid, None),
                    paid,
                    net,
                    vat or 0,
                    currency or row_currency(cells),
                    cells[i_category] if i_category is not None else None,
                    cells[i_code] if i_code is not None else None,
                    cells[i_department] if i_department is not None else None,
                    describe(cells) if i_description is not None else None,
                    cells[i_contract] if i_contract is not None else None,
                    hours,
                ),
            )

        return record

    def _dated(self, cells: list, paid, invoiced) -> dt.date:
        """The date of a row without an invoice date: its payment's, its period's (year and
        month columns), or the file's period.

        Raises:
            RowProblem: the row has none, or its year or month cannot be read.
        """
        if invoiced is not None:
            return invoiced
        problems: list[RowProblem] = []
        day = paid or self.row_period(cells, problems) or self.period
        if problems:
            raise problems[0]
        if day is None:
            raise RowProblem(self.date_field, N_("The date is missing."))
        return day


def _quoted(value) -> str:
    shown = text(value) or ""
    return shown if len(shown) <= 60 else shown[:57] + "…"
