"""Organisation numbers: reading, validating and normalising the ids vendors are known by.

A Swedish organisation number (organisationsnummer) has ten digits ``NNNNNN-NNNN`` with a Luhn
check digit, and its third digit is 2 or more. Sole traders (enskild firma) are identified by
their personnummer instead: same shape, but the middle digits are a birth date, and it is
personal data. Vendors abroad have ids of their own (often a VAT id such as ``DK78479310``).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from stdnum.exceptions import ValidationError
from stdnum.se import orgnr as se_orgnr
from stdnum.se import personnummer as se_personnummer

from app.money import N_


class IdKind(enum.StrEnum):
    """What kind of identifier a vendor has."""

    ORGNR = "orgnr"  #: a valid Swedish organisation number, NNNNNN-NNNN
    PERSONNUMMER = "personnummer"  #: a Swedish personal identity number: a private person
    FOREIGN = "foreign"  #: an id from another country, kept as given (upper-cased, no spaces)
    NONE = "none"  #: no id known


class OrgIdError(ValueError):
    """A Swedish-looking number that is not a valid organisation or personal number."""

    def __init__(self, message: str, **params: str) -> None:
        self.message = message
        self.params = params
        super().__init__(message % params)


@dataclass(frozen=True)
class OrgId:
    """A normalised vendor id and its kind; ``value`` is ``None`` when the kind is NONE."""

    value: str | None
    kind: IdKind

    @property
    def is_personal_data(self) -> bool:
        return self.kind is IdKind.PERSONNUMMER


_DIGITS_ONLY = re.compile(r"^[\d\s\-+]+$")


def normalise_org_id(text: str | None) -> OrgId:
    """Read a vendor id as typed or found in a file.

    Digits (with spaces, ``-`` or ``+``) must form a valid Swedish number: an organisation
    number of 10 digits (or 12 with the century prefix ``16``), normalised to ``NNNNNN-NNNN``;
    or a personnummer (10 or 12 digits), normalised the same way and marked as personal data.
    Anything with letters is a foreign id, kept upper-cased without spaces. Empty is no id.

    Raises:
        OrgIdError: digits that are neither a valid organisation number nor a personnummer,
            with a message saying which check failed.
    """
    if text is None or not text.strip():
        return OrgId(None, IdKind.NONE)
    cleaned = text.strip()
    if not _DIGITS_ONLY.match(cleaned):
        return OrgId(re.sub(r"\s+", "", cleaned).upper(), IdKind.FOREIGN)
    digits = re.sub(r"\D", "", cleaned)
    if len(digits) == 12 and digits.startswith("16"):
        digits = digits[2:]
    if len(digits) not in (10, 12):
        raise OrgIdError(
            N_("“%(text)s” has %(count)s digits; an organisation number has 10 (NNNNNN-NNNN)."),
            text=text.strip(),
            count=str(len(digits)),
        )
    if len(digits) == 10 and int(digits[2]) >= 2:
        try:
            return OrgId(se_orgnr.format(se_orgnr.validate(digits)), IdKind.ORGNR)
        except ValidationError:
            raise OrgIdError(
                N_("“%(text)s” is not a valid organisation number: its check digit is wrong."),
                text=text.strip(),
            ) from None
    try:
        number = se_personnummer.validate(cleaned if len(digits) == 12 else digits)
    except ValidationError:
        raise OrgIdError(
            N_("“%(text)s” is neither a valid organisation number nor a valid personnummer."),
            text=text.strip(),
        ) from None
    compact = re.sub(r"\D", "", number)[-10:]
    return OrgId(f"{compact[:6]}-{compact[6:]}", IdKind.PERSONNUMMER)
