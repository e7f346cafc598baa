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
from app.services import tokens


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


def bearer_secret() -> str | None:
    """The secret of an ``Authorization: Bearer …`` header, or ``None``."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def takes_tokens() -> bool:
    """Whether this request may be authenticated by an API token: anything on the API, and
    reading (GET, HEAD) anywhere else (the pages' JSON, exports and feeds). A form's POST is
    never: forms go with a session and its CSRF token."""
    return request.blueprint == "api" or request.method in ("GET", "HEAD", "OPTIONS")


def current_token():
    """The API token this request is authenticated by, or ``None``."""
    return g.get("api_token")


def register(app: Flask) -> None:
    """Set up sign-in sessions and make the signed-in account the author of its changes."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Sign in to continue.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def _load(token: str) -> User | None:
        if bearer_secret() is not None and takes_tokens():
            return None  # the API token decides who this is, never a cookie beside it
        user = db.session.scalar(db.select(User).where(User.session_token == token))
        return user if user is not None and user.is_active else None

    @login_manager.request_loader
    def _load_from_token(_request) -> User | None:
        secret = bearer_secret()
        if secret is None or not takes_tokens():
            return None
        token = tokens.find_token(secret)
        if not tokens.usable(token):
            g.api_token_refused = True
            return None
        tokens.record_use(token)
        db.session.commit()  # the use is recorded whatever the request does next
        g.api_token = token
        return token.user

    @app.before_request
    def _refuse_unusable_token():
        if bearer_secret() is None or not takes_tokens():
            return None
        if current_user.is_authenticated or not g.get("api_token_refused"):
            return None
        from app.web.api.problems import problem

        return problem(
            401,
            gettext("The API token is unknown, revoked or expired."),
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )

    @login_manager.unauthorized_handler
    def _unauthorized():
        if _wants_json():
            return jsonify(error=gettext("Sign in to continue.")), 401
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @app.before_request
    def _set_actor():
        if current_user.is_authenticated:
            token = current_token()
            actor = audit.Actor.for_user(
                current_user,
                origin="api" if token is not None else "web",
                via_token=token.name if token is not None else None,
            )
            g.audit_token = audit.set_actor(actor)

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
