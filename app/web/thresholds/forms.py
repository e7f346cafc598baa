"""The form for a direct-award threshold."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms import DateField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired

from app.web.fields import CurrencyField
from app.web.fields import MoneyField
from app.web.fields import RecordForm


class ThresholdForm(RecordForm):
    valid_from = DateField(_l("Valid from"), validators=[DataRequired()])
    amount = MoneyField(
        _l("Amount excl. VAT"),
        validators=[InputRequired(message=_l("Give the amount."))],
        description=_l("A vendor's yearly spend without a contract above this amount is flagged."),
    )
    currency = CurrencyField(_l("Currency"), default="SEK", validators=[DataRequired()])
    note = TextAreaField(
        _l("Source"),
        render_kw={"rows": 3},
        description=_l("Where the amount comes from: the law or decision, with its reference."),
    )
    is_example = BooleanField(
        _l("Example value, not verified"),
        description=_l(
            "Flags then say the amount is an example to be checked. Clear this once the amount "
            "has been checked against the law."
        ),
    )
