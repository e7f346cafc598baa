"""Who may do what, enforced on the server for every route that changes something.

Reading lists and totals needs no account. Every view that writes carries one of the
decorators here; hiding a button in a template is a courtesy, never the check.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Flask
from flask import abort
from flask import g
from flask import jsonify
from flask import redirect
from flask import request
from flask import url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app import audit
from app.extensions import db
from app.extensions import login_manager
from app.models import Role
from app.models import User


def roles_required(*roles: Role) -> Callable:
    """Let the view run only for an active account with one of ``roles``: anyone else is sent
    to sign in (401 for JSON), and a signed-in account without the role gets 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.can(*roles):
                abort(403)
            return view(*args, **kwargs)

        guarded.required_roles = frozenset(roles)
        return guarded

    return decorator


#: Creating and editing records: clerks and administrators.
write_required = roles_required(Role.CLERK, Role.ADMIN)
#: Users, categories, departments and rate cards: administrators.
admin_required = roles_required(Role.ADMIN)
#: History and the audit log: auditors and administrators.
history_required = roles_required(Role.AUDITOR, Role.ADMIN)
#: Anything for oneself (one's password): every active account.
login_required = roles_required(Role.ADMIN, Role.CLERK, Role.AUDITOR)


def _wants_json() -> bool:
    return request.path.endswith(".json") or request.accept_mimetypes.best == "application/json"


def register(app: Flask) -> None:
    """Set up sign-in sessions and make the signed-in account the author of its changes."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Sign in to continue.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def _load(token: str) -> User | None:
        user = db.session.scalar(db.select(User).where(User.session_token == token))
        return user if user is not None and user.is_active else None

    @login_manager.unauthorized_handler
    def _unauthorized():
        if _wants_json():
            return jsonify(error=gettext("Sign in to continue.")), 401
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @app.before_request
    def _set_actor():
        if current_user.is_authenticated:
            g.audit_token = audit.set_actor(audit.Actor.for_user(current_user))

    @app.teardown_request
    def _reset_actor(_error=None):
        token = g.pop("audit_token", None)
        if token is not None:
            audit.reset_actor(token)

    @app.context_processor
    def _roles():
        user = current_user
        return {
            "can_write": bool(user.is_authenticated and user.can_write),
            "can_read_history": bool(user.is_authenticated and user.can_read_history),
            "is_admin": bool(user.is_authenticated and user.is_admin),
        }
