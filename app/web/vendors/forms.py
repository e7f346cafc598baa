"""Vendor forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import Regexp

from app.web.fields import LinesField
from app.web.fields import OrgNumberField
from app.web.fields import RecordForm
from app.web.fields import VendorPickerForm


class VendorForm(RecordForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=300)])
    org_number = OrgNumberField(
        _l("Organisation number"),
        validators=[Optional(), Length(max=40)],
        description=_l("NNNNNN-NNNN. A foreign vendor's id may have letters; leave empty if none."),
    )
    vat_number = StringField(_l("VAT number"), validators=[Optional(), Length(max=40)])
    country = StringField(
        _l("Country"),
        default="SE",
        validators=[DataRequired(), Regexp(r"^[A-Za-z]{2}$", message=_l("Two letters, e.g. SE."))],
        description=_l("Two-letter country code, e.g. SE, NO, DK."),
        render_kw={"maxlength": 2, "size": 3},
    )
    is_private_person = BooleanField(
        _l("Private person"),
        description=_l(
            "A sole trader or other private person: name and id are personal data "
            "and are never published."
        ),
    )
    aliases = LinesField(
        _l("Other spellings"),
        description=_l("One per line: names this vendor appears under in files and invoices."),
        render_kw={"rows": 3},
    )
    notes = TextAreaField(_l("Notes"), render_kw={"rows": 3})


class MergeVendorForm(VendorPickerForm):
    """Merge another vendor (the one picked) into the vendor whose page this is."""

    confirm = BooleanField(
        _l("Move its invoices and contracts here and remove it; its names become other spellings"),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
