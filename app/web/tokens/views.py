"""API tokens: one's own under the account (make, see, revoke), and an administrator's for
service accounts on their account pages. A new token's secret is shown once, on the page
that made it, and never again (it is not kept)."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext
from flask_login import current_user

from app.extensions import db
from app.models import ApiToken
from app.models import User
from app.models.base import utcnow
from app.services import tokens as service
from app.services.errors import ServiceError
from app.web.access import admin_required
from app.web.access import login_required
from app.web.feedback import show_on_form
from app.web.tokens.forms import RevokeForm
from app.web.tokens.forms import ServiceAccountForm
from app.web.tokens.forms import TokenForm

bp = Blueprint("tokens", __name__)


def _make(user: User, form: TokenForm) -> tuple[ApiToken, str] | None:
    """Make the token the form asks for, committed; ``None`` with the reason on the form."""
    try:
        made = service.create_token(user, form.data, current_user._get_current_object())
    except ServiceError as error:
        db.session.rollback()
        show_on_form(form, error)
        return None
    db.session.commit()
    return made


def _own_page(form: TokenForm, secret: str | None = None, status: int = 200):
    owned = db.session.scalars(service.tokens_of(current_user)).all()
    return render_template(
        "tokens/index.html",
        tokens=owned,
        form=form,
        secret=secret,
        revoke=RevokeForm(),
        today=utcnow().date(),
    ), status


@bp.get("/account/tokens")
@login_required
def index():
    return _own_page(TokenForm())


@bp.post("/account/tokens")
@login_required
def create():
    form = TokenForm()
    if form.validate_on_submit():
        made = _make(current_user._get_current_object(), form)
        if made is not None:
            return _own_page(TokenForm(formdata=None), secret=made[1])
    return _own_page(form, status=400)


@bp.post("/account/tokens/<int:id>/revoke")
@login_required
def revoke(id: int):
    """Revoke a token: its owner may, and an administrator may revoke anyone's."""
    token = db.get_or_404(ApiToken, id)
    if token.user_id != current_user.id and not current_user.is_admin:
        abort(403)
    if RevokeForm().validate_on_submit():
        try:
            service.revoke_token(token)
        except ServiceError as error:
            db.session.rollback()
            flash(gettext(error.message, **error.params), "error")
        else:
            db.session.commit()
            flash(gettext("Token %(name)s revoked.", name=token.name), "success")
    if token.user_id == current_user.id:
        return redirect(url_for(".index"))
    return redirect(url_for("users.edit", id=token.user_id))


@bp.post("/users/<int:id>/tokens")
@admin_required
def create_for(id: int):
    """An administrator makes a token for a service account; its secret is shown once."""
    user = db.get_or_404(User, id)
    form = TokenForm()
    secret = None
    if form.validate_on_submit():
        made = _make(user, form)
        if made is not None:
            secret = made[1]
    return render_template(
        "tokens/made.html", user=user, form=form, secret=secret
    ), 200 if secret else 400


@bp.route("/users/service/new", methods=["GET", "POST"])
@admin_required
def new_service_account():
    form = ServiceAccountForm()
    if form.validate_on_submit():
        try:
            user = service.create_service_account(form.data)
        except ServiceError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            db.session.commit()
            flash(gettext("Service account %(name)s opened.", name=user.name), "success")
            return redirect(url_for("users.edit", id=user.id))
    return render_template("tokens/service_new.html", form=form)


@bp.app_context_processor
def token_forms() -> dict:
    """The forms the account pages show for tokens."""
    return {"token_form": TokenForm, "revoke_form": RevokeForm}
