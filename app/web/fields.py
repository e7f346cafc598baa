"""Form fields for Insyn's values: amounts and hours typed the Swedish or the English way,
organisation numbers, and the vendor picker. Messages come in the user's language."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import ValidationError

from app.identifiers import OrgIdError
from app.identifiers import normalise_org_id
from app.models import Vendor
from app.money import AmountError
from app.money import parse_amount
from app.web.filters import hours as format_hours
from app.web.filters import money_input


class MoneyField(StringField):
    """An amount: accepts ``1 234,50``, ``1234.50``, ``1 234,50 kr``, ``(1 234,50)``…; its data
    is a ``Decimal`` with two decimals, or ``None`` when left empty. What was typed is shown
    back unchanged when it cannot be read, with a message saying how to write it."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {}).setdefault("inputmode", "decimal")
        kwargs["render_kw"].setdefault("autocomplete", "off")
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        try:
            self.data = parse_amount(valuelist[0])
        except AmountError as error:
            raise ValueError(gettext(error.message, **error.params)) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.format(self.data)

    @staticmethod
    def format(value: Decimal | None) -> str:
        return money_input(value)


class HoursField(MoneyField):
    """A number of hours with up to two decimals (``7,5``, ``120``)."""

    @staticmethod
    def format(value: Decimal | None) -> str:
        return format_hours(value).replace("\u00a0", " ")


class LinesField(TextAreaField):
    """A list edited as text with one entry a line; a list of records shows their names."""

    def process_data(self, value):
        if isinstance(value, list | tuple):
            value = "\n".join(str(item) for item in value)
        super().process_data(value)


class CurrencyField(StringField):
    """An ISO 4217 currency code (``SEK``, ``EUR``), upper-cased; refused when it is not one
    (``app.services.plausibility``). Empty is left to the field's validators (required, or
    optional with a default)."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {}).update(
            {"maxlength": 3, "size": 4, "autocomplete": "off", "spellcheck": "false"}
        )
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.data = (self.data or "").strip().upper() or None

    def pre_validate(self, form):
        from app.services import plausibility
        from app.settings import plausibility_rules

        if not self.data:
            return
        if len(self.data) != 3 or not self.data.isalpha():
            raise ValidationError(gettext("Three letters, e.g. SEK."))
        since = plausibility_rules().earliest
        problem = plausibility.currency_problem(self.name, self.data, since)
        if problem is not None:
            raise ValidationError(gettext(problem.message, **problem.params))


class OrgNumberField(StringField):
    """An organisation number (or personnummer, or a foreign id with letters); validated with
    python-stdnum, left as typed (the service normalises it)."""

    def pre_validate(self, form):
        try:
            normalise_org_id(self.data)
        except OrgIdError as error:
            raise ValidationError(gettext(error.message, **error.params)) from None


def int_or_none(value) -> int | None:
    """Coerce a select's value: an id, or ``None`` for the empty choice."""
    if value in (None, "", "None"):
        return None
    return int(value)


class OptionalSelectField(SelectField):
    """A select of ids whose first choice is “none”; refuses ids not offered."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("coerce", int_or_none)
        super().__init__(label, validators, **kwargs)

    def pre_validate(self, form):
        if self.data is None:
            return
        super().pre_validate(form)


class VendorTextField(StringField):
    """The vendor picker's text box: a vendor record shows as its label."""

    def process_data(self, value):
        super().process_data(value.label if isinstance(value, Vendor) else value)


class RecordForm(FlaskForm):
    """A form that edits a record: it carries the version it was built from, so a save on
    top of someone else's change is refused rather than silently overwriting it."""

    version = HiddenField()

    def load(self, record) -> None:
        """Fill what ``obj=record`` cannot (enum selects, texts built from relations)."""


class VendorPickerForm(RecordForm):
    """A form that starts with a vendor picker: a text box (name or org number, with
    type-ahead) and a hidden id the type-ahead fills in. After validation, ``picked_vendor``
    is the vendor chosen."""

    vendor = VendorTextField(
        _l("Vendor"),
        render_kw={
            "autocomplete": "off",
            "data-vendor-search": "1",
            "placeholder": _l("Type part of the name or the org number"),
        },
    )
    vendor_id = HiddenField()

    picked_vendor: Vendor | None = None

    def validate_vendor(self, field):
        from app.extensions import db
        from app.services.errors import ServiceError
        from app.services.vendors import resolve

        self.picked_vendor = None
        raw = str(self.vendor_id.data or "")
        chosen = int(raw) if raw.isdigit() and int(raw) < 2**31 else None
        vendor = db.session.get(Vendor, chosen) if chosen else None
        # The hidden id wins only while the text still shows that vendor's name.
        if vendor is not None and (field.data or "").strip() in (vendor.name, vendor.label):
            self.picked_vendor = vendor
            return
        try:
            self.picked_vendor = resolve(field.data or "")
        except ServiceError as error:
            raise ValidationError(gettext(error.message, **error.params)) from None

    def load(self, record) -> None:
        super().load(record)
        self.fill_vendor(record.vendor)

    def fill_vendor(self, vendor: Vendor | None) -> None:
        """Show ``vendor`` in the picker (for edit forms and “save and add another”)."""
        if vendor is not None:
            self.vendor.data = vendor.label
            self.vendor_id.data = str(vendor.id)


class ConfirmForm(FlaskForm):
    """An empty form: one button (delete, remove), protected against cross-site requests."""
