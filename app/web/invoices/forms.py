"""Invoice forms: fast entry, correction and voiding."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms import DateField
from wtforms import SelectField
from wtforms import StringField
from wtforms import SubmitField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from app.web.fields import CurrencyField
from app.web.fields import HoursField
from app.web.fields import MoneyField
from app.web.fields import OptionalSelectField
from app.web.fields import VendorPickerForm


class InvoiceForm(VendorPickerForm):
    invoice_number = StringField(
        _l("Invoice number"),
        validators=[DataRequired(), Length(max=100)],
        render_kw={"autocomplete": "off"},
    )
    invoiced_on = DateField(_l("Invoice date"), validators=[DataRequired()])
    paid_on = DateField(_l("Paid on"), validators=[Optional()])
    net_amount = MoneyField(
        _l("Amount excl. VAT"),
        validators=[InputRequired(message=_l("Give the amount excluding VAT."))],
        description=_l("E.g. 12 500,00. A credit note is negative: -1 250,00."),
    )
    vat_rate = SelectField(
        _l("VAT rate"),
        default="25",
        description=_l("VAT is computed from the rate; you can change it."),
    )
    vat_amount = MoneyField(_l("VAT"), description=_l("Left empty, it is computed from the rate."))
    vat_confirmed = BooleanField(
        _l("The invoice states this VAT"),
        description=_l("Tick to keep a VAT that is none of the Swedish rates of the amount."),
    )
    currency = CurrencyField(_l("Currency"), default="SEK", validators=[DataRequired()])
    hours = HoursField(_l("Hours billed"))
    contract_id = OptionalSelectField(_l("Contract"))
    credits_number = StringField(
        _l("Credits invoice number"),
        validators=[Optional(), Length(max=100)],
        description=_l("For a credit note: the number of the vendor's invoice it credits."),
        render_kw={"autocomplete": "off"},
    )
    category_id = OptionalSelectField(_l("Category"))
    new_category = StringField(
        _l("New category"),
        validators=[Optional(), Length(max=120)],
        description=_l("Adds a category to the list and uses it."),
    )
    department_id = OptionalSelectField(_l("Department"))
    new_department = StringField(
        _l("New department"),
        validators=[Optional(), Length(max=200)],
        description=_l("Adds a department to the list and uses it."),
    )
    description = TextAreaField(_l("Description"), render_kw={"rows": 3})
    save = SubmitField(_l("Save"))
    save_and_add = SubmitField(_l("Save and add another"))

    def __init__(self, *args, contracts=(), categories=(), departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        #: What a copy of this form needs (to show current values beside typed ones).
        self.init_kwargs = {
            "contracts": contracts,
            "categories": categories,
            "departments": departments,
        }
        none = [SelectChoice("", _l("— none —"))]
        self.vat_rate.choices = [
            *(SelectChoice(str(r), f"{r} %") for r in current_app.config["VAT_RATES"]),
            SelectChoice("", _l("Other (type the VAT)")),
        ]
        self.contract_id.choices = none + [
            SelectChoice(str(c.id), f"{c} · {c.vendor.name}") for c in contracts
        ]
        self.category_id.choices = none + [SelectChoice(str(c.id), c.name) for c in categories]
        self.department_id.choices = none + [SelectChoice(str(d.id), d.name) for d in departments]

    def load(self, record) -> None:
        super().load(record)
        self.vat_rate.data = vat_rate_of(record)
        self.credits_number.data = record.credits.invoice_number if record.credits else None
        self.vat_confirmed.data = self.vat_rate.data == "" and bool(record.vat_amount)

    #: The fields in the order a clerk fills them, for where the keyboard focus starts.
    ENTRY_ORDER = (
        "vendor",
        "invoice_number",
        "invoiced_on",
        "paid_on",
        "contract_id",
        "credits_number",
        "net_amount",
        "vat_rate",
        "vat_amount",
        "vat_confirmed",
        "currency",
        "hours",
        "category_id",
        "new_category",
        "department_id",
        "new_department",
        "description",
    )

    def focus_field(self) -> str:
        """Where the next keystroke belongs: the first field with an error; else the vendor on
        a fresh form, the invoice number once the vendor is there (after “save and add
        another”, or on an invoice being corrected)."""
        for name in self.ENTRY_ORDER:
            if getattr(self, name).errors:
                return name
        return "invoice_number" if self.vendor.data else "vendor"

    def put_focus(self) -> None:
        """Mark :meth:`focus_field` ``autofocus`` (on this form's own copy of its attributes)."""
        field = getattr(self, self.focus_field())
        field.render_kw = {**(field.render_kw or {}), "autofocus": True}

    @property
    def asks_vat_confirmation(self) -> bool:
        """Whether to show the VAT confirmation: when the VAT was refused as no Swedish rate,
        or has been confirmed already."""
        return bool(self.vat_confirmed.data or self.vat_amount.errors)


def vat_rate_of(invoice) -> str:
    """The VAT rate offered by the form that gives the invoice's VAT, or "" for another."""
    from app.services.invoices import compute_vat

    for rate in current_app.config["VAT_RATES"]:
        if compute_vat(invoice.net_amount, rate) == invoice.vat_amount:
            return str(rate)
    return ""
