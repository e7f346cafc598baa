"""The second pass: every data row becomes a record (an
:class:`~app.importing.readers.InvoiceRecord`, or a dict for the few rows of contracts and fee
income), or issues that say which sheet, row and column and why.

Records carry raw vendor, category and department cells; ``load`` resolves those to ids
once per distinct value, not once per row. Each field is read by a small reader of its kind
(an amount, a date, a text), set up once per table, so a million rows cost no look-ups.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal

from app.importing.cells import text
from app.importing.errors import Issue
from app.importing.plan import Plan
from app.importing.plan import Table
from app.importing.readers import InvoiceReader
from app.importing.readers import InvoiceRecord
from app.importing.readers import RowProblem
from app.money import N_
from app.services import plausibility

#: Issues kept in full; beyond this only counted (a broken million-row file must not flood).
MAX_ISSUES = 1000
#: Records handed to the loader at a time.
CHUNK = 5000


@dataclass
class Findings:
    """What the second pass found besides records."""

    issues: list[Issue] = field(default_factory=list)
    issue_count: int = 0
    rejected_rows: set[tuple[str | None, int]] = field(default_factory=set)

    def add(self, issue: Issue) -> None:
        self.issue_count += 1
        if issue.row is not None:
            self.rejected_rows.add((issue.sheet, issue.row))
        if len(self.issues) < MAX_ISSUES:
            self.issues.append(issue)


def tables(plan: Plan) -> Iterator[tuple[Table, Iterator[tuple[int, list]]]]:
    """Each table of the plan with its data rows (below its header, not set aside by the
    first pass, padded to the header's width). A table's rows are read from its sheet's one
    stream of rows: take them before the next table."""
    for sheet in plan.sheets:
        stream = plan.source.rows(sheet.name)
        starts = [table.header_row for table in sheet.tables[1:]] + [None]
        for table, following in zip(sheet.tables, starts, strict=True):
            yield table, _table_rows(stream, table, following, sheet.skipped)


def _table_rows(stream, table: Table, following: int | None, skipped: set[int]):
    width = len(table.headers)
    header_row = table.header_row
    for number, cells in stream:
        if number <= header_row:
            continue
        if following is not None and number >= following:
            return  # the next table's header row
        if number in skipped:
            continue
        if len(cells) < width:
            cells = list(cells) + [""] * (width - len(cells))
        yield number, cells


def _formula_issue(plan: Plan, findings: Findings, table: Table, number: int) -> bool:
    """Report a formula without a calculated value on the row (it is no zero)."""
    if number not in plan.source.formula_rows_of(table.sheet):
        return False
    findings.add(
        Issue(
            N_(
                "A formula on this row has no calculated value: open the file in a "
                "spreadsheet program, let it calculate, and save it again."
            ),
            row=number,
            sheet=table.sheet,
        )
    )
    return True


def invoice_records(plan: Plan, findings: Findings) -> Iterator[list[InvoiceRecord]]:
    """Invoice records in chunks. Rows with issues are left out and their issues added to
    ``findings``."""
    chunk: list[InvoiceRecord] = []
    rules = plan.options.rules or plausibility.default_rules()
    plausible = _plausible_at_a_glance(rules, plan.options.accept)
    for table, rows in tables(plan):
        reader = InvoiceReader(plan, table)  # its own readers: columns differ by table
        record = reader.record
        formula_rows = plan.source.formula_rows_of(table.sheet)
        for number, cells in rows:
            if formula_rows and _formula_issue(plan, findings, table, number):
                continue
            try:
                found = record(number, cells)
            except ValueError:  # a RowProblem, or a column's reader refusing a cell
                for problem in reader.problems(cells):
                    _add(findings, plan, table, number, problem)
                continue
            implausible = (
                None
                if plausible(found)
                else _implausible_invoice(found, rules, plan.options.accept)
            )
            if implausible:
                for problem in implausible:
                    _add(findings, plan, table, number, problem)
                continue
            chunk.append(found)
            if len(chunk) >= CHUNK:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def _add(findings: Findings, plan: Plan, table: Table, number: int, problem: RowProblem) -> None:
    index = table.columns.get(problem.field)
    column = table.headers[index] if index is not None else plan.column_name(problem.field)
    findings.add(
        Issue(problem.message, row=number, column=column, sheet=table.sheet, params=problem.params)
    )


def generic_records(plan: Plan, findings: Findings) -> Iterator[tuple[int, dict]]:
    """Contract and engagement rows as ``(row, {field: value})``: amounts as öre, dates as
    dates, text trimmed; ``_vendor`` holds the raw vendor cells and ``_sheet`` the sheet.
    Few rows, so clarity wins over speed here."""
    rules = plan.options.rules or plausibility.default_rules()
    for table, number, cells in (
        (table, number, cells) for table, rows in tables(plan) for number, cells in rows
    ):
        columns = table.columns
        values: dict = {"_sheet": table.sheet}
        if "vendor_name" in columns:
            values["_vendor"] = (
                cells[columns["vendor_name"]],
                *(
                    cells[columns[name]] if name in columns else None
                    for name in ("vendor_org_number", "vendor_ref")
                ),
            )
        ok = True
        for name, position in columns.items():
            raw = cells[position]
            try:
                values[name] = _value(plan, name, raw)
            except ValueError as error:
                _add(findings, plan, table, number, RowProblem(name, error.args[0], raw))
                ok = False
        if ok:
            implausible = _implausible_register_row(plan, values, rules)
            for problem in implausible:
                _add(findings, plan, table, number, problem)
            if not implausible:
                yield number, values


def _value(plan: Plan, name: str, raw):
    if name in plan.amounts or name in plan.dates:
        if raw in ("", None) or text(raw) in ("NA", "N/A"):
            return None
        column = plan.amounts.get(name) or plan.dates[name]
        return column.read(raw)
    return text(raw)


# --- plausibility: one call per row, the rules themselves in app.services.plausibility -------


def _plausible_at_a_glance(rules, accept=()):
    """A test that a record is plausible, for the common row, without the Decimals and the
    problems :func:`_implausible_invoice` makes: dates inside the window, a currency in use,
    no VAT to weigh (none, or not in SEK), no payment before the invoice, no negative hours.
    A row it does not pass is weighed in full by :func:`_implausible_invoice`, which alone
    says what is wrong (so the rules stay where they are)."""
    earliest, latest = rules.earliest, rules.latest
    vat_confirmed, prepaid = "vat" in accept, "prepaid" in accept
    sek = plausibility.SWEDISH_VAT_CURRENCY
    currencies: dict[str, bool] = {}

    def known(code: str) -> bool:
        found = currencies.get(code)
        if found is None:
            found = currencies[code] = (
                plausibility.currency_problem("currency", code, earliest) is None
            )
        return found

    def plausible(record: InvoiceRecord) -> bool:
        invoiced, paid, currency = record.invoiced_on, record.paid_on, record.currency
        if invoiced is not None and not earliest <= invoiced <= latest:
            return False
        if paid is not None and (
            not earliest <= paid <= latest
            or (invoiced is not None and paid < invoiced and not prepaid)
        ):
            return False
        if record.vat and not vat_confirmed and (currency or sek).upper() == sek:
            return False
        if record.hours is not None and record.hours < 0 and not record.net < 0:
            return False
        return currency is None or known(currency)

    return plausible


def _implausible_invoice(record: InvoiceRecord, rules, accept=()) -> list[RowProblem]:
    """What :func:`app.services.plausibility.invoice_problems` finds in an invoice record
    (amounts in öre, hours in hundredths, as records hold them). A ledger states no
    confirmation: a VAT that is no Swedish rate of a SEK amount, or a payment dated before
    its invoice, is refused like any invalid cell unless the person importing accepted it
    (``accept``: "vat", "prepaid")."""
    found = plausibility.invoice_problems(
        invoiced_on=record.invoiced_on,
        paid_on=record.paid_on,
        net_amount=Decimal(record.net).scaleb(-2),
        vat_amount=Decimal(record.vat).scaleb(-2),
        currency=record.currency,
        hours=None if record.hours is None else Decimal(record.hours).scaleb(-2),
        rules=rules,
        vat_confirmed="vat" in accept,
        paid_in_advance="prepaid" in accept,
    )
    return [RowProblem(item.field, item.message, None, **item.params) for item in found]


def _implausible_register_row(plan: Plan, values: dict, rules) -> list[RowProblem]:
    """As :func:`_implausible_invoice`, for a contract or engagement row."""
    if plan.kind == "contracts":
        found = plausibility.contract_problems(
            signed_on=values.get("signed_on"),
            starts_on=values.get("starts_on"),
            ends_on=values.get("ends_on"),
            currency=values.get("currency") or plan.currency.code,
            rules=rules,
        )
    else:
        found = plausibility.engagement_problems(
            first_day=values.get("first_day"),
            last_day=values.get("last_day"),
            paid_on=values.get("paid_on"),
            rules=rules,
        )
    return [RowProblem(item.field, item.message, None, **item.params) for item in found]
