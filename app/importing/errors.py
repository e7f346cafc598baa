"""What can go wrong in an import, said in the user's terms."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field


class ImportFileError(Exception):
    """The file cannot be read at all (corrupt, encrypted, empty, not a spreadsheet…).

    Attributes:
        message: an English msgid (marked with ``N_``), translated where shown.
        params: values for the message.
    """

    def __init__(self, message: str, **params) -> None:
        self.message = message
        self.params = params
        super().__init__(message % params if params else message)


@dataclass(frozen=True)
class Issue:
    """A problem with one row (or one column), located as a spreadsheet user finds it.

    ``row`` is the row number the spreadsheet shows (1-based); ``column`` the column's header
    text (or its letter); ``message`` an English msgid with ``params``.
    """

    message: str
    row: int | None = None
    column: str | None = None
    sheet: str | None = None
    params: dict = field(default_factory=dict)

    def text(self, translate=None) -> str:
        """The message, translated by ``translate`` (``gettext``) when given."""
        if translate is not None:
            return translate(self.message, **self.params)
        return self.message % self.params if self.params else self.message
