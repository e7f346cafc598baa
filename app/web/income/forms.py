"""Forms for lecture-fee income: engagements and rate cards."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms import DateField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from app.web.fields import CurrencyField
from app.web.fields import MoneyField
from app.web.fields import OrgNumberField
from app.web.fields import RecordForm


class EngagementForm(RecordForm):
    organiser_name = StringField(_l("Organiser"), validators=[DataRequired(), Length(max=300)])
    organiser_org_number = OrgNumberField(
        _l("Organiser's organisation number"), validators=[Optional(), Length(max=40)]
    )
    first_day = DateField(_l("First day"), validators=[DataRequired()])
    last_day = DateField(
        _l("Last day"),
        validators=[Optional()],
        description=_l(
            "Leave empty for a one-day engagement. Every calendar day counts as a started day."
        ),
    )
    topic = StringField(_l("Topic"), validators=[DataRequired(), Length(max=300)])
    speaker = StringField(_l("Speaker"), validators=[Optional(), Length(max=200)])
    day_rate = MoneyField(
        _l("Day rate (override)"),
        description=_l("Leave empty to use the day rate in force on the first day."),
    )
    rate_override_reason = TextAreaField(
        _l("Reason for another rate"),
        render_kw={"rows": 2},
    )
    organiser_pays_travel = BooleanField(_l("The organiser pays travel and lodging"))
    travel_amount = MoneyField(
        _l("Travel and lodging paid by the organiser"),
        description=_l("If known. Kept on record; never counted as income."),
    )
    outgoing_invoice_number = StringField(
        _l("Our invoice number"), validators=[Optional(), Length(max=100)]
    )
    paid_on = DateField(_l("Paid on"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), render_kw={"rows": 3})

    def load(self, record) -> None:
        if not record.rate_override_reason:
            self.day_rate.data = None  # the card's rate is not an override

    def validate_last_day(self, field):
        if field.data and self.first_day.data and field.data < self.first_day.data:
            raise ValidationError(_l("The last day cannot be before the first."))


class RateCardForm(RecordForm):
    valid_from = DateField(_l("Valid from"), validators=[DataRequired()])
    valid_to = DateField(
        _l("Valid to"),
        validators=[Optional()],
        description=_l(
            "Last day, included. Leave empty while the rate applies until further notice."
        ),
    )
    day_rate = MoneyField(
        _l("Day rate"),
        validators=[InputRequired(message=_l("Give the day rate."))],
        description=_l("Per started day."),
    )
    currency = CurrencyField(_l("Currency"), default="SEK", validators=[DataRequired()])
    basis = TextAreaField(
        _l("Basis"),
        render_kw={"rows": 2},
        description=_l("Where the rate was decided, e.g. a decision's registry number."),
    )

    def validate_valid_to(self, field):
        if field.data and self.valid_from.data and field.data < self.valid_from.data:
            raise ValidationError(_l("The period cannot end before it starts."))
