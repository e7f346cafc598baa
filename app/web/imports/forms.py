"""Import forms: the upload, the confirmation, keeping a layout, undoing a batch."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from wtforms import BooleanField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import Regexp
from wtforms.validators import ValidationError

from app.importing.profiles import all_profiles
from app.importing.sources import SUFFIXES
from app.web.fields import CurrencyField


class ColumnsForm(FlaskForm):
    """The columns to read, one menu per field (``column-<field>``), built by the template
    from the preview's headers; the view checks each choice against them."""


class UploadForm(FlaskForm):
    file = FileField(
        _l("File"),
        validators=[FileRequired(message=_l("Choose a file to import."))],
        description=_l("A workbook (.xlsx, .xlsm, .xls, .ods) or a text file (.csv, .txt)."),
        render_kw={"accept": ",".join(sorted(SUFFIXES))},
    )
    kind = SelectField(
        _l("What the rows are"),
        choices=[
            SelectChoice("", _l("Detect")),
            SelectChoice("invoices", _l("Invoices")),
            SelectChoice("contracts", _l("Contracts")),
            SelectChoice("engagements", _l("Fee income")),
        ],
        default="",
    )
    profile = SelectField(_l("Import profile"), default="auto")
    sheet = StringField(
        _l("Sheet"),
        validators=[Optional(), Length(max=255)],
        description=_l(
            "Leave empty to read every visible sheet in the layout of the data; name one to "
            "read only it."
        ),
    )
    period = StringField(
        _l("Period"),
        validators=[
            Optional(),
            Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", message=_l("Write it as YYYY-MM.")),
        ],
        description=_l("For a file without dates: the month it covers, YYYY-MM."),
    )
    currency = CurrencyField(
        _l("Currency"),
        validators=[Optional(), Regexp(r"^[A-Za-z]{3}$", message=_l("Three letters, e.g. SEK."))],
        description=_l(
            "For a file that does not say: its currency column, the amount's header or its title "
            "decide, else the default currency of this installation."
        ),
        render_kw={"maxlength": 3, "size": 4},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.profile.choices = [SelectChoice("auto", _l("Recognise automatically"))] + [
            SelectChoice(p.name, p.title) for p in all_profiles()
        ]

    def validate_file(self, field):
        name = (field.data.filename or "").lower() if field.data else ""
        if name and not name.endswith(tuple(SUFFIXES)):
            raise ValidationError(_l("Insyn reads .xlsx, .xlsm, .xls, .ods, .csv and .txt files."))


class ConfirmImportForm(FlaskForm):
    skip_invalid = BooleanField(
        _l("Import the valid rows and leave out the invalid ones listed above"),
    )
    accept_prepaid = BooleanField(
        _l("The file is right: payments dated before their invoice were made in advance"),
    )
    accept_vat = BooleanField(_l("The file is right: the VAT is as the invoices say"))

    def accepted(self) -> tuple[str, ...]:
        """The doubts confirmed (``app.importing.plan.ACCEPTABLE``)."""
        return tuple(
            doubt
            for doubt, field in (("prepaid", self.accept_prepaid), ("vat", self.accept_vat))
            if field.data
        )


class UndoForm(FlaskForm):
    reason = TextAreaField(
        _l("Why the import is undone"),
        validators=[DataRequired(), Length(max=1000)],
        render_kw={"rows": 2},
        description=_l(
            "Every record the import created is voided, not erased; the vendors, categories and "
            "departments it created that nothing else uses are withdrawn. The history keeps all."
        ),
    )


class SaveLayoutForm(FlaskForm):
    """A name for the columns a preview read, to import the next file in the layout with
    no questions."""

    name = StringField(
        _l("Name of the layout"),
        validators=[
            DataRequired(),
            Length(min=3, max=100),
            Regexp(
                r"^[a-z0-9][a-z0-9-]*[a-z0-9]$",
                message=_l("Lower-case letters, digits and hyphens, e.g. kommun-2024."),
            ),
        ],
    )
    title = StringField(_l("What the files are"), validators=[Optional(), Length(max=300)])


class DeleteLayoutForm(FlaskForm):
    """Forgetting a saved layout (an administrator's)."""
