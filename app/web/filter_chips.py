"""The filters in effect, as short labelled "chips" a reader can see and remove one by one."""

from __future__ import annotations

from dataclasses import dataclass

from app.exporting.about import describe_filters
from app.services.invoice_filters import InvoiceFilters
from app.web.filters import url_with


@dataclass(frozen=True)
class Chip:
    label: str
    value: str
    remove_url: str


def filter_chips(filters: InvoiceFilters) -> list[Chip]:
    """Chips for the filters a list or report is narrowed by, each with the URL of the same
    page without that filter."""
    return [
        Chip(text.label, text.value, url_with(**dict.fromkeys(text.args)))
        for text in describe_filters(filters)
    ]
