"""The search box and the lists' text filters use the database's own full-text index (FTS5 on
SQLite, tsvector with unaccent on PostgreSQL): diacritics do not matter, every word typed is
the start of a word, an amount finds the invoices of that amount; the index follows every
insert, update and delete, the bulk importer's core inserts included; and the public still
cannot find a private person."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.models import Engagement
from app.models import Invoice
from app.services import fulltext
from app.services.income import create_engagement
from app.services.invoice_filters import InvoiceFilters
from app.services.invoices import invoice_select
from tests.test_reports import _list_sum as list_sum


def _search(client, q: str) -> str:
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _invoice_ids(db, q: str, status: str = "all") -> set[int]:
    statement = invoice_select(InvoiceFilters(q=q, status=status))
    return {invoice.id for invoice in db.session.scalars(statement)}


@pytest.fixture
def consultant(db, make_vendor, make_invoice):
    vendor = make_vendor(name="Sociala Medier i Sörmland AB", org_number="556677-8899")
    invoices = [
        make_invoice(vendor=vendor, invoice_number="SM-2010-07", net_amount=Decimal("267350.00"),
                     description="Strategi för sociala medier i Sörmland"),
        make_invoice(vendor=vendor, invoice_number="SM-2010-08", net_amount=Decimal("1200.00"),
                     description="Kurs i webbpublicering"),
    ]  # fmt: skip
    return vendor, invoices


def test_diacritics_do_not_matter(anonymous, db, consultant):
    vendor, (strategy, _course) = consultant
    html = _search(anonymous, "sormland")
    assert f'href="/vendors/{vendor.id}"' in html
    assert 'id="search-invoices"' in html
    assert _invoice_ids(db, "sormland") == {strategy.id}
    assert _invoice_ids(db, "SÖRMLAND") == {strategy.id}
    # And the other way: an accent typed where the text has none.
    assert _invoice_ids(db, "wébbpublicering") == {consultant[1][1].id}


def test_every_word_is_found_as_the_start_of_a_word(anonymous, db, consultant):
    vendor, (strategy, course) = consultant
    assert _invoice_ids(db, "soc medier") == {strategy.id}
    assert _invoice_ids(db, "strat SÖRML") == {strategy.id}
    assert _invoice_ids(db, "medier webb") == set()  # every word, not any
    assert _invoice_ids(db, "ocial") == set()  # the start of a word, not its middle
    assert f'href="/vendors/{vendor.id}"' in _search(anonymous, "soc medier")
    listed = anonymous.get("/invoices/", query_string={"q": "soc medier"}).get_data(as_text=True)
    assert "SM-2010-07" in listed and "SM-2010-08" not in listed
    assert _invoice_ids(db, "SM 2010 08") == {course.id}  # numbers cut at punctuation


def test_a_number_is_a_whole_word(db, make_vendor, make_invoice):
    vendor = make_vendor(name="Siffror AB")
    hundred = make_invoice(vendor=vendor, description="100 % av arvodet", net_amount=Decimal(7))
    thousand = make_invoice(vendor=vendor, description="1000 affischer", net_amount=Decimal(9))
    assert _invoice_ids(db, "100") == {hundred.id}
    assert _invoice_ids(db, "1000") == {thousand.id}
    assert _invoice_ids(db, "affisch 1000") == {thousand.id}


def test_an_imported_file_is_found_and_undone_from_the_search(runner, db, tmp_path, make_user):
    from tests.test_importing_errors import import_file

    admin = make_user("admin")
    path = tmp_path / "reskontra.csv"
    path.write_text(
        "Leverantör;Org.nr;Fakturadatum;Belopp;Beskrivning\n"
        "Penseo AB;556703-7485;2010-03-01;1 000,00;Workshop i Hässleholm\n"
        "Mediabyrån AB;556811-9357;2010-03-04;2 500,50;Affischer till Växjö\n",
        encoding="utf-8",
    )
    assert import_file(runner, path).exit_code == 0
    assert len(_invoice_ids(db, "hassleholm")) == 1 and len(_invoice_ids(db, "vaxjo aff")) == 1
    # The search's trigger is back after the load: a record entered by hand is found.
    assert len(_invoice_ids(db, "2500,50")) == 1
    batch = db.session.scalar(
        sa.select(Invoice.import_batch_id).where(Invoice.import_batch_id.is_not(None))
    )
    undone = runner.invoke(
        args=["imports", "undo", str(batch), "--reason", "Fel fil", "--as", admin.email]
    )
    assert undone.exit_code == 0, undone.output
    assert _invoice_ids(db, "hassleholm", "active") == set()


def test_the_search_trigger_is_back_after_an_import(runner, db, tmp_path, make_invoice):
    from tests.test_importing_errors import import_file

    path = tmp_path / "reskontra.csv"
    path.write_text(
        "Leverantör;Org.nr;Fakturadatum;Belopp;Beskrivning\n"
        "Penseo AB;556703-7485;2010-03-01;1 000,00;Workshop i Hässleholm\n",
        encoding="utf-8",
    )
    assert import_file(runner, path).exit_code == 0
    later = make_invoice(description="Efter importen: Göteborg")
    assert _invoice_ids(db, "goteborg") == {later.id}


@pytest.mark.parametrize("typed", ["267350", "267 350", "267 350,00", "267350.00", "267 350 kr"])
def test_an_amount_finds_the_invoices_of_that_amount(anonymous, db, consultant, typed):
    _vendor, (strategy, _course) = consultant
    assert _invoice_ids(db, typed) == {strategy.id}
    html = _search(anonymous, typed)
    link = re.search(r'href="(/invoices/\?q=[^"]+)"', html).group(1).replace("&amp;", "&")
    assert list_sum(anonymous, link) == Decimal("267350.00")


def test_the_index_follows_core_inserts_updates_and_deletes(db, consultant):
    vendor, _invoices = consultant
    # The bulk importer writes with core inserts, not through the ORM.
    db.session.execute(
        sa.insert(Invoice),
        [
            {"vendor_id": vendor.id, "invoice_number": f"IMP-{i}",
             "invoiced_on": dt.date(2011, 1, i), "net_amount": Decimal("100.00"),
             "vat_amount": Decimal("25.00"), "currency": "SEK",
             "description": "Importerad rad om Västerås"}
            for i in (1, 2)
        ],
    )  # fmt: skip
    imported = _invoice_ids(db, "vasteras")
    assert len(imported) == 2
    first = min(imported)
    db.session.execute(
        sa.update(Invoice).where(Invoice.id == first).values(description="Rättad: Örebro")
    )
    assert _invoice_ids(db, "vasteras") == imported - {first}
    assert _invoice_ids(db, "orebro") == {first}
    db.session.execute(sa.delete(Invoice).where(Invoice.id.in_(imported)))
    assert _invoice_ids(db, "vasteras") == set() and _invoice_ids(db, "orebro") == set()


def test_contracts_vendors_other_spellings_and_fee_income_are_found(
    anonymous, db, make_vendor, make_contract, make_rate_card
):
    vendor = make_vendor(name="Kommunikationsbyrån Ängel AB", aliases=["Ängelbyrån"])
    contract = make_contract(vendor=vendor, title="Ramavtal för sociala medier",
                             reference="KS 2011/77")  # fmt: skip
    make_rate_card()
    create_engagement({"organiser_name": "Föreningen Målarna", "topic": "Sociala medier i vården",
                       "first_day": dt.date(2010, 5, 3)})  # fmt: skip
    db.session.commit()
    assert f'href="/vendors/{vendor.id}"' in _search(anonymous, "angelbyr")  # another spelling
    assert f'href="/vendors/{vendor.id}"' in _search(anonymous, "kommunikationsbyran")
    html = _search(anonymous, "ramavt soc med")
    assert f'href="/contracts/{contract.id}"' in html
    assert 'id="search-income"' in _search(anonymous, "malarna")
    assert 'id="search-income"' in _search(anonymous, "vardén soc")


def test_the_public_cannot_find_a_private_person_by_any_spelling(
    anonymous, client, db, make_vendor, make_invoice, make_rate_card
):
    person = make_vendor(name="Åsa Öberg", org_number="811218-9876", aliases=["OBERG;ASA"])
    assert person.is_private_person
    make_invoice(vendor=person, description="Föreläsning")
    make_rate_card()
    create_engagement({"organiser_name": "ÖBERG;ÅSA", "topic": "Kommunikation",
                       "first_day": dt.date(2010, 5, 3)})  # fmt: skip
    db.session.commit()
    engagement = db.session.scalar(sa.select(Engagement).order_by(Engagement.id.desc()))
    assert engagement.organiser_is_private
    for q in ("asa oberg", "Oberg", "åsa", "ober asa"):
        assert 'id="search-nothing"' in _search(anonymous, q), q
        assert f'href="/vendors/{person.id}"' not in anonymous.get(
            "/vendors/", query_string={"q": q}
        ).get_data(as_text=True)
        assert f'href="/vendors/{person.id}"' in _search(client, q), q  # staff find her
        assert 'id="search-income"' in _search(client, q), q
    # What the lecture was about is no personal data: anyone finds it.
    assert 'id="search-income"' in _search(anonymous, "kommunikat")


def test_the_search_reads_the_full_text_index(db, consultant):
    """The plan of an invoice search goes through the index, not through every row."""
    statement = invoice_select(InvoiceFilters(q="soc medier", status="all"))
    sql = statement.compile(db.session.get_bind(), compile_kwargs={"literal_binds": True})
    if db.session.get_bind().dialect.name == "postgresql":
        # With a handful of rows any plan is cheap: forbid the ones that do not show whether
        # the search can use its index (reading every row, or every row of a joined vendor,
        # or a whole other index with the condition as a filter).
        for setting in ("enable_seqscan", "enable_nestloop", "enable_indexscan"):
            db.session.execute(sa.text(f"SET LOCAL {setting} = off"))
        plan = " ".join(row[0] for row in db.session.execute(sa.text(f"EXPLAIN {sql}")))
        assert "ix_search_invoices" in plan, plan
    else:
        plan = " ".join(
            str(row[-1]) for row in db.session.execute(sa.text(f"EXPLAIN QUERY PLAN {sql}"))
        )
        assert "VIRTUAL TABLE INDEX" in plan and "search_invoices" in plan, plan


def test_words_and_amounts_are_read_from_what_was_typed():
    assert fulltext.words('Soc "medier"* AND -x_y 2009/412') == [
        "soc", "medier", "and", "x", "y", "2009", "412",
    ]  # fmt: skip
    assert fulltext.words("a " * 50) == ["a"] * fulltext.MAX_WORDS
    assert fulltext.amount("267 350,00") == Decimal("267350.00")
    assert fulltext.amount("sociala medier") is None and fulltext.amount("12,345") is None


def test_the_upgrade_indexes_the_rows_already_there(databases, migrated_app):
    from flask_migrate import downgrade
    from flask_migrate import upgrade

    from app.extensions import db as _db

    app = migrated_app(databases.new())
    now = "2026-01-01 00:00:00"
    try:
        with app.app_context():
            downgrade(revision="b4e1c7a2d9f3")
            with _db.engine.begin() as connection:
                connection.execute(
                    sa.text(
                        "INSERT INTO vendors (id, name, name_key, id_kind, country, "
                        "is_private_person, created_at, updated_at, version) VALUES "
                        "(1, 'Sociala Medier i Sörmland AB', 'sociala medier i sörmland ab', "
                        "'none', 'SE', false, :now, :now, 1)"
                    ),
                    {"now": now},
                )
                connection.execute(
                    sa.text(
                        "INSERT INTO invoices (vendor_id, invoice_number, invoiced_on, "
                        "net_amount, vat_amount, currency, description, created_at, "
                        "updated_at, version) VALUES (1, 'F1', '2010-01-01', 26735000, 0, "
                        "'SEK', 'Sociala medier i Sörmland', :now, :now, 1)"
                    ),
                    {"now": now},
                )
            upgrade()
            with app.test_request_context():
                assert len(_invoice_ids(_db, "soc sormland")) == 1
                # The vendors' index too.
                found = _db.session.scalar(
                    sa.select(sa.func.count()).where(fulltext.matches(fulltext.VENDORS, "sorml"))
                )
                assert found == 1
            _db.session.remove()
    finally:
        with app.app_context():
            _db.engine.dispose()


#: Texts whose documents the two ways of computing them must agree on: diacritics, case,
#: punctuation, registry numbers, empty and missing columns.
_DOCUMENTS = (
    ("Sociala Medier i Sörmland AB", "556677-8899"),
    ("KS 2009/412", None),
    (None, "Ärende: Östersund, Åre & Malmö (2010)"),
    ("", ""),
    ("Ελληνικά Ñandú façade", "a.b,c;d"),
)


def test_the_search_document_is_computed_by_plpgsql_as_it_was_by_sql(databases, migrated_app):
    """On PostgreSQL ``insyn_search_vector`` is PL/pgSQL (never inlined, and without the SQL
    function's own search path to set on every call, which made every insert pay for it):
    the same documents as the SQL function before it, whatever the caller's search path, and
    the SQL function is back after a downgrade. On SQLite the revision changes nothing."""
    from flask_migrate import downgrade
    from flask_migrate import upgrade

    from app.extensions import db as _db

    app = migrated_app(databases.new())

    def functions(connection) -> list[tuple]:
        return connection.execute(
            sa.text(
                "SELECT p.pronargs, l.lanname, p.proconfig IS NOT NULL, p.procost "
                "FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_language l ON l.oid = p.prolang "
                "WHERE p.proname = 'insyn_search_vector' ORDER BY p.pronargs"
            )
        ).all()

    def documents(connection) -> list[str]:
        found = []
        for one, two in _DOCUMENTS:
            found += connection.execute(
                sa.text(
                    "SELECT public.insyn_search_vector(:one)::text, "
                    "public.insyn_search_vector(:one, :two)::text, "
                    "public.insyn_search_vector(:two, :one, :two)::text"
                ),
                {"one": one, "two": two},
            ).one()
        return found

    try:
        with app.app_context():
            if _db.engine.dialect.name != "postgresql":
                downgrade(revision="4016d82bfdae")
                upgrade()
                assert "search_invoices" in sa.inspect(_db.engine).get_table_names()
                return
            with _db.engine.connect() as connection:
                assert functions(connection) == [(n, "plpgsql", False, 1000) for n in (1, 2, 3)]
                now = documents(connection)
                connection.execute(sa.text("SET search_path = ''"))  # as a restore runs
                assert documents(connection) == now
            assert "'sormland':4" in now[1] and "'2009':2 '412':3" in now[3]
            downgrade(revision="4016d82bfdae")
            with _db.engine.connect() as connection:
                assert functions(connection) == [(n, "sql", True, 1000) for n in (1, 2, 3)]
                assert documents(connection) == now
            upgrade()
            with _db.engine.connect() as connection:
                assert functions(connection) == [(n, "plpgsql", False, 1000) for n in (1, 2, 3)]
    finally:
        with app.app_context():
            _db.engine.dispose()
