"""The flag store: each contract's flags as last computed (``contract_flag_sets``), kept exact
in the same transaction as every write that changes what they are computed from, so that a
page listing many contracts' flags reads a row per contract instead of every invoice of every
contract (a large contract holds hundreds of thousands).

What a contract's flags depend on, and the door each change comes in by:

- its invoices (any of their values: amounts, hours, dates, numbers, voiding, the contract
  they are under): the ORM's unit of work and ORM statements on invoices, seen by session
  hooks (:func:`install`), and the importer's driver-level rows, which it names with
  :func:`touch` (undoing an import too);
- the contract and its amendments: the unit of work;
- for a direct award, the direct-award thresholds: the unit of work (every direct award's
  row is then recomputed);
- the amendment review share (:mod:`app.services.flag_rules`): the unit of work (every
  contract's row is then recomputed).

Each row also records the rules it was computed under (:func:`settings_key`), and a row
computed under others (a share or thresholds changed past Insyn) is not used.

The touched contracts are collected as the transaction goes, and their rows recomputed just
before it commits (:func:`refresh`), each contract locked first so that two transactions
writing to one contract compute its flags one after the other. A contract without a usable
row has its flags computed from its invoices when read, as they were before the store.

A flag's evidence can be every invoice of a contract: the row keeps its count, the first
:data:`HEAD` invoices as shown (id, number, date, amount), and the rest as runs of positions
in the contract's invoices in date order (:class:`StoredEvidence`), read only when all are asked
for.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Contract
from app.models import ContractAmendment
from app.models import ContractFlagSet
from app.models import DirectAwardThreshold
from app.models import FlagSettings
from app.models import Invoice
from app.models import ProcurementBasis
from app.services.burndown import Burndown
from app.services.burndown import burndowns
from app.services.burndown import invoice_ids
from app.services.evidence import HEAD
from app.services.evidence import Evidence
from app.services.evidence import Shown
from app.services.flag_rules import FlagRules
from app.services.flag_rules import flag_rules
from app.services.flag_rules import plain_percent
from app.services.flags import Flag
from app.services.flags import contract_flags

#: Contracts recomputed per query: their invoices are read together.
CHUNK = 200
#: Ids per ``IN (…)``: below every database's limit on parameters.
IDS = 500

_STALE = "flag_store_stale"
_THRESHOLDS = "flag_store_thresholds"
_REVIEW_SHARE = "flag_store_review_share"


# --- evidence -------------------------------------------------------------------------------


class StoredEvidence(Evidence):
    """A stored flag's invoices: the first :data:`HEAD` as the row keeps them, the rest as
    [start, stop) runs of positions in the contract's invoices in date order (its
    burn-down's order), read when asked for."""

    def __init__(self, contract: Contract, total: int, head: list[Shown], runs: list[list[int]]):
        super().__init__(total)
        self.contract = contract
        self._head = head
        self.runs = runs

    def _read_head(self) -> list[Shown]:
        return self._head or []  # kept in the row: never read

    def _read_ids(self) -> list[int]:
        order = invoice_ids(self.contract)
        return [order[i] for start, stop in self.runs for i in range(start, stop)]


def _runs(positions: list[int]) -> list[list[int]]:
    """Sorted positions as [start, stop) runs."""
    runs: list[list[int]] = []
    for position in positions:
        if runs and runs[-1][1] == position:
            runs[-1][1] += 1
        else:
            runs.append([position, position + 1])
    return runs


# --- to and from JSON -----------------------------------------------------------------------


#: Every amount and number of hours a flag names is in hundredths.
CENT = Decimal("0.01")


def _value(value):
    # Quantized: a value just written reads 200 in the session and 200.00 from the database,
    # and the row must be the same whichever computed it.
    if isinstance(value, Decimal):
        return {"d": str(value.quantize(CENT))}
    return value


def _unvalue(value):
    if isinstance(value, dict):
        return Decimal(value["d"])
    return value


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _undate(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def dumps(flags: list[Flag], progress: Burndown) -> str:
    """A contract's flags as the store keeps them; ``progress`` is the burn-down they were
    computed from. Every flag cites its invoices in the burn-down's order, so positions in
    it, kept as runs, give them back in the same order."""
    position = {step.invoice_id: i for i, step in enumerate(progress.steps)}
    steps = progress.steps
    found = []
    for flag in flags:
        places = sorted(position[i] for i in flag.invoice_ids)
        found.append(
            {
                "kind": flag.kind,
                "message": flag.message,
                "plural": flag.plural,
                "params": {name: _value(value) for name, value in flag.params.items()},
                "since": _day(flag.since),
                "until": _day(flag.until),
                "cleared_by": flag.cleared_by,
                "year": flag.year,
                "currency": flag.currency,
                "count": len(places),
                "head": [
                    [
                        steps[i].invoice_id,
                        steps[i].number,
                        steps[i].invoiced_on.isoformat(),
                        str(steps[i].amount),
                    ]
                    for i in places[:HEAD]
                ],
                "runs": _runs(places),
            }
        )
    return json.dumps(found, separators=(",", ":"), ensure_ascii=False)


def loads(text: str, contract: Contract) -> list[Flag]:
    """The flags of a stored row, as :func:`app.services.flags.contract_flags` gives them."""
    flags = []
    for item in json.loads(text):
        head = [
            Shown(ident, number, dt.date.fromisoformat(day), Decimal(amount), contract.currency)
            for ident, number, day, amount in item["head"]
        ]
        flag = Flag(
            item["kind"],
            item["message"],
            {name: _unvalue(value) for name, value in item["params"].items()},
            invoice_ids=StoredEvidence(contract, item["count"], head, item["runs"]),
            since=_undate(item["since"]),
            until=_undate(item["until"]),
            contract_id=contract.id,
            vendor_id=contract.vendor_id,
            year=item["year"],
            cleared_by=item["cleared_by"],
            plural=item["plural"],
        )
        flag.currency = item["currency"]
        flags.append(flag)
    return flags


# --- settings --------------------------------------------------------------------------------


def settings_key(contract: Contract, rules: FlagRules) -> str:
    """What a contract's flags depend on beyond its own records: the amendment review share
    (written as the configuration wrote it before the share was kept in the database, so
    rows stored then stay usable), and for a direct award the direct-award thresholds
    (dates, amounts, currencies)."""
    key = f"review {plain_percent(rules.review_percent)}"
    if contract.procurement_basis == ProcurementBasis.DIRECT_AWARD:
        text = ";".join(
            f"{t.valid_from.isoformat()} {t.amount} {t.currency} {t.is_example}"
            for t in rules.thresholds
        )
        key += " thresholds " + hashlib.sha256(text.encode()).hexdigest()[:32]
    return key


# --- reading ----------------------------------------------------------------------------------


def flags_of(
    contracts: Iterable[Contract], rules: FlagRules | None = None
) -> dict[int, list[Flag]]:
    """Each contract's flags (:func:`app.services.flags.contract_flags`), by contract id:
    from the store where its row is usable, computed from the invoices where not (in one
    query for all of those). ``rules`` are read when not given."""
    contracts = list(contracts)
    rules = flag_rules() if rules is None else rules
    found: dict[int, list[Flag]] = {}
    rows: dict[int, ContractFlagSet] = {}
    ids = [c.id for c in contracts if not c.is_voided]
    for start in range(0, len(ids), IDS):
        chunk = ids[start : start + IDS]
        rows.update(
            (row.contract_id, row)
            for row in db.session.scalars(
                sa.select(ContractFlagSet).where(ContractFlagSet.contract_id.in_(chunk))
            )
        )
    missing = []
    for contract in contracts:
        row = rows.get(contract.id)
        if contract.is_voided:
            found[contract.id] = []
        elif row is not None and row.settings == settings_key(contract, rules):
            found[contract.id] = loads(row.flags, contract)
        else:
            missing.append(contract)
    for start in range(0, len(missing), CHUNK):
        chunk = missing[start : start + CHUNK]
        progress = burndowns(chunk)
        for contract in chunk:
            found[contract.id] = contract_flags(contract, progress[contract.id], rules=rules)
    return found


# --- writing ----------------------------------------------------------------------------------


def refresh(contract_ids: Iterable[int]) -> int:
    """Recompute the stored flags of ``contract_ids`` (locking each contract first, in id
    order), in the session's transaction; returns how many rows were written."""
    ids = sorted({i for i in contract_ids if i})
    if not ids:
        return 0
    rules = flag_rules()
    written = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        contracts = list(
            db.session.scalars(
                sa.select(Contract)
                .where(Contract.id.in_(chunk))
                .order_by(Contract.id)
                .with_for_update()
            )
        )
        rows = [_row(contract, progress, rules) for contract, progress in _progress(contracts)]
        _upsert(rows)
        written += len(rows)
    return written


def _progress(contracts: list[Contract]):
    live = [c for c in contracts if not c.is_voided]
    progress = burndowns(live)
    for contract in contracts:
        yield contract, progress.get(contract.id)


def _row(contract: Contract, progress: Burndown | None, rules: FlagRules) -> dict:
    if progress is None:  # voided: no flag
        text = "[]"
    else:
        text = dumps(contract_flags(contract, progress, rules=rules), progress)
    return {
        "contract_id": contract.id,
        "settings": settings_key(contract, rules),
        "flags": text,
    }


def _upsert(rows: list[dict]) -> None:
    if not rows:
        return
    connection = db.session.connection()
    table = ContractFlagSet.__table__
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    insert = dialect.insert(table)
    statement = insert.on_conflict_do_update(
        index_elements=[table.c.contract_id],
        set_={"settings": insert.excluded.settings, "flags": insert.excluded.flags},
    )
    connection.execute(statement, rows)


def touch(session: Session, contract_ids: Iterable[int | None]) -> None:
    """Note contracts whose flags this transaction changes (recomputed before it commits)."""
    session.info.setdefault(_STALE, set()).update(i for i in contract_ids if i)


def touch_where(where) -> None:
    """Note the contracts of the invoices matching ``where``: for rows written past the
    session (the importer's), or before a statement that changes them all."""
    touch(
        db.session(),
        db.session.scalars(
            sa.select(Invoice.contract_id).where(where, Invoice.contract_id.is_not(None)).distinct()
        ),
    )


# --- the hooks ---------------------------------------------------------------------------------


def _history_values(obj, *names) -> set:
    """Every value ``names`` of ``obj`` held in this flush: now and before."""
    attrs = sa.inspect(obj).attrs
    values = set()
    for name in names:
        history = attrs[name].history
        for value in (*history.unchanged, *history.added, *history.deleted):
            values.add(value.id if isinstance(value, Contract) else value)
    return values


def _after_flush(session: Session, _context) -> None:
    """Note the contracts whose invoices, terms or amendments this flush changed (after it:
    new rows have their ids, and the histories still hold the values before it)."""
    touched: set = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Invoice):
            if obj in session.dirty and not session.is_modified(obj):
                continue
            touched |= _history_values(obj, "contract_id", "contract")
        elif isinstance(obj, Contract):
            if obj not in session.dirty or session.is_modified(obj):
                touched.add(obj.id)
        elif isinstance(obj, ContractAmendment):
            touched |= _history_values(obj, "contract_id", "contract")
        elif isinstance(obj, DirectAwardThreshold):
            session.info[_THRESHOLDS] = True
        elif isinstance(obj, FlagSettings) and (
            obj not in session.dirty or session.is_modified(obj)
        ):
            session.info[_REVIEW_SHARE] = True
    touch(session, touched)


def _on_execute(state: ORMExecuteState):
    """Note the contracts an ORM ``insert``, ``update`` or ``delete`` of invoices touches
    (before it runs; a new contract an update gives them too)."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    statement = state.statement
    if getattr(getattr(statement, "table", None), "name", None) != Invoice.__tablename__:
        return None
    params = state.parameters
    rows = params if isinstance(params, list | tuple) else [params] if params else []
    touched = {row.get("contract_id") for row in rows if isinstance(row, dict)}
    if state.is_insert:
        select = getattr(statement, "select", None)
        if select is not None:
            return None  # refused by the summaries' hook, which runs next
    else:
        if state.is_update:
            # The contract an update sets, by its parameter's name (a condition's parameters
            # are numbered: ``contract_id_1``).
            touched.add(statement.compile().params.get("contract_id"))
        connection = state.session.connection()
        query = sa.select(Invoice.contract_id).distinct()
        if statement.whereclause is not None:
            query = query.where(statement.whereclause)
        elif rows and all("id" in row for row in rows):
            ids = [row["id"] for row in rows]
            query = query.where(Invoice.id.in_(ids))
        touched |= set(connection.scalars(query))
    touch(state.session, touched)
    return None


def _before_commit(session: Session) -> None:
    """Recompute the stored flags of the contracts this transaction touched: every
    contract's when the review share changed (each row is keyed by it), every direct
    award's when a threshold did."""
    touched = session.info.pop(_STALE, set())
    review_share = session.info.pop(_REVIEW_SHARE, False)
    thresholds = session.info.pop(_THRESHOLDS, False)
    if review_share:
        touched |= set(session.scalars(sa.select(Contract.id)))
    elif thresholds:
        touched |= set(
            session.scalars(
                sa.select(Contract.id).where(
                    Contract.procurement_basis == ProcurementBasis.DIRECT_AWARD
                )
            )
        )
    if touched and session is db.session():
        refresh(touched)


def _forget(session: Session, *_args) -> None:
    session.info.pop(_STALE, None)
    session.info.pop(_THRESHOLDS, None)
    session.info.pop(_REVIEW_SHARE, None)


def install() -> None:
    """Attach the hooks to every ORM session (once). Call it before the summaries'
    (:func:`app.services.summaries.install`): their statement hook runs the statement, and
    this one must see the invoices before it does."""
    if sa.event.contains(Session, "after_flush", _after_flush):
        return
    sa.event.listen(Session, "do_orm_execute", _on_execute)
    sa.event.listen(Session, "after_flush", _after_flush)
    sa.event.listen(Session, "before_commit", _before_commit)
    sa.event.listen(Session, "after_rollback", _forget)


# --- checking and rebuilding -------------------------------------------------------------------


def differences() -> list[int]:
    """The contracts whose stored flags differ from flags computed afresh (a row missing, or
    computed under other settings, counts as a difference), in id order."""
    db.session.flush()
    rules = flag_rules()
    found = []
    ids = list(db.session.scalars(sa.select(Contract.id).order_by(Contract.id)))
    for start in range(0, len(ids), CHUNK):
        contracts = list(
            db.session.scalars(
                sa.select(Contract).where(Contract.id.in_(ids[start : start + CHUNK]))
            )
        )
        stored = {
            row.contract_id: row
            for row in db.session.scalars(
                sa.select(ContractFlagSet).where(
                    ContractFlagSet.contract_id.in_([c.id for c in contracts])
                )
            )
        }
        for contract, progress in _progress(contracts):
            row = stored.get(contract.id)
            fresh = _row(contract, progress, rules)
            if row is None or (row.settings, row.flags) != (fresh["settings"], fresh["flags"]):
                found.append(contract.id)
    return sorted(found)


def rebuild() -> list[int]:
    """Recompute every stored flag set that differs; returns their contracts' ids. Flushes,
    never commits."""
    found = differences()
    refresh(found)
    return found


def fill_missing() -> int:
    """Store the flags of every contract that has none (a database from before the store, or
    one loaded past Insyn), committing a chunk of contracts at a time; returns how many."""
    missing = db.session.scalars(
        sa.select(Contract.id)
        .where(Contract.id.not_in(sa.select(ContractFlagSet.contract_id)))
        .order_by(Contract.id)
    ).all()
    for start in range(0, len(missing), CHUNK):
        refresh(missing[start : start + CHUNK])
        db.session.commit()
    return len(missing)
