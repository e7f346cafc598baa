"""Vendor pages: list, detail, add, edit, and the type-ahead search."""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext
from flask_babel import ngettext

from app.extensions import db
from app.models import Vendor
from app.services import contracts as contract_service
from app.services import invoices as invoice_service
from app.services import vendors as service
from app.services.flag_store import flags_of
from app.services.flags import threshold_flags
from app.web.access import admin_required
from app.web.access import login_required
from app.web.access import write_required
from app.web.audience import request_audience
from app.web.history import history_for
from app.web.keyset import list_name
from app.web.keyset import list_page
from app.web.listing import safe_next
from app.web.listing import sorting
from app.web.listing import text_arg
from app.web.reports import present
from app.web.reports import report_charts
from app.web.reports.report_charts import main_currency
from app.web.saving import save
from app.web.vendors.forms import MergeVendorForm
from app.web.vendors.forms import VendorForm

bp = Blueprint("vendors", __name__, url_prefix="/vendors")


def list_filters() -> service.VendorFilters:
    """The vendor list's filters from the query string (the list and its exports)."""
    return service.VendorFilters(q=text_arg("q"), audience=request_audience())


@bp.get("/")
def index():
    filters = list_filters()
    sort = sorting(service.SORTS, "name")
    keys = service.vendor_keys(filters, sort.key, sort.descending)
    page = list_page(
        service.with_related(service.vendor_select(filters, sort.key, sort.descending)),
        keys,
        list_name("vendors", sort.key, sort.descending, keys),
    )
    return render_template("vendors/index.html", page=page, filters=filters, sort=sort)


@bp.get("/duplicates")
@login_required
def duplicates():
    """Vendors that are probably one supplier entered more than once, for an administrator
    to merge (the names are staff's to see: private persons may be among them)."""
    groups = service.possible_duplicates()
    return render_template("vendors/duplicates.html", groups=groups)


@bp.get("/search.json")
def search():
    """Type-ahead: ``?q=`` part of a name or org number → up to 10 vendors. A private
    person's personnummer is never sent."""
    vendors = service.search(request.args.get("q", "")[:100], request_audience())
    return jsonify(
        [
            {
                "id": v.id,
                "name": v.name,
                "org_number": None if v.is_private_person else v.org_number,
                "label": v.label,
            }
            for v in vendors
        ]
    )


@bp.get("/<int:id>")
def detail(id: int):
    vendor = db.get_or_404(Vendor, id)
    audience = request_audience()
    filters = invoice_service.InvoiceFilters(vendor_id=vendor.id, audience=audience)
    contracts = db.session.scalars(
        contract_service.contract_select(
            contract_service.ContractFilters(vendor_id=vendor.id, audience=audience)
        )
    ).all()
    stored = flags_of(contracts)
    return render_template(
        "vendors/detail.html",
        vendor=vendor,
        contracts=[(c, contract_service.current_terms(c)) for c in contracts],
        yearly=(yearly := invoice_service.yearly_totals(vendor_id=vendor.id)),
        yearly_chart=report_charts.yearly_chart(
            filters, yearly, main_currency((y.currency, y.count) for y in yearly) or "SEK"
        ),
        totals=invoice_service.invoice_totals(filters),
        recent=db.session.scalars(invoice_service.invoice_select(filters).limit(10)).all(),
        history=history_for(vendor),
        flags=[
            *(
                present.show_flag(flag, c.currency, str(c))
                for c in contracts
                for flag in stored[c.id]
            ),
            *(present.show_flag(flag) for flag in threshold_flags(audience, vendor_id=vendor.id)),
        ],
        evidence={},
        merge_form=MergeVendorForm(formdata=None, version=vendor.version),
    )


@bp.route("/new", methods=["GET", "POST"])
@write_required
def create():
    form = VendorForm()
    if form.validate_on_submit():
        vendor = save(form, lambda: service.create_vendor(form.data))
        if vendor is not None:
            flash(gettext("Vendor %(name)s added.", name=vendor.name), "success")
            return redirect(safe_next("next_url") or url_for(".detail", id=vendor.id))
    return render_template("vendors/form.html", form=form, vendor=None)


@bp.route("/<int:id>/edit", methods=["GET", "POST"])
@write_required
def edit(id: int):
    vendor = db.get_or_404(Vendor, id)
    form = VendorForm(obj=vendor)
    if request.method == "GET":
        form.load(vendor)
    if form.validate_on_submit() and save(
        form, lambda: service.update_vendor(vendor, form.data), vendor
    ):
        flash(gettext("Changes to %(name)s saved.", name=vendor.name), "success")
        return redirect(url_for(".detail", id=vendor.id))
    return render_template("vendors/form.html", form=form, vendor=vendor)


@bp.post("/<int:id>/merge")
@admin_required
def merge(id: int):
    """Merge the vendor picked on the page into this one (see ``services.vendors``)."""
    vendor = db.get_or_404(Vendor, id)
    form = MergeVendorForm()
    if form.validate_on_submit():
        duplicate = form.picked_vendor
        name = duplicate.name
        moved = save(
            form, lambda: service.merge_vendors(vendor, duplicate, form.version.data), vendor
        )
        if moved is not None:
            flash(
                ngettext(
                    "%(name)s merged into %(target)s: %(num)s invoice moved.",
                    "%(name)s merged into %(target)s: %(num)s invoices moved.",
                    moved,
                    name=name,
                    target=vendor.name,
                ),
                "success",
            )
            return redirect(url_for(".detail", id=vendor.id))
    for field in (form.vendor, form.confirm):
        for error in field.errors:
            flash(error, "error")
    if getattr(form, "conflict", None):
        flash(form.conflict.message, "error")
    return redirect(url_for(".detail", id=vendor.id) + "#merge")
