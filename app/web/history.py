"""A record's history on its page, for those allowed to read it."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext
from flask_login import current_user
from markupsafe import Markup
from markupsafe import escape

from app.models import AuditEvent
from app.services.history import ImportedCreation
from app.services.history import changed_fields
from app.services.history import imported_creation
from app.services.history import record_history


@dataclass(frozen=True)
class History:
    """A record's whole life: how it was created when it was imported (from its provenance),
    then every event, oldest first."""

    events: list[AuditEvent]
    created: ImportedCreation | None

    def __bool__(self) -> bool:
        return bool(self.events or self.created)


def history_for(record) -> History | None:
    """The record's history for auditors and administrators; ``None`` for everyone else,
    and the page then shows no history section at all."""
    if current_user.is_authenticated and current_user.can_read_history:
        return History(events=record_history(record), created=imported_creation(record))
    return None


def imported_from(created: ImportedCreation) -> Markup:
    """“Imported from FILE, sheet S, row R, import N by WHO”: the creation of an imported
    record, as its history's first entry says it (the file linked to its import's page)."""
    link = Markup('<a href="{}">{}</a>').format(
        url_for("imports.batch", id=created.batch_id), created.filename
    )
    # The catalogue's text is trusted; the only data in it is the escaped link.
    parts = [Markup(gettext("Imported from %(file)s", file=link))]  # noqa: S704
    if created.sheet:
        parts.append(escape(gettext("sheet %(sheet)s", sheet=created.sheet)))
    if created.row:
        parts.append(escape(gettext("row %(row)s", row=created.row)))
    parts.append(escape(gettext("import %(batch)s", batch=created.batch_id)))
    sentence = Markup(", ").join(parts)
    if created.actor:
        sentence += Markup(" ") + escape(gettext("by %(who)s", who=created.actor))
    return sentence + Markup(".")


def register(app) -> None:
    """The history's helpers in every template."""
    app.jinja_env.globals.update(changed_fields=changed_fields, imported_from=imported_from)
