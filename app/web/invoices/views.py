"""Invoice pages: the list with its sums, one invoice, fast entry, correction, voiding."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext
from markupsafe import Markup

from app.extensions import db
from app.models import Category
from app.models import Contract
from app.models import Department
from app.models import ImportBatch
from app.models import Invoice
from app.models import Vendor
from app.services import contracts as contract_service
from app.services import invoices as service
from app.services import lists as list_service
from app.services.counting import count_rows
from app.settings import with_rules
from app.web import voiding
from app.web.access import write_required
from app.web.filter_chips import filter_chips
from app.web.filters import money
from app.web.history import history_for
from app.web.invoices.forms import InvoiceForm
from app.web.keyset import keyset_page
from app.web.keyset import list_name
from app.web.listing import int_arg
from app.web.listing import sorting
from app.web.report_args import read_filters
from app.web.saving import save

bp = Blueprint("invoices", __name__, url_prefix="/invoices")


@bp.get("/")
def index():
    ignored: list[str] = []
    filters = read_filters(ignored)
    sort = sorting(service.SORTS, "invoiced_on", descending=True)
    totals = service.invoice_totals(filters)
    known = sum(t.count for t in totals) if filters.status == "active" else None
    keys = service.invoice_keys(sort.key, sort.descending)
    page = keyset_page(
        service.invoice_lines(filters, sort.key, sort.descending),
        keys,
        list_name("invoices", sort.key, sort.descending, keys),
        current_app.config["PAGE_SIZE"],
        # Valid invoices only: the sums counted them already; else counted here.
        total=known if known is not None else lambda: count_rows(service.invoice_select(filters)),
        make=lambda row: service.InvoiceLine(*row),
    )
    return render_template(
        "invoices/index.html",
        page=page,
        filters=filters,
        sort=sort,
        totals=totals,
        years=service.invoice_years(),
        categories=list_service.choices(Category),
        departments=list_service.choices(Department),
        vendor=db.session.get(Vendor, filters.vendor_id) if filters.vendor_id else None,
        contract=db.session.get(Contract, filters.contract_id) if filters.contract_id else None,
        batch=db.session.get(ImportBatch, filters.batch_id) if filters.batch_id else None,
        chips=filter_chips(filters),
        ignored=ignored,
    )


@bp.get("/<int:id>")
def detail(id: int):
    invoice = db.get_or_404(Invoice, id)
    return render_template(
        "invoices/detail.html",
        invoice=invoice,
        history=history_for(invoice),
        restore=voiding.restore_form(invoice),
    )


def _form(invoice: Invoice | None = None, **kwargs) -> InvoiceForm:
    """The invoice form. Its contract menu holds the valid contracts of the vendor the form
    is filled with (an invoice being edited, the vendor kept by “save and add another”, or
    picked before the form came back with errors), else every valid contract; an edited
    invoice's own contract stays on it even if voided since."""
    vendor_id = _form_vendor_id(invoice)
    contracts = db.session.scalars(
        contract_service.contract_select(
            contract_service.ContractFilters(vendor_id=vendor_id, status="active"),
            "reference",
            False,
        )
    ).all()
    if invoice is not None and invoice.contract is not None and invoice.contract not in contracts:
        contracts.insert(0, invoice.contract)
    return InvoiceForm(
        obj=invoice,
        contracts=contracts,
        categories=db.session.scalars(list_service.ordered(Category)).all(),
        departments=db.session.scalars(list_service.ordered(Department)).all(),
        **kwargs,
    )


def _form_vendor_id(invoice: Invoice | None) -> int | None:
    """The vendor the form is being filled for, when the request says it plainly."""
    if request.method == "POST":
        raw = request.form.get("vendor_id", "")
        return int(raw) if raw.isdigit() and int(raw) < 2**31 else None
    if invoice is not None:
        return invoice.vendor_id
    return int_arg("vendor")


@bp.route("/new", methods=["GET", "POST"])
@write_required
def create():
    form = _form()
    if request.method == "GET":
        _prefill(form)
    if form.validate_on_submit():
        invoice = save(form, lambda: service.create_invoice(with_rules(invoice_values(form))))
        if invoice is not None:
            link = Markup('<a href="{}">{}</a>').format(
                url_for(".detail", id=invoice.id), invoice.invoice_number
            )
            # The catalogue's text is trusted; the only data in it is the escaped link.
            flash(Markup(gettext("Invoice %(link)s saved.", link=link)), "success")  # noqa: S704
            if form.save_and_add.data:
                return redirect(url_for(".create", **_carried_over(invoice)))
            return redirect(url_for(".detail", id=invoice.id))
    form.put_focus()
    return render_template("invoices/form.html", form=form, invoice=None)


def _carried_over(invoice: Invoice) -> dict:
    """What “save and add another” keeps for the next invoice: vendor, contract, dates,
    currency."""
    kept = {
        "vendor": invoice.vendor_id,
        "contract": invoice.contract_id,
        "invoiced_on": invoice.invoiced_on.isoformat(),
        "paid_on": invoice.paid_on.isoformat() if invoice.paid_on else None,
        "currency": invoice.currency,
    }
    return {k: v for k, v in kept.items() if v is not None}


def _prefill(form: InvoiceForm) -> None:
    """Fill a new invoice form from the query string (after “save and add another”)."""
    vendor_id = int_arg("vendor")
    if vendor_id:
        form.fill_vendor(db.session.get(Vendor, vendor_id))
    contract_id = int_arg("contract")
    if contract_id and any(c.value == str(contract_id) for c in form.contract_id.choices):
        form.contract_id.data = contract_id
    for name in ("invoiced_on", "paid_on"):
        try:
            value = dt.date.fromisoformat(request.args.get(name, ""))
        except ValueError:
            continue
        getattr(form, name).data = value
    currency = (request.args.get("currency") or "").upper()
    if len(currency) == 3 and currency.isalpha():
        form.currency.data = currency


@bp.route("/<int:id>/edit", methods=["GET", "POST"])
@write_required
def edit(id: int):
    invoice = db.get_or_404(Invoice, id)
    if invoice.is_voided:
        flash(gettext("A voided invoice cannot be changed."), "error")
        return redirect(url_for(".detail", id=invoice.id))
    form = _form(invoice)
    if request.method == "GET":
        form.load(invoice)
    if form.validate_on_submit() and save(
        form, lambda: service.update_invoice(invoice, with_rules(invoice_values(form))), invoice
    ):
        flash(gettext("Changes saved."), "success")
        return redirect(url_for(".detail", id=invoice.id))
    form.put_focus()
    return render_template("invoices/form.html", form=form, invoice=invoice)


def invoice_values(form: InvoiceForm) -> dict:
    """The form's values as the service takes them, with the chosen (or new) records."""
    data = dict(form.data)
    data["vendor"] = form.picked_vendor
    data["contract"] = (
        db.session.get(Contract, form.contract_id.data) if form.contract_id.data else None
    )
    data["category"] = _chosen(Category, form.category_id.data, form.new_category.data)
    data["department"] = _chosen(Department, form.department_id.data, form.new_department.data)
    data["vat_rate"] = int(form.vat_rate.data) if form.vat_rate.data else None
    return data


def _chosen(model, chosen_id: int | None, new_name: str | None):
    """The list entry typed as new (created if missing), else the one chosen, else none."""
    if new_name and new_name.strip():
        return list_service.get_or_create(model, new_name)
    return db.session.get(model, chosen_id) if chosen_id else None


@bp.route("/<int:id>/void", methods=["GET", "POST"])
@write_required
def void(id: int):
    invoice = db.get_or_404(Invoice, id)
    return voiding.void_page(
        invoice,
        lambda reason, version: service.void_invoice(invoice, reason, version),
        title=gettext("Void invoice %(number)s", number=invoice.invoice_number),
        summary=f"{invoice.vendor.name} · {money(invoice.net_amount, invoice.currency)}",
        back_url=url_for(".detail", id=invoice.id),
        done=gettext("Invoice %(number)s voided.", number=invoice.invoice_number),
    )


@bp.post("/<int:id>/restore")
@write_required
def restore(id: int):
    invoice = db.get_or_404(Invoice, id)
    return voiding.restore_post(
        invoice,
        lambda version: service.restore_invoice(invoice, version),
        back_url=url_for(".detail", id=invoice.id),
        done=voiding.restored_message(),
    )
