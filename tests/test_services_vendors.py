"""Vendors: one org number per vendor, aliases, and finding the vendor a clerk means."""

from __future__ import annotations

import pytest

from app.identifiers import IdKind
from app.privacy import Audience
from app.services import vendors
from app.services.errors import DuplicateError
from app.services.errors import ServiceError


def test_org_numbers_are_normalised_and_belong_to_one_vendor(db, make_vendor):
    first = make_vendor(name="Penseo AB", org_number="5560360793")
    assert (first.org_number, first.id_kind) == ("556036-0793", IdKind.ORGNR)
    with pytest.raises(DuplicateError) as caught:
        make_vendor(name="Annan AB", org_number="556036-0793")
    assert caught.value.existing == first


def test_an_invalid_org_number_is_refused_on_its_field(db, make_vendor):
    with pytest.raises(ServiceError) as caught:
        make_vendor(org_number="556036-0794")
    assert caught.value.field == "org_number"


def test_a_personnummer_marks_the_vendor_a_private_person(db, make_vendor):
    vendor = make_vendor(name="Andersson, Anna", org_number="880320-0016")
    assert vendor.is_private_person
    assert vendor.id_kind is IdKind.PERSONNUMMER
    assert vendor.label == "Andersson, Anna"  # the personnummer is never shown in the picker


def test_names_are_trimmed_and_whitespace_collapsed(db, make_vendor):
    vendor = make_vendor(name="  REGION  ÖREBRO LÄN ")
    assert vendor.name == "REGION ÖREBRO LÄN"
    assert vendor.name_key == "region örebro län"


def test_one_vendor_one_row_by_name_alias_or_number(db, make_vendor):
    vendor = make_vendor(
        name="PENSEO AB", org_number="556036-0793", aliases="Penseo  AB konsult\nPenseo"
    )
    assert vendors.find_by_name("penseo ab ") == vendor
    assert vendors.find_by_name("PENSEO") == vendor
    assert vendors.resolve("5560360793") == vendor
    assert vendors.resolve("penseo ab konsult") == vendor
    assert sorted(a.name for a in vendor.aliases) == ["Penseo", "Penseo AB konsult"]


def test_an_alias_names_one_vendor_only(db, make_vendor):
    make_vendor(name="Alfa AB", aliases=["Alfa konsult"])
    with pytest.raises(DuplicateError):
        make_vendor(name="Beta AB", aliases=["ALFA KONSULT"])


def test_resolve_refuses_an_ambiguous_or_unknown_name(db, make_vendor):
    make_vendor(name="Sörmlandskonsult AB")
    make_vendor(name="Sörmlands Media AB")
    with pytest.raises(ServiceError) as caught:
        vendors.resolve("sörmlands")
    assert "Sörmlandskonsult AB" in caught.value.params["names"]
    with pytest.raises(ServiceError):
        vendors.resolve("finns inte")
    assert vendors.resolve("media").name == "Sörmlands Media AB"


def test_search_puts_names_that_start_with_the_text_first(db, make_vendor):
    make_vendor(name="Konsultbolaget Media AB")
    make_vendor(name="Media Konsult AB")
    assert [v.name for v in vendors.search("media", Audience.STAFF)] == [
        "Media Konsult AB",
        "Konsultbolaget Media AB",
    ]


def test_search_treats_like_wildcards_as_text(db, make_vendor):
    make_vendor(name="100% Kommunikation AB")
    make_vendor(name="1000 Idéer AB")
    assert [v.name for v in vendors.search("100%", Audience.STAFF)] == ["100% Kommunikation AB"]


def test_an_other_spelling_longer_than_a_name_is_refused(db, make_vendor):
    """The column holds 300 characters (PostgreSQL refuses more; SQLite would keep them)."""
    with pytest.raises(ServiceError) as refused:
        vendors.create_vendor({"name": "Kort AB", "aliases": ["Å" * 301]})
    assert refused.value.field == "aliases" and refused.value.params["limit"] == "300"
    assert vendors.create_vendor({"name": "Lång AB", "aliases": ["Å" * 300]}).aliases
