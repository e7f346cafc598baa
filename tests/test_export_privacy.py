"""Who is a private person in open data: personnummer-shaped ids (not organisation numbers),
``SURNAME;FIRSTNAME`` names, and the clerk's flag."""

from __future__ import annotations

import pytest
from stdnum import luhn

from app.exporting.privacy import PRIVATE_PERSON
from app.exporting.privacy import is_private_person
from app.exporting.privacy import public_vendor
from app.exporting.privacy import public_vendors
from app.identifiers import IdKind
from app.identifiers import is_organisation_number
from app.identifiers import is_person_name
from app.identifiers import is_personnummer


def with_check_digit(nine: str) -> str:
    """``"800101123"`` → ``"800101-1231"``: nine digits made a valid number (Luhn)."""
    return f"{nine[:6]}-{nine[6:]}{luhn.calc_check_digit(nine)}"


PERSON = with_check_digit("800101123")  # born 1 January 1980
COORDINATION = with_check_digit("800161123")  # samordningsnummer: the day plus 60
COMPANY = "556036-0793"
MUNICIPALITY = "212000-0142"


def test_the_numbers_made_here_are_valid():
    assert luhn.is_valid(PERSON.replace("-", "")) and luhn.is_valid(COMPANY.replace("-", ""))


@pytest.mark.parametrize(
    "text",
    [
        PERSON,
        PERSON.replace("-", ""),
        PERSON.replace("-", "+"),  # over a hundred years old
        "19" + PERSON,
        "19" + PERSON.replace("-", ""),
        f" {PERSON[:6]} {PERSON[7:]} ",
        COORDINATION,
        "SE" + PERSON.replace("-", "") + "01",  # a sole trader's VAT number
    ],
)
def test_personnummer_in_any_notation_is_personal(text):
    assert is_personnummer(text)
    assert not is_organisation_number(text)


@pytest.mark.parametrize(
    "text",
    [
        COMPANY,
        "5560360793",
        "16" + COMPANY,
        MUNICIPALITY,
        "SE556036079301",
        PERSON[:-1] + str((int(PERSON[-1]) + 1) % 10),  # a wrong check digit
        COORDINATION[:-1] + str((int(COORDINATION[-1]) + 1) % 10),
        "801301-1234",  # no 13th month
        "GB123456789",
        "NULL",
        "",
        None,
    ],
)
def test_organisation_numbers_and_other_ids_are_not_personal(text):
    assert not is_personnummer(text)


def test_an_organisation_number_needs_its_third_digit_at_least_2():
    # Both pass the same Luhn check: the third digit tells them apart.
    assert luhn.is_valid(PERSON.replace("-", ""))
    assert is_organisation_number(COMPANY) and is_organisation_number(MUNICIPALITY)
    assert not is_organisation_number(PERSON)


@pytest.mark.parametrize(
    "name", ["ANDERSSON;ANNA", "ANDERSSON;ANNA   ", "Öberg ; Åsa", "VON ESSEN;CARL-JOHAN"]
)
def test_surname_semicolon_firstname_is_a_person(name):
    assert is_person_name(name)
    assert is_private_person(name, COMPANY)


@pytest.mark.parametrize(
    "name", ["Andersson Konsult AB", "A;B;C", ";ANNA", "ANDERSSON;", "123;456", "", None]
)
def test_other_names_are_not_persons(name):
    assert not is_person_name(name)


def test_any_one_of_the_three_signs_makes_a_private_person():
    assert not is_private_person("Sociala Medier i Sörmland AB", COMPANY)
    assert is_private_person("Anna Andersson Konsult", PERSON)
    assert is_private_person("Anna Andersson Konsult", None, "SE" + PERSON.replace("-", "") + "01")
    assert is_private_person("ANDERSSON;ANNA", None)
    assert is_private_person("Anna Andersson Konsult", COMPANY, flagged=True)


def test_a_private_person_is_published_without_name_or_ids():
    shown = public_vendor("ANDERSSON;ANNA", PERSON, "SE" + PERSON.replace("-", "") + "01")
    assert shown.name == PRIVATE_PERSON == "Privatperson"
    assert shown.org_number is None and shown.vat_number is None and shown.is_private
    company = public_vendor("Penseo AB", COMPANY, "SE556036079301", IdKind.ORGNR)
    assert (company.name, company.org_number, company.is_private) == ("Penseo AB", COMPANY, False)


def test_public_vendors_apply_the_rule_to_every_vendor(db, make_vendor):
    flagged = make_vendor(name="Anna Andersson Konsult", is_private_person=True)
    by_name = make_vendor(name="ANDERSSON;BERIT")
    by_number = make_vendor(name="Berit Andersson Bygg", org_number=PERSON)
    company = make_vendor(name="Bolaget AB", org_number=COMPANY)
    shown = public_vendors()
    for vendor in (flagged, by_name, by_number):
        assert shown[vendor.id].name == PRIVATE_PERSON and shown[vendor.id].org_number is None
    assert shown[company.id].name == "Bolaget AB" and shown[company.id].org_number == COMPANY
