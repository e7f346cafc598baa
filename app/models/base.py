"""The declarative base, its constraint naming convention, and the column types all models share."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING
from typing import Annotated

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import declared_attr
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.money import from_ore
from app.money import to_money
from app.money import to_ore

if TYPE_CHECKING:
    from app.models.import_batch import ImportBatch

#: Constraint names Alembic can rely on, the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


#: ``__table_args__`` of the tables whose ids are published (in URLs, exports, open data and
#: the audit trail): on SQLite a deleted row's id is never given to a new one (AUTOINCREMENT),
#: so a merged vendor's id cannot come back as another supplier carrying its history and
#: links. PostgreSQL's sequences never hand out an id twice anyway.
PUBLISHED_ID = {"sqlite_autoincrement": True}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


#: The Flask-SQLAlchemy extension, bound to an app by ``create_app``. It lives here, beside
#: ``Base``, so that models import it without importing ``app.extensions`` (which would
#: import the models back). ``app.extensions`` re-exports it.
db = SQLAlchemy(model_class=Base)


class Hundredths(sa.types.TypeDecorator):
    """A ``Decimal`` with two decimals stored as a whole number of hundredths (``BigInteger``).

    SQLite has no decimal type: ``Numeric`` there is a binary float, and sums drift. Stored as
    integers, sums are exact on SQLite and PostgreSQL alike, and ``func.sum`` over the column
    keeps this type, so a total comes back as a ``Decimal`` too.
    """

    impl = sa.BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return to_ore(to_money(value))

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return from_ore(value)

    @property
    def python_type(self):
        return Decimal


class Money(Hundredths):
    """An amount of money: ``Decimal`` kronor (or pounds, euros…) in Python, whole öre stored."""

    cache_ok = True


class Hours(Hundredths):
    """A number of hours: ``Decimal`` with two decimals in Python, hundredths of an hour stored."""

    cache_ok = True


def utcnow() -> dt.datetime:
    """The current time in UTC, timezone-aware."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """A timezone-aware UTC timestamp on both databases (SQLite drops the zone; this puts it
    back)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC timestamp is required")
        return value.astimezone(dt.UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value


# Annotated aliases: the house uses these instead of a type_annotation_map on Base, which
# Flask-SQLAlchemy 3.1 rejects.
intpk = Annotated[int, mapped_column(primary_key=True)]
money = Annotated[Decimal, mapped_column(Money)]
hours = Annotated[Decimal, mapped_column(Hours)]
currency_code = Annotated[str, mapped_column(sa.String(3), default="SEK")]


class TimestampMixin:
    """When a record was created and last changed (UTC)."""

    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class VersionMixin:
    """A version number, raised on every change. Saving a form built from an older version is
    refused (``app.services.conflicts``), and two writers racing each other are caught by
    the ORM's version check at flush."""

    #: 1 when created, +1 on every update.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls):  # noqa: N805 - SQLAlchemy's signature
        return {"version_id_col": cls.version}


class VoidMixin:
    """A record that is never deleted: a wrong one is voided with a reason, stays on record
    (shown struck through), and counts in no total, flag or export; restoring it is another
    audited change. Each model adds :func:`void_has_reason` to its ``__table_args__``."""

    #: When the record was voided (by hand, or by undoing its import); empty while it counts.
    voided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: Why it was voided, as the person who voided it wrote it.
    void_reason: Mapped[str | None] = mapped_column(sa.Text)

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None


def void_has_reason() -> sa.CheckConstraint:
    """The database's half of :class:`VoidMixin`: a void always has its reason, and a record
    that counts has none."""
    return sa.CheckConstraint(
        "(voided_at IS NULL AND void_reason IS NULL) "
        "OR (voided_at IS NOT NULL AND void_reason IS NOT NULL)",
        "void_has_reason",
    )


class ProvenanceMixin:
    """Where a record came from when it was imported: the batch and the row in its file."""

    #: The import batch that created this record; empty when entered by hand.
    import_batch_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("import_batches.id", ondelete="RESTRICT"), index=True
    )
    #: 1-based row number in its sheet (as a spreadsheet shows it).
    source_row: Mapped[int | None]
    #: The sheet of the file the row is on (a workbook's batch may read several); empty for
    #: a text file and for records entered by hand.
    source_sheet: Mapped[str | None] = mapped_column(sa.String(255))

    @declared_attr
    def import_batch(cls) -> Mapped[ImportBatch | None]:  # noqa: N805 - SQLAlchemy's signature
        return relationship("ImportBatch")


class ImportedMixin:
    """An entry of a managed list (a vendor, a category, a department) that an import may
    create, and withdraw again when that import is undone and nothing else uses it."""

    #: The import batch that created it; empty when entered by hand.
    import_batch_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("import_batches.id", ondelete="RESTRICT"), index=True
    )
    #: When the undoing of the import that created it withdrew it: left out of lists, menus
    #: and searches, and brought back when something uses it again. Empty while in use.
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    @declared_attr
    def import_batch(cls) -> Mapped[ImportBatch | None]:  # noqa: N805 - SQLAlchemy's signature
        return relationship("ImportBatch")

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None
