"""Contract and amendment forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from app import labels
from app.web.fields import CurrencyField
from app.web.fields import HoursField
from app.web.fields import MoneyField
from app.web.fields import RecordForm
from app.web.fields import VendorPickerForm


def choices(mapping: dict) -> list[SelectChoice]:
    """The options of a select field, one per code, named as :mod:`app.labels` names it."""
    return [SelectChoice(key.value, label) for key, label in mapping.items()]


class ContractForm(VendorPickerForm):
    reference = StringField(
        _l("Reference (registry number)"),
        validators=[Optional(), Length(max=100)],
        description=_l("The contract's diarienummer, e.g. KS 2009/123."),
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    purpose = TextAreaField(_l("Purpose"), render_kw={"rows": 3})
    procurement_basis = SelectField(
        _l("Procurement"), choices=choices(labels.PROCUREMENT_BASIS), default="other"
    )
    signed_on = DateField(_l("Signed on"), validators=[Optional()])
    starts_on = DateField(_l("Starts on"), validators=[Optional()])
    ends_on = DateField(_l("Ends on"), validators=[Optional()])
    ceiling_amount = MoneyField(
        _l("Ceiling amount"), description=_l("Excluding VAT. Leave empty if there is none.")
    )
    hour_quota = HoursField(_l("Hour quota"))
    hourly_rate = MoneyField(_l("Hourly rate"), description=_l("Excluding VAT."))
    currency = CurrencyField(_l("Currency"), default="SEK", validators=[DataRequired()])
    notes = TextAreaField(_l("Notes"), render_kw={"rows": 3})

    def load(self, record) -> None:
        super().load(record)
        self.procurement_basis.data = record.procurement_basis.value

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            from wtforms.validators import ValidationError

            raise ValidationError(_l("The contract cannot end before it starts."))


class AmendmentForm(RecordForm):
    dated_on = DateField(_l("Dated"), validators=[DataRequired()])
    kind = SelectField(_l("Kind"), choices=choices(labels.AMENDMENT_KIND))
    new_ends_on = DateField(_l("New end date"), validators=[Optional()])
    added_amount = MoneyField(
        _l("Added amount"),
        description=_l("Added to the ceiling, excluding VAT; negative to reduce it."),
    )
    added_hours = HoursField(_l("Added hours"), description=_l("Negative to reduce the quota."))
    new_hourly_rate = MoneyField(_l("New hourly rate"), description=_l("Excluding VAT."))
    reason = TextAreaField(_l("Reason"), render_kw={"rows": 3})

    def load(self, record) -> None:
        self.kind.data = record.kind.value
