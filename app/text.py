"""Small text helpers shared by forms, services and importers."""

from __future__ import annotations

import re
import unicodedata

_SPACE_RUN = re.compile(r"\s+")


def clean_text(text: str | None) -> str | None:
    """Trim ``text`` and collapse inner runs of whitespace (no-break spaces included) to one
    space; return ``None`` for empty or missing text."""
    if text is None:
        return None
    cleaned = _SPACE_RUN.sub(" ", text.replace("\u00a0", " ")).strip()
    return cleaned or None


def name_key(name: str) -> str:
    """A key under which spellings of one name meet: "PENSEO AB", "Penseo  AB " → "penseo ab".

    Case and whitespace are folded and the text put in NFC form; letters such as å, ä and ö
    are kept, since in Swedish they are different letters, not accented ones.
    """
    return (clean_text(unicodedata.normalize("NFC", name)) or "").casefold()
