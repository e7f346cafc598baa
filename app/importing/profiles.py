"""Import profiles: what Insyn knows about one source layout, kept as TOML in
``imports/profiles/``. A profile names the columns of its source, their date and number
formats, constants the file leaves out, and the natural key that recognises a row already
imported. See ``imports/README.md`` for the format.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from app.importing.errors import ImportFileError
from app.importing.headers import FIELDS
from app.importing.headers import fold
from app.money import N_

#: Where the shipped profiles are.
PROFILE_DIR = Path(__file__).resolve().parents[2] / "imports" / "profiles"

#: The natural key of an invoice row when the profile does not give its own.
DEFAULT_INVOICE_KEY = ("vendor", "invoice_number", "invoiced_on", "net_amount")


@dataclass(frozen=True)
class Profile:
    """One source layout.

    Attributes:
        name: how ``--profile`` names it.
        title: what it is, for people.
        kind: "invoices", "contracts" or "engagements".
        headers: folded header names that must all be present for the profile to apply.
        columns: field → the (folded header, occurrence) pairs to try in order: occurrence 2 is
            the second column with that header (files such as Craven's repeat names); the
            first pair the file has is read.
        date_format: "auto", "ISO", "DD/MM/YYYY", "MM/DD/YYYY", "YYYYMMDD" or "YYYYMM".
        month_day: for YYYYMM dates, "first" or "last" day of the month.
        period_from: "filename" when the file has no date column and its period is in the
            file name (or given with ``--period``).
        decimal: "auto", "." or ",": the amounts' decimal separator when it cannot be
            decided from the column.
        currency: the file's currency, unless a column gives one per row.
        split_code: fields whose cells start with a code ("46362 Köp medicinskt").
        key: the fields of the natural key.
        options: anything else the kind reads (e.g. the contract register's amendment flag).
    """

    name: str
    title: str
    kind: str
    headers: tuple[str, ...]
    columns: dict[str, tuple[tuple[str, int], ...]]
    date_format: str = "auto"
    month_day: str = "last"
    period_from: str | None = None
    decimal: str = "auto"
    currency: str | None = None
    split_code: tuple[str, ...] = ()
    key: tuple[str, ...] = DEFAULT_INVOICE_KEY
    options: dict = field(default_factory=dict)

    def applies_to(self, headers: list[str]) -> bool:
        folded = {fold(h) for h in headers}
        return all(h in folded for h in self.headers)

    def locate(self, headers: list[str]) -> dict[str, int]:
        """Field → column position in a header row this profile applies to."""
        folded = [fold(h) for h in headers]
        positions: dict[str, int] = {}
        for name, choices in self.columns.items():
            for header, occurrence in choices:
                found = [index for index, text in enumerate(folded) if text == header]
                if len(found) >= occurrence:
                    positions[name] = found[occurrence - 1]
                    break
        return positions


def _parse_column(value: str) -> tuple[str, int]:
    """``"Account Code#2"`` → (folded "account code", 2)."""
    if "#" in value and value.rsplit("#", 1)[1].isdigit():
        text, occurrence = value.rsplit("#", 1)
        return fold(text), int(occurrence)
    return fold(value), 1


def load_profile(path: Path) -> Profile:
    """Read one profile file.

    Raises:
        ImportFileError: the file is not valid TOML or misses ``name``, ``kind`` or
            ``columns``, or names a field the kind does not have.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        kind = data["kind"]
        known = {spec.name for spec in FIELDS[kind]}
        columns = {
            name: tuple(_parse_column(h) for h in ([header] if isinstance(header, str) else header))
            for name, header in data["columns"].items()
        }
        unknown = set(columns) - known
        if unknown:
            raise KeyError(", ".join(sorted(unknown)))
        dates = data.get("dates", {})
        amounts = data.get("amounts", {})
        return Profile(
            name=data["name"],
            title=data.get("title", data["name"]),
            kind=kind,
            headers=tuple(
                fold(h) for h in data.get("headers", [c[0][0] for c in columns.values()])
            ),
            columns=columns,
            date_format=dates.get("format", "auto"),
            month_day=dates.get("month_day", "last"),
            period_from=dates.get("period_from"),
            decimal=amounts.get("decimal", "auto"),
            currency=data.get("currency"),
            split_code=tuple(data.get("split_code", [])),
            key=tuple(data.get("key", DEFAULT_INVOICE_KEY)),
            options=data.get("options", {}),
        )
    except (tomllib.TOMLDecodeError, KeyError, TypeError) as error:
        raise ImportFileError(
            N_("The import profile %(file)s is not valid: %(error)s."),
            file=path.name,
            error=str(error),
        ) from None


def shipped_profiles(directory: Path = PROFILE_DIR) -> list[Profile]:
    """Every profile in ``imports/profiles``, by name."""
    return sorted((load_profile(p) for p in directory.glob("*.toml")), key=lambda p: p.name)


def profile_named(name: str, directory: Path = PROFILE_DIR) -> Profile:
    """The profile called ``name``.

    Raises:
        ImportFileError: there is none; the message lists those there are.
    """
    profiles = shipped_profiles(directory)
    for profile in profiles:
        if profile.name == name:
            return profile
    raise ImportFileError(
        N_("There is no import profile called “%(name)s”. Profiles: %(names)s, or auto."),
        name=name,
        names=", ".join(p.name for p in profiles),
    )


def best_profile(headers: list[str], kind: str | None, profiles: list[Profile]) -> Profile | None:
    """The profile that applies to ``headers`` and names most of them (its kind ``kind`` when
    given), or ``None`` when none applies."""
    candidates = [p for p in profiles if p.applies_to(headers) and (kind is None or p.kind == kind)]
    if not candidates:
        return None
    return max(candidates, key=lambda p: (len(p.headers), len(p.columns)))
