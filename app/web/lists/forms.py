"""Forms for the managed lists."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from app.web.fields import RecordForm


class EntryForm(RecordForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    code = StringField(
        _l("Code"),
        validators=[Optional(), Length(max=40)],
        description=_l("Optional: the code or account number used by the finance system."),
    )
