"""Importing contract registers and fee income: few rows, each through the services, so every
rule of hand entry applies and the audit trail records each record."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import sqlalchemy as sa

from app.extensions import db
from app.importing.cells import decimal_from_ore
from app.importing.errors import Issue
from app.importing.plan import Plan
from app.importing.records import Findings
from app.importing.resolve import Resolved
from app.models import Contract
from app.models import Engagement
from app.models import Vendor
from app.money import N_
from app.services import contracts as contract_service
from app.services import income as income_service
from app.services.errors import ServiceError


class RegisterOutcome:
    """Counts of what a contract or engagement import did."""

    def __init__(self) -> None:
        self.imported = 0  #: records created (contracts, or engagements)
        self.amendments = 0
        self.already = 0  #: rows recognised as imported before
        self.totals: dict[str, int] = defaultdict(int)  #: öre per currency


def load_contracts(
    plan: Plan,
    rows: Iterator[tuple[int, dict]],
    resolved: Resolved,
    batch,
    write: bool,
    findings: Findings,
) -> RegisterOutcome:
    """Contracts from a register: rows grouped into contracts (by the profile's group column,
    else by reference), the first row of a group the original terms, every later row an
    amendment whose value change is the difference from the row before.

    A contract whose reference exists is recognised as imported before: its rows count as
    already imported.
    """
    outcome = RegisterOutcome()
    options = plan.profile.options if plan.profile else {}
    flag_field, amendment_values = (
        options.get("amendment_flag"),
        set(options.get("amendment_values", [])),
    )
    groups: dict[str, list[tuple[int, dict]]] = defaultdict(list)
    for number, values in rows:
        group = values.get("group") or values.get("reference")
        if not group:
            findings.add(
                Issue(
                    N_("The contract has no reference."),
                    row=number,
                    column=plan.column_name("reference"),
                    sheet=values.get("_sheet"),
                )
            )
            continue
        groups[group].append((number, values))
    existing = {
        ref.casefold()
        for ref in db.session.scalars(
            sa.select(Contract.reference).where(Contract.reference.is_not(None))
        )
    }
    currency = plan.currency.code
    for group, members in groups.items():
        # The original row first (not flagged as an amendment), then the file's order.
        members.sort(
            key=lambda m: (bool(flag_field and m[1].get(flag_field) in amendment_values), m[0])
        )
        reference = (
            group
            if options.get("reference_from_group")
            else members[0][1].get("reference") or group
        )[:100]
        if reference.casefold() in existing:
            outcome.already += len(members)
            continue
        first_row, first = members[0]
        original = first.get("original_value")
        if original is None:
            original = first.get("value")
        latest = members[-1][1].get("value")
        outcome.totals[currency] += latest if latest is not None else (original or 0)
        outcome.imported += 1
        amendments = _amendments(members, original)
        outcome.amendments += len(amendments)
        if not write:
            continue
        vendor = db.session.get(Vendor, resolved.vendors.get(first.get("_vendor")))
        try:
            with db.session.begin_nested():
                contract = contract_service.create_contract(
                    {
                        "vendor": vendor,
                        "reference": reference,
                        "title": (first.get("title") or reference)[:300],
                        "purpose": first.get("title")
                        if first.get("title") and len(first["title"]) > 300
                        else None,
                        "signed_on": first.get("signed_on"),
                        "starts_on": first.get("starts_on"),
                        "ends_on": first.get("ends_on"),
                        "ceiling_amount": decimal_from_ore(original)
                        if original is not None
                        else None,
                        "currency": currency,
                        "import_batch": batch,
                        "source_row": first_row,
                        "source_sheet": first.get("_sheet"),
                        "rules": plan.options.rules,
                    }
                )
                for row, sheet, data in amendments:
                    contract_service.add_amendment(
                        contract,
                        {
                            **data,
                            "import_batch": batch,
                            "source_row": row,
                            "source_sheet": sheet,
                            "rules": plan.options.rules,
                        },
                    )
        except ServiceError as error:
            findings.add(
                Issue(error.message, row=first_row, sheet=first.get("_sheet"), params=error.params)
            )
            outcome.imported -= 1
            outcome.amendments -= len(amendments)
    return outcome


def _amendments(
    members: list[tuple[int, dict]], original: int | None
) -> list[tuple[int, str | None, dict]]:
    """Each row whose value or end date differs from the terms before it, or that is not the
    original row, as an amendment: the value's change, the new end date, and where it came
    from."""
    found = []
    current = original
    ends_on = members[0][1].get("ends_on")
    last_date = members[0][1].get("signed_on") or members[0][1].get("starts_on")
    for index, (row, values) in enumerate(members):
        value = values.get("value")
        added = value - current if value is not None and current is not None else None
        new_end = (
            values.get("ends_on")
            if values.get("ends_on") and values.get("ends_on") != ends_on
            else None
        )
        if index == 0 and not added and not new_end:
            continue
        dated = values.get("signed_on") or last_date
        if last_date and dated and dated < last_date:
            dated = last_date
        found.append(
            (
                row,
                values.get("_sheet"),
                {
                    "dated_on": dated,
                    "kind": "expansion" if added else "extension" if new_end else "other",
                    "new_ends_on": new_end,
                    "added_amount": decimal_from_ore(added) if added else None,
                    "reason": f"Rad {row} i importfilen"
                    + (f", referens {values['reference']}" if values.get("reference") else ""),
                },
            )
        )
        current = value if value is not None else current
        ends_on = values.get("ends_on") or ends_on
        last_date = dated
    return found


def load_engagements(
    plan: Plan, rows: Iterator[tuple[int, dict]], batch, write: bool, findings: Findings
) -> RegisterOutcome:
    """Engagements, each priced by the rate card in force on its first day. One with the
    same organiser, first day and topic as a recorded one counts as imported before."""
    outcome = RegisterOutcome()
    existing = {
        (name.casefold(), day, (topic or "").casefold())
        for name, day, topic in db.session.execute(
            sa.select(Engagement.organiser_name, Engagement.first_day, Engagement.topic)
        )
    }
    for number, values in rows:
        key = (
            (values.get("organiser_name") or "").casefold(),
            values.get("first_day"),
            (values.get("topic") or "").casefold(),
        )
        if key in existing:
            outcome.already += 1
            continue
        existing.add(key)
        data = {
            **{k: v for k, v in values.items() if not k.startswith("_")},
            "travel_amount": decimal_from_ore(values["travel_amount"])
            if values.get("travel_amount")
            else None,
            "organiser_pays_travel": bool(values.get("travel_amount")),
            "import_batch": batch,
            "source_row": number,
            "source_sheet": values.get("_sheet"),
            "rules": plan.options.rules,
        }
        try:
            with db.session.begin_nested():
                engagement = income_service.create_engagement(data)
                if not write:
                    raise _Preview(engagement)
        except _Preview as preview:
            engagement = preview.engagement
        except ServiceError as error:
            findings.add(
                Issue(
                    error.message,
                    row=number,
                    sheet=values.get("_sheet"),
                    column=plan.column_name(error.field) if error.field else None,
                    params=error.params,
                )
            )
            continue
        outcome.imported += 1
        outcome.totals[engagement.currency] += int(engagement.fee_amount.scaleb(2))
    return outcome


class _Preview(Exception):
    """Rolls a previewed engagement back, after it was priced."""

    def __init__(self, engagement) -> None:
        self.engagement = engagement
