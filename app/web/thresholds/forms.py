"""The forms for a direct-award threshold and for the amendment review share."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms import DateField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired

from app.web.fields import CurrencyField
from app.web.fields import MoneyField
from app.web.fields import RecordForm
from app.web.filters import hours


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


class PercentField(StringField):
    """A share in percent as typed (``10``, ``7,5``, ``7.5 %``): the service reads it and
    says what is wrong with it. A stored share shows as the reader writes it (``7,5``)."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {}).setdefault("inputmode", "decimal")
        kwargs["render_kw"].setdefault("autocomplete", "off")
        super().__init__(label, validators, **kwargs)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if isinstance(self.data, Decimal):
            return hours(self.data).replace("\u00a0", " ")
        return self.data or ""


class ReviewShareForm(RecordForm):
    amendment_review_percent = PercentField(
        _l("Amendment review share (%)"),
        validators=[InputRequired(message=_l("Give the share in percent, like 10."))],
        description=_l(
            "Amendments that raise a contract's ceiling by more than this share of its "
            "original value are flagged. A review trigger set to the body's own rules, not "
            "the law."
        ),
    )
