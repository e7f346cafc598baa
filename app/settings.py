"""The deployment's settings the services and the importer take as arguments, read at the
edges that have the application (the views, the API, the command line, the import job
runner) and passed in, so that no service reads ``current_app.config`` itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from flask import current_app

from app.passwords import PasswordPolicy
from app.passwords import password_policy_from
from app.services import plausibility
from app.services.plausibility import Rules


def plausibility_rules(config: Mapping | None = None) -> Rules:
    """The plausibility rules of ``config`` (the running application's by default), today
    (Europe/Stockholm's date is near enough: the window is years wide)."""
    return plausibility.rules_from(
        current_app.config if config is None else config, dt.date.today()
    )


def with_rules(data: dict) -> dict:
    """``data`` for a record service, with the rules in force."""
    return {**data, "rules": plausibility_rules()}


def password_policy() -> PasswordPolicy:
    """The running application's password policy."""
    return password_policy_from(current_app.config)
