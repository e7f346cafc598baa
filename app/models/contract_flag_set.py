"""ContractFlagSet: a contract's flags as last computed from its invoices and terms, so that
the pages listing many contracts' flags (the front page, a year's balance, a vendor's page,
the contract list) read them instead of working through every invoice of every contract.

Derived data, kept in the same transaction as every write that changes what it was computed
from (``app.services.flag_store``); ``insyn db rebuild-summaries`` recomputes it and reports
any difference. A row computed under other settings than the running ones (the amendment
review share, or for a direct award the thresholds) is not used: the flags are computed
afresh instead.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.models.base import db


class ContractFlagSet(db.Model):
    __tablename__ = "contract_flag_sets"

    contract_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contracts.id", ondelete="CASCADE"), primary_key=True
    )
    #: What the flags depend on beyond the contract's own records (see
    #: :func:`app.services.flag_store.settings_key`).
    settings: Mapped[str] = mapped_column(sa.String(80))
    #: The flags as JSON (:func:`app.services.flag_store.dumps`): an empty list when none.
    flags: Mapped[str] = mapped_column(sa.Text)
