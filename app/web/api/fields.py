"""Field types of the API's schemas: amounts as decimal strings, and how apispec describes
them in the OpenAPI document."""

from __future__ import annotations

from decimal import Decimal
from decimal import InvalidOperation

from marshmallow import ValidationError
from marshmallow import fields

#: An amount or a number of hours: a decimal string with two decimals, never a float.
DECIMAL_PATTERN = r"^-?[0-9]+\.[0-9]{2}$"


class DecimalText(fields.Field):
    """A ``Decimal`` written as a decimal string (``"12500.00"``): exact in any client."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return format(Decimal(value), "f")

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise ValidationError("Not a decimal number.") from None


def amount(**kwargs) -> DecimalText:
    """An amount in the record's currency, excl. VAT unless said otherwise."""
    metadata = {"pattern": DECIMAL_PATTERN, "examples": ["12500.00"], **kwargs.pop("metadata", {})}
    return DecimalText(metadata=metadata, **kwargs)


def register_types(plugin) -> None:
    """Tell apispec's marshmallow plugin how the field types above are written."""
    plugin.map_to_openapi_type(DecimalText, "string", "decimal")
