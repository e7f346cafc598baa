"""Organisation numbers: validation with python-stdnum and the NNNNNN-NNNN normal form."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from app.identifiers import IdKind
from app.identifiers import OrgIdError
from app.identifiers import is_organisation_number
from app.identifiers import is_personnummer
from app.identifiers import normalise_org_id
from app.privacy import is_private_person


@pytest.mark.parametrize(
    "text", ["556036-0793", "5560360793", " 556036 0793 ", "16556036-0793", "165560360793"]
)
def test_valid_organisation_numbers_are_normalised(text):
    org_id = normalise_org_id(text)
    assert org_id.value == "556036-0793"
    assert org_id.kind is IdKind.ORGNR
    assert not org_id.is_personal_data


def test_municipal_numbers_are_organisation_numbers():
    assert normalise_org_id("2120000142").value == "212000-0142"


@pytest.mark.parametrize("text", ["556036-0794", "556036-0790"])
def test_a_wrong_check_digit_is_refused(text):
    with pytest.raises(OrgIdError) as caught:
        normalise_org_id(text)
    assert "check digit" in caught.value.message


@pytest.mark.parametrize("text", ["55603607", "5560360793123", "123"])
def test_a_wrong_number_of_digits_is_refused_with_the_count(text):
    with pytest.raises(OrgIdError) as caught:
        normalise_org_id(text)
    assert caught.value.params["count"] == str(len(text))


@pytest.mark.parametrize("text", ["880320-0016", "8803200016", "19880320-0016", "198803200016"])
def test_a_personnummer_is_recognised_as_personal_data(text):
    org_id = normalise_org_id(text)
    assert org_id.value == "880320-0016"
    assert org_id.kind is IdKind.PERSONNUMMER
    assert org_id.is_personal_data


def test_an_invalid_personnummer_is_refused():
    with pytest.raises(OrgIdError):
        normalise_org_id("880320-0017")


@pytest.mark.parametrize(
    ("text", "expected"), [("DK 78479310", "DK78479310"), ("ee100456868", "EE100456868")]
)
def test_foreign_ids_are_kept_and_marked(text, expected):
    org_id = normalise_org_id(text)
    assert (org_id.value, org_id.kind) == (expected, IdKind.FOREIGN)


@pytest.mark.parametrize("text", [None, "", "   "])
def test_no_id_is_allowed_and_marked(text):
    org_id = normalise_org_id(text)
    assert (org_id.value, org_id.kind) == (None, IdKind.NONE)


# --- properties: every notation of a number normalises to one id; anything else is refused ----


@st.composite
def organisation_numbers(draw) -> str:
    """A valid organisation number, NNNNNN-NNNN (third digit 2 or more, Luhn check digit)."""
    nine = f"{draw(st.integers(1, 9))}{draw(st.integers(0, 9))}{draw(st.integers(2, 9))}"
    nine += "".join(str(draw(st.integers(0, 9))) for _ in range(6))
    return f"{nine[:6]}-{nine[6:]}{luhn.calc_check_digit(nine)}"


@st.composite
def personnummer(draw) -> str:
    """A valid personnummer YYMMDD-NNNC of a real date (or a coordination number: day + 60)."""
    day = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2024, 12, 31)))
    coordination = draw(st.booleans())
    nine = f"{day:%y%m}{day.day + (60 if coordination else 0):02d}"
    nine += "".join(str(draw(st.integers(0, 9))) for _ in range(3))
    return f"{nine[:6]}-{nine[6:]}{luhn.calc_check_digit(nine)}"


def _notations(number: str) -> list[str]:
    digits = number.replace("-", "")
    return [number, digits, f" {digits[:6]} {digits[6:]} ", number.replace("-", "\u2013"),
            "".join(chr(0xFF10 + int(d)) if d.isdigit() else d for d in number)]  # fmt: skip


@given(organisation_numbers())
def test_every_notation_of_an_organisation_number_is_the_same_id(number):
    for written in [*_notations(number), "16" + number, "16" + number.replace("-", "")]:
        org_id = normalise_org_id(written)
        assert (org_id.value, org_id.kind) == (number, IdKind.ORGNR), written
        assert is_organisation_number(written) and not is_personnummer(written), written
    vat = "SE" + number.replace("-", "") + "01"
    assert not is_personnummer(vat) and not is_private_person("Bolaget AB", vat_number=vat)


@given(personnummer())
def test_every_notation_of_a_personnummer_is_a_private_person(number):
    for written in [*_notations(number), "SE" + number.replace("-", "") + "01"]:
        assert is_personnummer(written), written
        assert is_private_person("Firma", org_number=written), written
    assert normalise_org_id(number).kind is IdKind.PERSONNUMMER


@given(st.text(max_size=40))
def test_any_text_is_an_id_or_refused_with_a_message(text):
    assert isinstance(is_personnummer(text), bool)
    assert isinstance(is_organisation_number(text), bool)
    try:
        org_id = normalise_org_id(text)
    except OrgIdError as error:
        assert error.message and "text" in error.params
    else:
        assert org_id.kind is IdKind.NONE or org_id.value


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("556O36-0793", "letters where digits go"),
        ("556036-079l", "letters where digits go"),
        ("\u202e556036-0793", "invisible character (U+202E)"),
        ("556036\u200b-0793", "invisible character (U+200B)"),
    ],
)
def test_look_alikes_of_an_organisation_number_are_refused(text, says):
    with pytest.raises(OrgIdError) as caught:
        normalise_org_id(text)
    assert says in str(caught.value) and "\u202e" not in caught.value.params["text"]


@pytest.mark.parametrize("text", ["٥٥٦٠٣٦-٠٧٩٣", "５５６０３６－０７９３", "556036\u22120793"])
def test_other_digits_and_dashes_read_as_the_number_meant(text):
    assert normalise_org_id(text).value == "556036-0793"
