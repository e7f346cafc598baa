"""Flask extensions, created unbound; :func:`app.create_app` binds them to an app."""

from __future__ import annotations

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

from app.models.base import db

__all__ = ["babel", "csrf", "db", "login_manager", "migrate"]

migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()
