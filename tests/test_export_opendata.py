"""What every export says about its publication, built from a plain configuration mapping:
no application is needed to make it or to use it."""

from __future__ import annotations

from flask import has_app_context

from app.exporting.opendata import Licence
from app.exporting.opendata import Publication
from app.exporting.opendata import Publisher
from app.exporting.opendata import licence_from
from app.exporting.opendata import publication_from

CC0 = "CC0 1.0 Universal (https://creativecommons.org/publicdomain/zero/1.0/)"


def test_a_publication_is_built_from_a_plain_mapping():
    assert not has_app_context()
    publication = publication_from(
        {
            "PUBLISHER_NAME": "Testkommun",
            "PUBLISHER_ORG_NUMBER": "212000-0142",
            "PUBLISHER_MUNICIPALITY_CODE": "0180",
            "DATA_LICENCE": CC0,
            "OCDS_OCID_PREFIX": "ocds-zz9z9z",
            "OCDS_PACKAGE_URI": "https://example.org/ocds/package.json",
            "BABEL_DEFAULT_LOCALE": "en",
            "BABEL_DEFAULT_TIMEZONE": "Europe/Stockholm",
            "SECRET_KEY": "not read",
        }
    )
    assert publication == Publication(
        publisher=Publisher(name="Testkommun", org_number="212000-0142", municipality_code="0180"),
        licence=Licence(
            text=CC0,
            title="CC0 1.0 Universal",
            url="https://creativecommons.org/publicdomain/zero/1.0/",
            name="CC0-1.0",
        ),
        ocid_prefix="ocds-zz9z9z",
        package_uri="https://example.org/ocds/package.json",
        language="en",
        timezone="Europe/Stockholm",
    )


def test_settings_left_out_or_empty_take_the_defaults():
    publication = publication_from({"OCDS_OCID_PREFIX": "", "BABEL_DEFAULT_TIMEZONE": None})
    assert publication.publisher == Publisher("", "", "")
    assert publication.licence == Licence(text="", title="", url="", name="")
    assert (publication.ocid_prefix, publication.package_uri) == ("ocds-insyn", "")
    assert (publication.language, publication.timezone) == ("sv", "UTC")


def test_a_licence_is_taken_apart_whichever_way_it_is_written():
    url = "https://creativecommons.org/licenses/by/4.0/"
    assert licence_from(url) == Licence(text=url, title=url, url=url, name="CC-BY-4.0")
    assert licence_from("  Egen licens  ") == Licence("  Egen licens  ", "Egen licens", "", "")
    unknown = licence_from("Egen licens (https://example.org/licens)")
    assert (unknown.title, unknown.url, unknown.name) == (
        "Egen licens",
        "https://example.org/licens",
        "",
    )
