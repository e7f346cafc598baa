"""Full-text search in the database's own index: SQLite's FTS5, PostgreSQL's ``tsvector``.

A search finds the records holding every word typed as the start of a word, whatever the
case and the diacritics: "soc medier" finds "Sociala medier", "sormland" finds "Sörmland".
A number is looked for as a whole word: "100" finds "100 %" but not "1000", "2009" finds
"KS 2009/412".
Text is cut into words at anything that is not a letter or a digit on both databases, so
"KS 2009/412" finds the registry number "KS 2009/412".

The indexes are kept by the database itself, whoever writes the rows (the services, the
bulk importer's core inserts, an undone import's deletes), made by the migration
``20261205_0620_e7a3f9c2b1d6_full_text_search``:

- on SQLite, an FTS5 table per document (``search_invoices`` …) with the rows' text (its
  ``content`` is the record's own table, so the text is not kept twice), tokenised by
  ``unicode61 remove_diacritics 2``, and triggers on the record's table that keep it in step;
- on PostgreSQL, a GIN index on ``insyn_search_vector(columns…)``, an immutable function
  that folds case and diacritics (``unaccent``) and cuts at punctuation; the index is kept
  in step by PostgreSQL. ``insyn_search_query(words)`` makes the prefix query. The function
  is PL/pgSQL (``20261206_1800_4a263784a5e0``): never inlined, so the planner weighs it as
  costly and reads the index, and cheap to call, as every insert calls it.

This module says which columns make each document, and turns typed text into a condition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.models import Contract
from app.models import Engagement
from app.models import Invoice
from app.models import Vendor
from app.models import VendorAlias
from app.money import AmountError
from app.money import parse_amount

#: More words than this in one search are not looked for (each is one more index lookup).
MAX_WORDS = 12
#: What a word is: letters and digits (``_`` is not a letter).
_WORD = re.compile(r"[^\W_]+")
#: A word that is a number, looked for whole.
_NUMBER = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class Document:
    """What one full-text index holds: the SQLite FTS5 table (its rowid is the record's id)
    and the columns whose text it holds, in the order PostgreSQL's index reads them."""

    fts_table: str
    model: type
    columns: tuple[str, ...]


INVOICES = Document("search_invoices", Invoice, ("invoice_number", "description"))
CONTRACTS = Document("search_contracts", Contract, ("reference", "title", "purpose"))
VENDORS = Document("search_vendors", Vendor, ("name", "org_number"))
VENDOR_ALIASES = Document("search_vendor_aliases", VendorAlias, ("name",))
#: The organiser of a paid lecture (a private person's name is personal data) …
ORGANISERS = Document("search_engagements", Engagement, ("organiser_name", "organiser_org_number"))
#: … and what the lecture was about: one SQLite table, two PostgreSQL indexes.
TOPICS = Document("search_engagements", Engagement, ("topic", "speaker"))

#: Every document, for the migration and the tests.
DOCUMENTS = (INVOICES, CONTRACTS, VENDORS, VENDOR_ALIASES, ORGANISERS, TOPICS)


def words(text: str | None) -> list[str]:
    """The words of ``text`` that a search looks for, in lower case (at most ``MAX_WORDS``)."""
    return [w.casefold() for w in _WORD.findall(text or "")][:MAX_WORDS]


def amount(text: str | None) -> Decimal | None:
    """``text`` read as an amount ("267350", "267 350", "267 350,00", "267350.00"), or
    ``None`` when it is not one."""
    cleaned = (text or "").strip()
    if not cleaned or not any(ch.isdigit() for ch in cleaned):
        return None
    try:
        return parse_amount(cleaned)
    except AmountError:
        return None


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def vector(document: Document) -> sa.ColumnElement:
    """PostgreSQL: the indexed expression of ``document`` (exactly as the index has it)."""
    return sa.func.insyn_search_vector(*(getattr(document.model, c) for c in document.columns))


def matches(document: Document, text: str | None) -> sa.ColumnElement:
    """A condition on ``document``'s records: they hold every word of ``text`` as the start
    of a word (in any of the document's columns). Never true when ``text`` has no words."""
    found = words(text)
    if not found:
        return sa.false()
    if _dialect() == "postgresql":
        query = sa.func.insyn_search_query(" ".join(found))
        condition = vector(document).op("@@")(query)
        if document is INVOICES:
            return condition
        # The records' ids from the index: the lists OR this with substring matches, and in
        # an OR the vector would be computed for every row instead.
        model = document.model
        return model.id.in_(sa.select(model.id).where(condition))
    # Words hold no quotes (see _WORD); a number is a whole word, as on PostgreSQL.
    terms = " AND ".join(f'"{w}"' if _NUMBER.fullmatch(w) else f'"{w}"*' for w in found)
    all_columns = {d.columns for d in DOCUMENTS if d.fts_table == document.fts_table}
    if len(all_columns) > 1:  # a table shared by two documents: only this one's columns
        terms = f"{{{' '.join(document.columns)}}} : ({terms})"
    fts = sa.table(document.fts_table, sa.column("rowid"))
    hits = sa.select(fts.c.rowid).where(sa.literal_column(document.fts_table).op("MATCH")(terms))
    return document.model.id.in_(hits)


class BulkInsert:
    """A bulk load of invoices into SQLite, in one transaction: the search index's insert
    trigger set aside while rows go in, and the new rows indexed at the end in one statement.

    FTS5 writes out what each statement added as a segment of its own, so a row-by-row
    trigger costs about 100 µs a row under a driver-level ``executemany`` (200,000 rows: 22 s
    against 5 s without); indexing the new rows in one ``INSERT … SELECT`` costs about 2 s.
    The trigger is dropped and made again inside the load's transaction, so no other
    connection ever sees the table without it, and a failed load rolls both back. The new
    rows are those above ``after_id``, the highest id before the load (ids only grow:
    AUTOINCREMENT). On PostgreSQL (the index is kept by the database, not by a trigger) it
    does nothing.
    """

    TRIGGER = "search_invoices_insert"

    def __init__(self, connection: sa.Connection, after_id: int) -> None:
        self.connection = connection
        self.trigger_sql: str | None = None
        self.after_id = after_id
        if connection.dialect.name != "sqlite":
            return
        self.trigger_sql = connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (self.TRIGGER,)
        ).scalar()
        if self.trigger_sql:
            connection.exec_driver_sql(f"DROP TRIGGER {self.TRIGGER}")

    def finish(self) -> None:
        """Index the rows loaded and put the trigger back (once the load has succeeded)."""
        if not self.trigger_sql:
            return
        columns = ", ".join(INVOICES.columns)
        self.connection.exec_driver_sql(
            f"INSERT INTO {INVOICES.fts_table} (rowid, {columns}) "  # noqa: S608 - constants
            f"SELECT id, {columns} FROM invoices WHERE id > ?",
            (self.after_id,),
        )
        self.connection.exec_driver_sql(self.trigger_sql)
        self.trigger_sql = None
