"""A record's history on its page, for those allowed to read it."""

from __future__ import annotations

from flask_login import current_user

from app.services.history import record_history


def history_for(record) -> list | None:
    """The record's audit events (oldest first) for auditors and administrators; ``None``
    for everyone else, and the page then shows no history section at all."""
    if current_user.is_authenticated and current_user.can_read_history:
        return record_history(record)
    return None
