"""Who publishes the exported data, under which licence, and how its OCDS package names itself:
a :class:`Publication`, built once from the configuration (``PUBLISHER_*``, ``DATA_LICENCE``,
``OCDS_*``, ``BABEL_DEFAULT_*``) by the command or view that exports, and passed to every
exporter that states it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

#: Licence ids (Open Definition / SPDX) of the licences public bodies use, by their address.
_LICENCE_IDS = {
    "creativecommons.org/publicdomain/zero/1.0": "CC0-1.0",
    "creativecommons.org/licenses/by/4.0": "CC-BY-4.0",
    "creativecommons.org/licenses/by-sa/4.0": "CC-BY-SA-4.0",
    "opendatacommons.org/licenses/pddl": "PDDL-1.0",
    "opendatacommons.org/licenses/by": "ODC-BY-1.0",
    "opendatacommons.org/licenses/odbl": "ODbL-1.0",
    "www.nationalarchives.gov.uk/doc/open-government-licence/version/3": "OGL-UK-3.0",
}
_URL = re.compile(r"https?://[^\s()]+")


@dataclass(frozen=True)
class Publisher:
    """The body publishing the data: the buyer of every invoice and contract."""

    name: str
    org_number: str  #: NNNNNN-NNNN; empty when not configured
    municipality_code: str  #: SCB's four-digit code (kommunkod); empty if not a municipality


@dataclass(frozen=True)
class Licence:
    """``DATA_LICENCE`` as written (``text``, what the lists and reports state) and taken
    apart: ``"CC0 1.0 Universal (https://…/zero/1.0/)"`` is the title ``CC0 1.0 Universal``,
    the address, and the id ``CC0-1.0`` (empty when not known)."""

    text: str
    title: str
    url: str
    name: str


@dataclass(frozen=True)
class Publication:
    """What every export says about its publication.

    Attributes:
        publisher: the body publishing the data.
        licence: the licence the data is published under.
        ocid_prefix: the prefix of the OCDS export's OCIDs (``<prefix>-<contract id>``).
        package_uri: where the OCDS release package is published; empty when it is not
            (the package then names itself by a name-based ``urn:uuid``).
        language: the publisher's language (a locale code such as ``sv``): the OCDS
            releases' ``language``.
        timezone: the IANA time zone the OCDS dates without a time are placed in.
    """

    publisher: Publisher
    licence: Licence
    ocid_prefix: str = "ocds-insyn"
    package_uri: str = ""
    language: str = "sv"
    timezone: str = "UTC"


def publication_from(config: Mapping) -> Publication:
    """The publication a configuration mapping (an app's ``config``, or a plain ``dict``)
    describes; a setting that is missing or empty takes the default of :class:`Publication`
    (a missing publisher or licence is empty)."""
    return Publication(
        publisher=Publisher(
            name=str(config.get("PUBLISHER_NAME") or ""),
            org_number=str(config.get("PUBLISHER_ORG_NUMBER") or ""),
            municipality_code=str(config.get("PUBLISHER_MUNICIPALITY_CODE") or ""),
        ),
        licence=licence_from(str(config.get("DATA_LICENCE") or "")),
        ocid_prefix=str(config.get("OCDS_OCID_PREFIX") or Publication.ocid_prefix),
        package_uri=str(config.get("OCDS_PACKAGE_URI") or ""),
        language=str(config.get("BABEL_DEFAULT_LOCALE") or Publication.language),
        timezone=str(config.get("BABEL_DEFAULT_TIMEZONE") or Publication.timezone),
    )


def licence_from(text: str) -> Licence:
    """``text`` (a title and its address in brackets, or either alone) taken apart; an address
    not in :data:`_LICENCE_IDS` has no id."""
    stripped = text.strip()
    found = _URL.search(stripped)
    url = found.group(0) if found else ""
    title = _URL.sub("", stripped).replace("()", "").strip(" ()") or url
    key = re.sub(r"^https?://", "", url).rstrip("/")
    return Licence(text=text, title=title, url=url, name=_LICENCE_IDS.get(key, ""))
