"""A flag's evidence: the invoices it cites, as a sequence of ids in date order that knows
its length without reading them all. A flag can cite every invoice of a large contract or
of a large vendor's year (hundreds of thousands): a page shows how many and the first
:data:`HEAD`, which :attr:`Evidence.head` gives as shown (number, date, amount); only a
download or the JSON reads them all."""

from __future__ import annotations

import datetime as dt
from abc import abstractmethod
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.models import Invoice

#: The invoices of a flag a page lists.
HEAD = 50


@dataclass(frozen=True)
class Shown:
    """An invoice a flag cites, as a page lists it."""

    id: int
    invoice_number: str
    invoiced_on: dt.date
    net_amount: Decimal
    currency: str


class Evidence(Sequence):
    """Invoice ids in date order: ``len`` is ``total``; the first :data:`HEAD` come from
    :attr:`head`, anything further from :meth:`ids`, each read once."""

    def __init__(self, total: int):
        self.total = total
        self._head: list[Shown] | None = None
        self._ids: list[int] | None = None

    @property
    def head(self) -> list[Shown]:
        """The first :data:`HEAD` invoices, as shown."""
        if self._head is None:
            self._head = self._read_head()
        return self._head

    def ids(self) -> list[int]:
        """Every id, in order."""
        if self._ids is None:
            self._ids = (
                [shown.id for shown in self.head]
                if self.total <= len(self.head)
                else self._read_ids()
            )
        return self._ids

    @abstractmethod
    def _read_head(self) -> list[Shown]:
        """The first :data:`HEAD` invoices, read."""

    @abstractmethod
    def _read_ids(self) -> list[int]:
        """Every id, read."""

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(self.total)
            if step == 1 and stop <= HEAD:
                return [shown.id for shown in self.head[start:stop]]
            return self.ids()[index]
        if 0 <= index < HEAD:
            return self.head[index].id
        return self.ids()[index]

    def __iter__(self):
        return iter(self.ids())

    def __eq__(self, other) -> bool:
        return list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self.total} invoice(s)>"


class SelectedEvidence(Evidence):
    """The valid invoices matching the conditions ``where()`` gives, ``total`` of them
    (known beforehand, from a summary), in (invoice date, id) order. The conditions are made
    only when the invoices are read: a page builds many flags and reads few."""

    def __init__(self, total: int, where: Callable[[], tuple]):
        super().__init__(total)
        self.where = where

    def _select(self, *columns) -> sa.Select:
        return (
            sa.select(*columns)
            .where(Invoice.voided_at.is_(None), *self.where())
            .order_by(Invoice.invoiced_on, Invoice.id)
        )

    def _read_head(self) -> list[Shown]:
        columns = (
            Invoice.id,
            Invoice.invoice_number,
            Invoice.invoiced_on,
            Invoice.net_amount,
            Invoice.currency,
        )
        rows = db.session.execute(self._select(*columns).limit(HEAD))
        return [Shown(*row) for row in rows]

    def _read_ids(self) -> list[int]:
        return list(db.session.scalars(self._select(Invoice.id)))
