"""Accounts, for administrators: list, open, change role or active flag, reset a password."""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext

from app.extensions import db
from app.models import User
from app.models.base import utcnow
from app.services import accounts as service
from app.services.tokens import tokens_of
from app.settings import password_policy
from app.web.access import admin_required
from app.web.history import history_for
from app.web.saving import save
from app.web.users.forms import NewUserForm
from app.web.users.forms import ResetPasswordForm
from app.web.users.forms import UserForm

bp = Blueprint("users", __name__, url_prefix="/users")


@bp.get("/")
@admin_required
def index():
    return render_template("users/index.html", users=db.session.scalars(service.users()).all())


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def create():
    form = NewUserForm()
    if form.validate_on_submit():
        user = save(form, lambda: service.create_user(form.data, policy=password_policy()))
        if user is not None:
            flash(gettext("Account for %(email)s created.", email=user.email), "success")
            return redirect(url_for(".edit", id=user.id))
    return render_template("users/new.html", form=form)


@bp.route("/<int:id>", methods=["GET", "POST"])
@admin_required
def edit(id: int):
    user = db.get_or_404(User, id)
    form = UserForm(obj=user)
    if request.method == "GET":
        form.load(user)
    if form.validate_on_submit() and save(form, lambda: service.update_user(user, form.data), user):
        flash(gettext("Changes saved."), "success")
        return redirect(url_for(".index"))
    reset = ResetPasswordForm(formdata=None, obj=user)
    return _edit_page(form, reset, user)


def _edit_page(form, reset, user: User):
    return render_template(
        "users/edit.html",
        form=form,
        reset=reset,
        user=user,
        history=history_for(user),
        tokens=db.session.scalars(tokens_of(user)).all(),
        today=utcnow().date(),
    )


@bp.post("/<int:id>/password")
@admin_required
def reset_password(id: int):
    user = db.get_or_404(User, id)
    reset = ResetPasswordForm()
    if reset.validate_on_submit() and save(
        reset,
        lambda: service.set_password(user, reset.password.data, policy=password_policy()),
        user,
    ):
        flash(gettext("New password set for %(email)s.", email=user.email), "success")
        return redirect(url_for(".edit", id=user.id))
    form = UserForm(obj=user)
    form.load(user)
    return _edit_page(form, reset, user)
