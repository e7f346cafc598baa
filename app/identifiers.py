"""Organisation numbers: reading, validating and normalising the ids vendors are known by.

A Swedish organisation number (organisationsnummer) has ten digits ``NNNNNN-NNNN`` with a Luhn
check digit, and its third digit is 2 or more. Sole traders (enskild firma) are identified by
their personnummer instead: same shape, but the middle digits are a birth date, and it is
personal data. Vendors abroad have ids of their own (often a VAT id such as ``DK78479310``).
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass

from stdnum import luhn
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


_DIGITS_ONLY = re.compile(r"^[0-9\s\-+]+$")
#: Dashes and minus signs that word processors and web pages put where "-" was typed.
_DASHES = dict.fromkeys(
    map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-"
)
#: Letters that pass for digits: "556O36-0793".
_DIGIT_LOOKALIKES = str.maketrans("OoIl", "0011")
_SWEDISH_SHAPE = re.compile(r"^(?:\d{2})?\d{6}[-+]?\d{4}$")


def _plain_text(text: str) -> str:
    """``text`` with compatibility forms folded (full-width digits), every decimal digit of
    any script made ASCII, and dash look-alikes made "-": what a person meant by the digits
    and the hyphen they typed or pasted. Invisible format characters are kept (see
    :func:`normalise_org_id`)."""
    folded = unicodedata.normalize("NFKC", text).translate(_DASHES)
    return "".join(
        str(unicodedata.decimal(ch)) if not ch.isascii() and ch.isdecimal() else ch for ch in folded
    )


def _invisible(text: str) -> str | None:
    """The first invisible format character in ``text`` (a direction override, a zero-width
    space), as ``U+XXXX``, or ``None``."""
    for ch in text:
        if unicodedata.category(ch) == "Cf":
            return f"U+{ord(ch):04X}"
    return None


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
    invisible = _invisible(text)
    if invisible:
        raise OrgIdError(
            N_("“%(text)s” holds an invisible character (%(char)s); type the id without it."),
            # Quoted without it: a direction override would turn the message around.
            text="".join(ch for ch in text.strip() if unicodedata.category(ch) != "Cf"),
            char=invisible,
        )
    cleaned = _plain_text(text).strip()
    if not _DIGITS_ONLY.match(cleaned):
        if _SWEDISH_SHAPE.match(re.sub(r"\s+", "", cleaned).translate(_DIGIT_LOOKALIKES)):
            raise OrgIdError(
                N_(
                    "“%(text)s” looks like an organisation number with letters where digits go "
                    "(O for 0, l for 1?); type it with digits only."
                ),
                text=text.strip(),
            )
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
    # A personnummer, or a coordination number (samordningsnummer: the day plus 60), which
    # stdnum does not take but is a person's id all the same.
    if not is_personnummer(digits):
        raise OrgIdError(
            N_("“%(text)s” is neither a valid organisation number nor a valid personnummer."),
            text=text.strip(),
        )
    compact = digits[-10:]
    return OrgId(f"{compact[:6]}-{compact[6:]}", IdKind.PERSONNUMMER)


#: A Swedish VAT number: ``SE``, the ten digits of the organisation number (a sole trader's
#: personnummer), ``01``.
_SWEDISH_VAT = re.compile(r"^SE(\d{10})01$")


def _swedish_digits(text: str) -> str | None:
    """The ten or twelve digits of a Swedish-looking id (separators dropped), the ten inside a
    Swedish VAT number, or ``None`` for anything else."""
    visible = "".join(ch for ch in _plain_text(text) if unicodedata.category(ch) != "Cf")
    cleaned = re.sub(r"[\s\-+]", "", visible).upper()
    vat = _SWEDISH_VAT.match(cleaned)
    if vat:
        return vat.group(1)
    if cleaned.isascii() and cleaned.isdigit() and len(cleaned) in (10, 12):
        return cleaned
    return None


def is_organisation_number(text: str | None) -> bool:
    """Whether ``text`` is a valid Swedish organisation number: ten digits (or twelve with the
    prefix ``16``), a valid check digit, and a third digit of 2 or more.

    A personnummer passes the same Luhn check (``stdnum.se.orgnr.is_valid`` accepts it), so
    the third digit, a month's first digit in a personnummer, is what tells the two apart.
    """
    digits = _swedish_digits(text or "")
    if digits is None:
        return False
    if len(digits) == 12:
        if not digits.startswith("16"):
            return False
        digits = digits[2:]
    return int(digits[2]) >= 2 and se_orgnr.is_valid(digits)


def is_personnummer(text: str | None) -> bool:
    """Whether ``text`` holds a Swedish personal identity number (or a coordination number):
    a private person's id, personal data that is never published.

    True for a valid ``stdnum.se.personnummer`` that is not a valid organisation number (see
    :func:`is_organisation_number`), written with or without separators, with ten or twelve
    digits, or inside a Swedish VAT number (``SE`` + ten digits + ``01``), which is how a sole
    trader's VAT number carries the owner's personnummer. Never raises.
    """
    digits = _swedish_digits(text or "")
    if digits is None or is_organisation_number(digits):
        return False
    day_at = len(digits) - 6
    day = int(digits[day_at : day_at + 2])
    if day > 60:
        # A coordination number (samordningsnummer) is a birth date with 60 added to the
        # day; stdnum checks the date, so check the date it stands for. The check digit is
        # computed over the number as written.
        if not luhn.is_valid(digits[-10:]):
            return False
        digits = f"{digits[:day_at]}{day - 60:02d}{digits[day_at + 2 :]}"
        digits = digits[:-1] + luhn.calc_check_digit(digits[-10:-1])
    if len(digits) == 12:
        return se_personnummer.is_valid(digits)
    # Ten digits leave the century open: "-" reads the birth date within the last hundred
    # years, "+" a century earlier; either way the number is a person's.
    return any(se_personnummer.is_valid(f"{digits[:6]}{sign}{digits[6:]}") for sign in ("-", "+"))


#: ``SURNAME;FIRSTNAME``: two name parts, each with a letter, around one semicolon. Örebro's
#: ledger (and others exported from the same finance systems) writes private persons so.
_PERSON_NAME = re.compile(r"^[^;]*[^\W\d_][^;]*;[^;]*[^\W\d_][^;]*$")


def is_person_name(name: str | None) -> bool:
    """Whether ``name`` is written the way ledgers write a private person: ``SURNAME;FIRSTNAME``
    (exactly one semicolon between two parts that each hold a letter)."""
    return bool(name) and _PERSON_NAME.match(name.strip()) is not None
