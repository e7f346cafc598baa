"""Organisation numbers: validation with python-stdnum and the NNNNNN-NNNN normal form."""

from __future__ import annotations

import pytest

from app.identifiers import IdKind
from app.identifiers import OrgIdError
from app.identifiers import normalise_org_id


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
