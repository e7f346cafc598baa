"""What every open-data file says about who publishes it and under which licence, read from
the configuration (``PUBLISHER_*``, ``DATA_LICENCE``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app

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


def publisher() -> Publisher:
    config = current_app.config
    return Publisher(
        name=str(config.get("PUBLISHER_NAME") or ""),
        org_number=str(config.get("PUBLISHER_ORG_NUMBER") or ""),
        municipality_code=str(config.get("PUBLISHER_MUNICIPALITY_CODE") or ""),
    )


@dataclass(frozen=True)
class Licence:
    """``DATA_LICENCE`` taken apart: ``"CC0 1.0 Universal (https://…/zero/1.0/)"`` is the title
    ``CC0 1.0 Universal``, the address, and the id ``CC0-1.0`` (empty when not known)."""

    title: str
    url: str
    name: str


def data_licence() -> Licence:
    text = str(current_app.config.get("DATA_LICENCE") or "").strip()
    found = _URL.search(text)
    url = found.group(0) if found else ""
    title = _URL.sub("", text).replace("()", "").strip(" ()") or url
    key = re.sub(r"^https?://", "", url).rstrip("/")
    return Licence(title=title, url=url, name=_LICENCE_IDS.get(key, ""))
