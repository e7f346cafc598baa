"""Account forms for administrators."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms import PasswordField
from wtforms import SelectField
from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.validators import Length

from app.models import Role
from app.web.fields import RecordForm

ROLE_LABELS = {
    Role.CLERK: _l("Clerk: enters and corrects records"),
    Role.AUDITOR: _l("Auditor: reads everything, history included; changes nothing"),
    Role.ADMIN: _l("Administrator: also manages accounts, lists and day rates"),
}


def _roles() -> list[SelectChoice]:
    return [SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()]


class NewUserForm(RecordForm):
    email = StringField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=_roles(), default=Role.CLERK.value)
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=1024)],
        description=_l(
            "At least 12 characters and not a common password. Give it to the person in a safe way."
        ),
        render_kw={"autocomplete": "new-password"},
    )


class UserForm(RecordForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=_roles())
    is_active = BooleanField(
        _l("Active"),
        description=_l("An inactive account cannot sign in. Accounts are never deleted."),
    )

    def load(self, record) -> None:
        self.role.data = record.role.value


class ResetPasswordForm(RecordForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=1024)],
        description=_l(
            "The account is signed out everywhere and must use this password from now on."
        ),
        render_kw={"autocomplete": "new-password"},
    )
