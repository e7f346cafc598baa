"""The rows of an invoice table, written in Python rather than in the template.

Every figure of every report links to a list of invoices, so that list is the most-read page
of Insyn; its fifty rows used to cost more to render than the database took to find them.
Here each row is a handful of string joins with every value escaped (``markupsafe.escape``),
the same markup ``invoices/_table.html`` had, at a third of the cost. The table's head, and
every other table, stay in templates.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext
from markupsafe import Markup
from markupsafe import escape

from app.privacy import Audience
from app.privacy import hidden_name
from app.privacy import public_vendor_name
from app.services.invoices import InvoiceLine
from app.web.filters import money
from app.web.filters import record_url


def _date(value) -> str:
    return "" if value is None else value.isoformat()


def _vendor_name(row, hidden: str | None) -> str:
    if isinstance(row, InvoiceLine):
        private, name = row.vendor_is_private, row.vendor_name
    else:  # an Invoice record
        private, name = row.vendor.is_private_person, row.vendor.name
    return public_vendor_name(name, private, hidden)


def invoice_rows(rows: Iterable, audience: Audience) -> Markup:
    """``<tr>`` elements for ``rows`` (Invoice records or InvoiceLine rows): date, vendor and
    number (linked), a badge for a voided invoice or a credit note, category, description,
    the amount excl. VAT, the VAT and the payment date."""
    voided = f'<span class="badge badge-void">{escape(gettext("voided"))}</span>'
    credit = f'<span class="badge">{escape(gettext("credit note"))}</span>'
    hidden = hidden_name(audience)  # a private person's name, for the public (app.privacy)
    parts: list[str] = []
    for row in rows:
        badge = voided if row.is_voided else credit if row.is_credit_note else ""
        parts.append(
            f'<tr class="{"voided" if row.is_voided else ""}">'
            f'<td class="nowrap">{_date(row.invoiced_on)}</td>'
            f'<td><a href="{record_url("vendors.detail", row.vendor_id)}">'
            f"{escape(_vendor_name(row, hidden))}</a></td>"
            f'<td class="nowrap"><a href="{record_url("invoices.detail", row.id)}">'
            f"{escape(row.invoice_number)}</a>{' ' if badge else ''}{badge}</td>"
            f'<td class="hide-narrow">{escape(row.category_name or "")}</td>'
            f'<td class="description hide-narrow">{escape(row.description or "")}</td>'
            f'<td class="num nowrap">{escape(money(row.net_amount, row.currency))}</td>'
            f'<td class="num nowrap hide-narrow">{escape(money(row.vat_amount, row.currency))}</td>'
            f'<td class="nowrap hide-narrow">{_date(row.paid_on)}</td>'
            "</tr>\n"
        )
    # Every value above is escaped; the rest is this module's own markup.
    return Markup("".join(parts))  # noqa: S704
