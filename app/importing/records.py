"""The second pass: every data row becomes a record (a tuple, for speed), or issues that say
which sheet, row and column and why.

Records carry raw vendor, category and department cells; ``load`` resolves those to ids
once per distinct value, not once per row.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal

from app.importing.cells import text
from app.importing.errors import Issue
from app.importing.plan import Plan
from app.importing.sources import MAX_CELL
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
    rejected_rows: set[int] = field(default_factory=set)

    def add(self, issue: Issue) -> None:
        self.issue_count += 1
        if issue.row is not None:
            self.rejected_rows.add(issue.row)
        if len(self.issues) < MAX_ISSUES:
            self.issues.append(issue)


#: Positions in an invoice record tuple.
#: The vendor is its raw (name, org number, own reference) cells.
(
    I_ROW,
    I_VENDOR,
    I_NUMBER,
    I_INVOICED,
    I_PAID,
    I_NET,
    I_VAT,
    I_CURRENCY,
    I_CATEGORY,
    I_CATEGORY_CODE,
    I_DEPARTMENT,
    I_DESCRIPTION,
    I_CONTRACT,
    I_HOURS,
) = range(14)


def _rows(plan: Plan) -> Iterator[tuple[int, list]]:
    """Data rows only: after the header, not set aside by the first pass, padded to the
    header's width."""
    skipped = set(plan.left_out.blank) | set(plan.left_out.totals)
    width = len(plan.headers)
    for number, cells in plan.source.rows():
        if number <= plan.header_row or number in skipped:
            continue
        if len(cells) < width:
            cells = list(cells) + [""] * (width - len(cells))
        yield number, cells


def invoice_records(plan: Plan, findings: Findings) -> Iterator[list[tuple]]:
    """Invoice records in chunks: ``(row, (vendor cell, org cell), number, invoiced_on,
    paid_on, net öre, VAT öre, currency, category cell, category code cell, department cell,
    description, contract cell, hours in hundredths)``. Rows with issues are left out and
    their issues added to ``findings``."""
    columns = plan.columns
    sheet = plan.source.sheet

    def index(name):
        return columns.get(name)

    i_vendor, i_org, i_number = (
        index("vendor_name"),
        index("vendor_org_number"),
        index("invoice_number"),
    )
    i_ref = index("vendor_ref")
    i_invoiced, i_paid, i_net, i_vat = (
        index("invoiced_on"),
        index("paid_on"),
        index("net_amount"),
        index("vat_amount"),
    )
    i_currency, i_category, i_code = index("currency"), index("category"), index("category_code")
    i_department, i_description = index("department"), index("description")
    i_contract, i_hours = index("contract_reference"), index("hours")
    net_column = plan.amounts["net_amount"]
    vat_column = plan.amounts.get("vat_amount")
    hours_column = plan.amounts.get("hours")
    invoiced_column, paid_column = plan.dates.get("invoiced_on"), plan.dates.get("paid_on")
    period, currency = plan.period, plan.currency
    formula_rows = plan.source.formula_rows
    names = {f: plan.column_name(f) for f in columns}
    chunk: list[tuple] = []
    # Vendor names repeat (a few thousand across a million rows): clean each once.
    vendor_names: dict = {}
    rules = plausibility.current_rules()

    def problem(number, field_name, message, value=None, **params):
        if value is not None:
            params["value"] = value
        findings.add(
            Issue(
                message,
                row=number,
                column=names.get(field_name, field_name),
                sheet=sheet,
                params=params,
            )
        )

    for number, cells in _rows(plan):
        if formula_rows and number in formula_rows:
            findings.add(
                Issue(
                    N_(
                        "A formula on this row has no calculated value: open the file in a "
                        "spreadsheet program, let it calculate, and save it again."
                    ),
                    row=number,
                    sheet=sheet,
                )
            )
            continue
        ok = True
        raw_vendor = cells[i_vendor]
        try:
            vendor = vendor_names[raw_vendor]
        except KeyError:
            vendor = vendor_names[raw_vendor] = text(raw_vendor)
        except TypeError:  # an unhashable cell cannot happen with calamine or csv, but be safe
            vendor = text(raw_vendor)
        if vendor is None:
            problem(number, "vendor_name", N_("The vendor is missing."))
            ok = False
        elif len(vendor) > 300:
            problem(number, "vendor_name", N_("The vendor's name is longer than 300 characters."))
            ok = False
        raw = cells[i_net]
        try:
            net = net_column.read(raw)
        except ValueError as error:
            problem(number, "net_amount", error.args[0], _quoted(raw))
            ok = False
        vat = 0
        if vat_column is not None and cells[i_vat] not in ("", None):
            try:
                vat = vat_column.read(cells[i_vat])
            except ValueError as error:
                problem(number, "vat_amount", error.args[0], _quoted(cells[i_vat]))
                ok = False
        invoiced = paid = None
        for column, position, field_name in (
            (invoiced_column, i_invoiced, "invoiced_on"),
            (paid_column, i_paid, "paid_on"),
        ):
            if column is None:
                continue
            value = cells[position]
            if value in ("", None):
                continue
            try:
                day = column.read(value)
            except ValueError as error:
                problem(number, field_name, error.args[0], _quoted(value))
                ok = False
                continue
            if field_name == "invoiced_on":
                invoiced = day
            else:
                paid = day
        if ok and invoiced is None:
            invoiced = paid or period
            if invoiced is None:
                problem(
                    number,
                    "invoiced_on" if invoiced_column else "paid_on",
                    N_("The date is missing."),
                )
                ok = False
        hours = None
        if hours_column is not None and cells[i_hours] not in ("", None):
            try:
                hours = hours_column.read(cells[i_hours])
            except ValueError as error:
                problem(number, "hours", error.args[0], _quoted(cells[i_hours]))
                ok = False
        description = text(cells[i_description]) if i_description is not None else None
        if description is not None and len(description) > MAX_CELL:
            problem(
                number,
                "description",
                N_("The cell holds more than %(limit)s characters."),
                limit=MAX_CELL,
            )
            ok = False
        if not ok:
            continue
        row_currency = currency
        if i_currency is not None:
            row_currency = (text(cells[i_currency]) or currency).upper()[:3]
        if _implausible_invoice(
            number, invoiced, paid, net, vat, row_currency, hours, rules, problem
        ):
            continue
        chunk.append(
            (
                number,
                (
                    cells[i_vendor],
                    cells[i_org] if i_org is not None else None,
                    cells[i_ref] if i_ref is not None else None,
                ),
                (text(cells[i_number]) or "")[:100] if i_number is not None else "",
                invoiced,
                paid,
                net,
                vat,
                row_currency,
                cells[i_category] if i_category is not None else None,
                cells[i_code] if i_code is not None else None,
                cells[i_department] if i_department is not None else None,
                description,
                cells[i_contract] if i_contract is not None else None,
                hours,
            )
        )
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def generic_records(plan: Plan, findings: Findings) -> Iterator[tuple[int, dict]]:
    """Contract and engagement rows as ``(row, {field: value})``: amounts as öre, dates as
    dates, text trimmed. Few rows, so clarity wins over speed here."""
    sheet = plan.source.sheet
    rules = plausibility.current_rules()
    i_vendor = plan.columns.get("vendor_name")
    i_org = plan.columns.get("vendor_org_number")
    i_ref = plan.columns.get("vendor_ref")
    for number, cells in _rows(plan):
        values: dict = {}
        if i_vendor is not None:
            # The raw cells, as the resolver knows them.
            values["_vendor"] = (
                cells[i_vendor],
                cells[i_org] if i_org is not None else None,
                cells[i_ref] if i_ref is not None else None,
            )
        ok = True
        for name, position in plan.columns.items():
            raw = cells[position]
            try:
                if name in plan.amounts:
                    values[name] = (
                        None
                        if raw in ("", None) or text(raw) in ("NA", "N/A")
                        else plan.amounts[name].read(raw)
                    )
                elif name in plan.dates:
                    values[name] = (
                        None
                        if raw in ("", None) or text(raw) in ("NA", "N/A")
                        else plan.dates[name].read(raw)
                    )
                else:
                    values[name] = text(raw)
            except ValueError as error:
                findings.add(
                    Issue(
                        error.args[0],
                        row=number,
                        column=plan.column_name(name),
                        sheet=sheet,
                        params={"value": _quoted(raw)},
                    )
                )
                ok = False
        if ok and not _implausible_register_row(plan, number, values, rules, findings):
            yield number, values


def _quoted(value) -> str:
    shown = text(value) or ""
    return shown if len(shown) <= 60 else shown[:57] + "…"


# --- plausibility: one call per row, the rules themselves in app.services.plausibility -------


def _implausible_invoice(number, invoiced, paid, net, vat, currency, hours, rules, report) -> bool:
    """Report what :func:`app.services.plausibility.invoice_problems` finds in an invoice row
    (amounts in öre, hours in hundredths, as the records hold them) through ``report(row,
    field, message, **params)``; whether it found anything. A ledger states no confirmation,
    so a VAT that is no Swedish rate of a SEK amount is refused here like any invalid cell."""
    found = plausibility.invoice_problems(
        invoiced_on=invoiced,
        paid_on=paid,
        net_amount=Decimal(net).scaleb(-2),
        vat_amount=Decimal(vat).scaleb(-2),
        currency=currency,
        hours=None if hours is None else Decimal(hours).scaleb(-2),
        rules=rules,
    )
    for item in found:
        report(number, item.field, item.message, **item.params)
    return bool(found)


def _implausible_register_row(plan: Plan, number: int, values: dict, rules, findings) -> bool:
    """As :func:`_implausible_invoice`, for a contract or engagement row."""
    if plan.kind == "contracts":
        found = plausibility.contract_problems(
            signed_on=values.get("signed_on"),
            starts_on=values.get("starts_on"),
            ends_on=values.get("ends_on"),
            currency=plan.currency,
            rules=rules,
        )
    else:
        found = plausibility.engagement_problems(
            first_day=values.get("first_day"),
            last_day=values.get("last_day"),
            paid_on=values.get("paid_on"),
            rules=rules,
        )
    for item in found:
        findings.add(
            Issue(
                item.message,
                row=number,
                column=plan.column_name(item.field),
                sheet=plan.source.sheet,
                params=item.params,
            )
        )
    return bool(found)
