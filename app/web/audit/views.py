"""The audit log: every change to every record, filterable, and downloadable as CSV."""

from __future__ import annotations

import datetime as dt
import json

from flask import Blueprint
from flask import Response
from flask import render_template
from flask import request
from flask import stream_with_context

from app.exporting.cells import csv_lines
from app.extensions import db
from app.services import accounts
from app.services import history as service
from app.services.history import changed_fields
from app.web.access import history_required
from app.web.listing import int_arg
from app.web.listing import paginate

bp = Blueprint("audit", __name__, url_prefix="/audit")


def _date_arg(name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _filters() -> service.EventFilters:
    action = request.args.get("action")
    record_type = (request.args.get("type") or "").strip()[:50] or None
    return service.EventFilters(
        user_id=int_arg("user"),
        record_type=record_type,
        action=action if action in service.ACTIONS else None,
        since=_date_arg("from"),
        until=_date_arg("to"),
    )


@bp.get("/")
@history_required
def index():
    filters = _filters()
    return render_template(
        "audit/index.html",
        page=paginate(service.event_select(filters)),
        filters=filters,
        users=db.session.scalars(accounts.users()).all(),
        record_types=service.record_types(),
        actions=service.ACTIONS,
    )


@bp.get("/events.csv")
@history_required
def export():
    """The filtered log as CSV (UTF-8 with BOM, comma, RFC 4180), streamed."""
    filters = _filters()
    header = [
        "occurred_at",
        "actor",
        "origin",
        "action",
        "record_type",
        "record_id",
        "record",
        "version",
        "changes",
        "via_token",
    ]

    def body():
        # The query runs here, while the response streams: the view's own session is gone by
        # then, and stream_with_context gives this generator a request context of its own.
        events = db.session.scalars(service.event_select(filters).execution_options(yield_per=500))
        yield "\ufeff"
        yield from csv_lines(header, (_row(e) for e in events))

    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M")
    return Response(
        stream_with_context(body()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="insyn-audit-{stamp}.csv"'},
    )


def _row(event) -> list:
    return [
        event.occurred_at.isoformat(),
        event.actor,
        event.origin,
        event.action,
        event.record_type,
        event.record_id,
        event.record_label,
        event.record_version,
        json.dumps(
            {name: [old, new] for name, old, new in changed_fields(event)},
            ensure_ascii=False,
            sort_keys=True,
        ),
        event.via_token or "",
    ]
