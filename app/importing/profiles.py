"""Import profiles: what Insyn knows about one source layout. The shipped ones are TOML files
in ``imports/profiles/``; the ones clerks save in the browser are kept in the database
(:class:`~app.models.ImportProfile`) in the same shape, and export as the same TOML. A profile
names the columns of its source, their date and number formats, constants the file leaves
out, and the natural key that recognises a row already imported. See ``imports/README.md``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from app.importing.errors import ImportFileError
from app.importing.headers import FIELDS
from app.importing.headers import header_key
from app.models import ImportProfile
from app.money import N_

#: Where the shipped profiles are.
PROFILE_DIR = Path(__file__).resolve().parents[2] / "imports" / "profiles"

#: The natural key of an invoice row when the profile does not give its own.
DEFAULT_INVOICE_KEY = ("vendor", "invoice_number", "invoiced_on", "net_amount")
#: What a profile's name may be.
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,98}[a-z0-9]$")


@dataclass(frozen=True)
class Profile:
    """One source layout.

    Attributes:
        name: how ``--profile`` names it.
        title: what it is, for people.
        kind: "invoices", "contracts" or "engagements".
        headers: header keys (:func:`~app.importing.headers.header_key`) that must all be
            present for the profile to apply.
        columns: field → the (header key, occurrence) pairs to try in order: occurrence 2 is
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
        saved: kept in the database (saved in the browser), not shipped as a file.
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
    saved: bool = False

    def applies_to(self, headers: list[str]) -> bool:
        keys = {header_key(h) for h in headers}
        return all(h in keys for h in self.headers)

    def locate(self, headers: list[str]) -> dict[str, int]:
        """Field → column position in a header row this profile applies to."""
        keys = [header_key(h) for h in headers]
        positions: dict[str, int] = {}
        for name, choices in self.columns.items():
            for header, occurrence in choices:
                found = [index for index, key in enumerate(keys) if key == header]
                if len(found) >= occurrence:
                    positions[name] = found[occurrence - 1]
                    break
        return positions


def _parse_column(value: str) -> tuple[str, int]:
    """``"Account Code#2"`` → ("account code", 2)."""
    if "#" in value and value.rsplit("#", 1)[1].isdigit():
        text, occurrence = value.rsplit("#", 1)
        return header_key(text), int(occurrence)
    return header_key(value), 1


def parse_profile(data: dict, source: str, saved: bool = False) -> Profile:
    """A profile from its TOML shape (``name``, ``kind``, ``columns``, ``headers``, ``dates``,
    ``amounts``…).

    Raises:
        ImportFileError: ``name``, ``kind`` or ``columns`` is missing, or a field the kind
            does not have is named; ``source`` says which profile.
    """
    try:
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
                header_key(h) for h in data.get("headers", [c[0][0] for c in columns.values()])
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
            saved=saved,
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise ImportFileError(
            N_("The import profile %(file)s is not valid: %(error)s."),
            file=source,
            error=str(error),
        ) from None


def load_profile(path: Path) -> Profile:
    """Read one profile file.

    Raises:
        ImportFileError: the file is not valid TOML, or not a valid profile.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ImportFileError(
            N_("The import profile %(file)s is not valid: %(error)s."),
            file=path.name,
            error=str(error),
        ) from None
    return parse_profile(data, path.name)


def shipped_profiles(directory: Path = PROFILE_DIR) -> list[Profile]:
    """Every profile in ``imports/profiles``, by name."""
    return sorted((load_profile(p) for p in directory.glob("*.toml")), key=lambda p: p.name)


def saved_profiles() -> list[Profile]:
    """Every layout saved in the database, by name (one that no longer reads is left out)."""
    found = []
    for row in db.session.scalars(sa.select(ImportProfile).order_by(ImportProfile.name)):
        try:
            found.append(parse_profile({**row.definition, "name": row.name}, row.name, saved=True))
        except ImportFileError:
            continue
    return found


def all_profiles(directory: Path = PROFILE_DIR) -> list[Profile]:
    """The shipped profiles and the saved layouts, shipped first."""
    shipped = shipped_profiles(directory)
    names = {p.name for p in shipped}
    return shipped + [p for p in saved_profiles() if p.name not in names]


def profile_named(name: str, directory: Path = PROFILE_DIR) -> Profile:
    """The profile (shipped or saved) called ``name``.

    Raises:
        ImportFileError: there is none; the message lists those there are.
    """
    profiles = all_profiles(directory)
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


# --- writing a profile as TOML ----------------------------------------------------------------


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\u{ord(m.group()):04x}", escaped)
    return f'"{escaped}"'


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return _toml_string(str(value))


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_string(key)


def profile_toml(name: str, definition: dict) -> str:
    """A saved layout as a TOML file for ``imports/profiles/`` (it reads back as the same
    profile)."""
    lines = [f"# {definition.get('title', name)}", f"name = {_toml_string(name)}"]
    tables = []
    for key, value in definition.items():
        if key == "name":
            continue
        if isinstance(value, dict):
            tables.append((key, value))
        else:
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    for key, table in tables:
        if not table:
            continue
        lines.extend(["", f"[{_toml_key(key)}]"])
        lines.extend(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in table.items())
    return "\n".join(lines) + "\n"
