"""Forms for API tokens and service accounts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms import SelectField
from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from app.models import Role
from app.web.users.forms import ROLE_LABELS


class TokenForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=100)],
        description=_l(
            "What the token is for, e.g. the finance system. Changes made with it carry this "
            "name in the history."
        ),
    )
    scope = SelectField(
        _l("Scope"),
        choices=[
            SelectChoice("read", _l("Read")),
            SelectChoice("write", _l("Read and write")),
        ],
        default="read",
    )
    expires_on = DateField(
        _l("Last day"),
        validators=[Optional()],
        description=_l("The token stops working after this day. A year from today if empty."),
    )


class ServiceAccountForm(FlaskForm):
    email = StringField(
        _l("Email"),
        validators=[DataRequired(), Length(max=254)],
        description=_l("Where to reach whoever runs the system."),
    )
    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("The system's name, e.g. Ekonomisystemet."),
    )
    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice(role.value, ROLE_LABELS[role]) for role in (Role.CLERK, Role.AUDITOR)
        ],
        default="clerk",
    )


class RevokeForm(FlaskForm):
    """One button, protected against cross-site requests."""
