"""Contract pages: the register, a contract with its amendments and terms, add and edit."""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext

from app.extensions import db
from app.models import Contract
from app.models import ContractAmendment
from app.models import Vendor
from app.services import contracts as service
from app.services import invoices as invoice_service
from app.services.burndown import burndown
from app.services.flag_store import flags_of
from app.services.flags import contract_flags
from app.settings import with_rules
from app.web import voiding
from app.web.access import write_required
from app.web.audience import request_audience
from app.web.contracts.forms import AmendmentForm
from app.web.contracts.forms import ContractForm
from app.web.filters import date
from app.web.history import history_for
from app.web.keyset import list_name
from app.web.keyset import list_page
from app.web.listing import int_arg
from app.web.listing import sorting
from app.web.listing import status_arg
from app.web.listing import text_arg
from app.web.listing import year_arg
from app.web.reports import present
from app.web.reports import report_charts
from app.web.saving import save

bp = Blueprint("contracts", __name__, url_prefix="/contracts")


def list_filters() -> service.ContractFilters:
    """The contract list's filters from the query string (the list and its exports)."""
    return service.ContractFilters(
        vendor_id=int_arg("vendor"),
        vendor_text=text_arg("vendor_q"),
        batch_id=int_arg("batch"),
        year=year_arg(),
        q=text_arg("q"),
        status=status_arg(),
        audience=request_audience(),
    )


@bp.get("/")
def index():
    filters = list_filters()
    sort = sorting(service.SORTS, "starts_on", descending=True)
    keys = service.contract_keys(filters, sort.key, sort.descending)
    page = list_page(
        service.with_related(service.contract_select(filters, sort.key, sort.descending)),
        keys,
        list_name("contracts", sort.key, sort.descending, keys),
    )
    vendor = db.session.get(Vendor, filters.vendor_id) if filters.vendor_id else None
    stored = flags_of(page.items)  # a row per contract of the page
    return render_template(
        "contracts/index.html",
        page=page,
        rows=[(c, service.current_terms(c)) for c in page.items],
        # Flags that still hold, per contract shown: what an auditor scans the list for.
        flag_counts={c.id: sum(1 for flag in stored[c.id] if flag.is_current) for c in page.items},
        filters=filters,
        sort=sort,
        vendor=vendor,
        years=invoice_service.invoice_years(),
    )


@bp.get("/for-vendor.json")
def for_vendor():
    """The contracts of ``?vendor=ID``, for the invoice form's contract menu."""
    vendor_id = int_arg("vendor")
    if not vendor_id:
        return jsonify([])
    contracts = db.session.scalars(
        service.contract_select(service.ContractFilters(vendor_id=vendor_id, status="active"))
    )
    return jsonify([{"id": c.id, "label": str(c), "currency": c.currency} for c in contracts])


@bp.get("/<int:id>")
def detail(id: int):
    contract = db.get_or_404(Contract, id)
    terms = service.contract_terms(contract)
    progress = burndown(contract)
    flags = [
        present.show_flag(flag, contract.currency) for flag in contract_flags(contract, progress)
    ]
    return render_template(
        "contracts/detail.html",
        contract=contract,
        terms=terms,
        current=terms[-1],
        progress=progress,
        # A voided contract allows nothing: no burn-down against it (its flags are none).
        chart=None if contract.is_voided else report_charts.burndown_chart(progress),
        flags=flags,
        evidence=present.evidence_rows(flags),
        restore=voiding.restore_form(contract),
        amendment_restores={a.id: voiding.restore_form(a) for a in contract.amendments},
        invoices=db.session.scalars(
            invoice_service.invoice_select(
                invoice_service.InvoiceFilters(contract_id=contract.id)
            ).limit(20)
        ).all(),
        history=history_for(contract),
    )


@bp.route("/new", methods=["GET", "POST"])
@write_required
def create():
    form = ContractForm()
    if request.method == "GET" and int_arg("vendor"):
        form.fill_vendor(db.session.get(Vendor, int_arg("vendor")))
    if form.validate_on_submit():
        contract = save(form, lambda: service.create_contract(with_rules(_data(form))))
        if contract is not None:
            flash(gettext("Contract %(title)s added.", title=contract.title), "success")
            return redirect(url_for(".detail", id=contract.id))
    return render_template("contracts/form.html", form=form, contract=None)


@bp.route("/<int:id>/edit", methods=["GET", "POST"])
@write_required
def edit(id: int):
    contract = db.get_or_404(Contract, id)
    form = ContractForm(obj=contract)
    if request.method == "GET":
        form.load(contract)
    if form.validate_on_submit() and save(
        form, lambda: service.update_contract(contract, with_rules(_data(form))), contract
    ):
        flash(gettext("Changes saved."), "success")
        return redirect(url_for(".detail", id=contract.id))
    return render_template("contracts/form.html", form=form, contract=contract)


def _data(form: ContractForm) -> dict:
    return {**form.data, "vendor": form.picked_vendor}


@bp.route("/<int:id>/amendments/new", methods=["GET", "POST"])
@write_required
def add_amendment(id: int):
    contract = db.get_or_404(Contract, id)
    form = AmendmentForm()
    if form.validate_on_submit() and save(
        form, lambda: service.add_amendment(contract, with_rules(form.data))
    ):
        flash(gettext("Amendment added."), "success")
        return redirect(url_for(".detail", id=contract.id) + "#amendments")
    return render_template(
        "contracts/amendment_form.html", form=form, contract=contract, amendment=None
    )


@bp.route("/amendments/<int:id>/edit", methods=["GET", "POST"])
@write_required
def edit_amendment(id: int):
    amendment = db.get_or_404(ContractAmendment, id)
    contract = amendment.contract
    form = AmendmentForm(obj=amendment)
    if request.method == "GET":
        form.load(amendment)
    if form.validate_on_submit() and save(
        form, lambda: service.update_amendment(amendment, with_rules(form.data)), amendment
    ):
        flash(gettext("Amendment saved."), "success")
        return redirect(url_for(".detail", id=contract.id) + "#amendments")
    return render_template(
        "contracts/amendment_form.html", form=form, contract=contract, amendment=amendment
    )


@bp.route("/<int:id>/void", methods=["GET", "POST"])
@write_required
def void(id: int):
    contract = db.get_or_404(Contract, id)
    return voiding.void_page(
        contract,
        lambda reason, version: service.void_contract(contract, reason, version),
        title=gettext("Void contract %(contract)s", contract=str(contract)),
        summary=contract.vendor.name,
        back_url=url_for(".detail", id=contract.id),
        done=gettext("Contract %(contract)s voided.", contract=str(contract)),
    )


@bp.post("/<int:id>/restore")
@write_required
def restore(id: int):
    contract = db.get_or_404(Contract, id)
    return voiding.restore_post(
        contract,
        lambda version: service.restore_contract(contract, version),
        back_url=url_for(".detail", id=contract.id),
        done=voiding.restored_message(),
    )


@bp.route("/amendments/<int:id>/void", methods=["GET", "POST"])
@write_required
def void_amendment(id: int):
    amendment = db.get_or_404(ContractAmendment, id)
    contract = amendment.contract
    return voiding.void_page(
        amendment,
        lambda reason, version: service.void_amendment(amendment, reason, version),
        title=gettext("Void the amendment of %(date)s", date=date(amendment.dated_on)),
        summary=str(contract),
        back_url=url_for(".detail", id=contract.id) + "#amendments",
        done=gettext("Amendment voided."),
    )


@bp.post("/amendments/<int:id>/restore")
@write_required
def restore_amendment(id: int):
    amendment = db.get_or_404(ContractAmendment, id)
    return voiding.restore_post(
        amendment,
        lambda version: service.restore_amendment(amendment, version),
        back_url=url_for(".detail", id=amendment.contract_id) + "#amendments",
        done=voiding.restored_message(),
    )
