"""Signing in and out, and changing one's own password."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext
from flask_login import current_user
from flask_login import login_user
from flask_login import logout_user

from app.extensions import db
from app.services import accounts
from app.services.errors import ServiceError
from app.settings import password_policy
from app.web.access import login_required
from app.web.auth.forms import LoginForm
from app.web.auth.forms import LogoutForm
from app.web.auth.forms import PasswordForm
from app.web.feedback import show_on_form
from app.web.listing import safe_next

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        throttle = accounts.Throttle(
            max_failures=current_app.config["LOGIN_MAX_FAILURES"],
            window=dt.timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"]),
        )
        try:
            user = accounts.authenticate(
                form.email.data, form.password.data, request.remote_addr, throttle
            )
        except accounts.LoginRefused as refused:
            db.session.commit()  # the failed attempt counts
            if refused.locked:
                message = gettext(
                    "Too many failed attempts. Signing in is locked for %(minutes)s minutes.",
                    minutes=current_app.config["LOGIN_LOCK_MINUTES"],
                )
            else:
                message = gettext("Wrong email or password.")
            form.password.errors = [message]
        else:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            flash(gettext("Signed in as %(name)s.", name=user.name), "success")
            return redirect(safe_next() or url_for("main.index"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    if LogoutForm().validate_on_submit():
        if current_user.is_authenticated:
            # The cookie lives in the browser: only a new token on the server makes a copy
            # of it (or a remember-me cookie) worthless after signing out.
            accounts.end_sessions(current_user)
            db.session.commit()
        logout_user()
        flash(gettext("Signed out."), "success")
    return redirect(url_for("main.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        from app.passwords import verify_password

        if not verify_password(current_user.password_hash, form.current.data):
            form.current.errors = [gettext("That is not your current password.")]
        else:
            try:
                accounts.set_password(current_user, form.password.data, policy=password_policy())
            except ServiceError as error:
                db.session.rollback()
                show_on_form(form, error)
            else:
                db.session.commit()
                # The new password signed every session out; this one signs in again.
                login_user(current_user._get_current_object())
                flash(gettext("Password changed. Other sessions were signed out."), "success")
                return redirect(url_for("main.index"))
    return render_template("auth/password.html", form=form)
