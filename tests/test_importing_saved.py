"""Layouts remembered (``app.importing.saved``): a clerk who chose the columns of an unknown
layout in the browser keeps them under a name; the next file in that layout imports with no
questions, and the layout downloads (and exports from the command line) as a TOML profile
that reads back as the same profile."""

from __future__ import annotations

import io
import tomllib
from decimal import Decimal

import sqlalchemy as sa

from app.importing.profiles import load_profile
from app.importing.profiles import parse_profile
from app.models import AuditEvent
from app.models import ImportJob
from app.models import ImportProfile
from app.models import Invoice
from tests.test_importing_columns import ODD_LEDGER
from tests.test_importing_errors import import_file

#: The next month's file in the same layout.
NEXT_MONTH = (
    "Avsändare;Adressat;Bokf.dag;Kronor;Text\n"
    "Penseo AB;Kultur AB;2010-04-02;750,00;Strategi\n"
    "Nya Konsulter AB;Teknik AB;2010-04-09;125,25;Analys\n"
)


def _upload(client, text: str, name: str, **fields):
    data = {
        "file": (io.BytesIO(text.encode("utf-8")), name),
        "kind": "",
        "profile": "auto",
        **fields,
    }
    response = client.post("/imports/", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    return response


def _job(db) -> ImportJob:
    return db.session.scalars(sa.select(ImportJob).order_by(ImportJob.id.desc())).first()


def _save_chosen_layout(client, db) -> ImportJob:
    _upload(client, ODD_LEDGER, "reskontra-2010-03.csv", kind="invoices")
    job = _job(db)
    chosen = {"column-vendor_name": "Avsändare", "column-invoiced_on": "Bokf.dag",
              "column-net_amount": "Kronor", "column-description": "Text"}  # fmt: skip
    client.post(f"/imports/jobs/{job.id}/columns", data=chosen)
    page = client.get(f"/imports/jobs/{job.id}").get_data(as_text=True)
    assert 'data-import-status="preview"' in page and 'id="save-layout"' in page
    response = client.post(
        f"/imports/jobs/{job.id}/layout",
        data={"name": "reskontra-kommunen", "title": "Kommunens reskontra"},
    )
    assert response.status_code == 302
    return job


def test_a_layout_chosen_in_the_browser_is_kept_and_reads_the_next_file(
    client, runner, db, tmp_path
):
    _save_chosen_layout(client, db)
    layout = db.session.scalars(sa.select(ImportProfile)).one()
    assert (layout.name, layout.kind, layout.user_id) == (
        "reskontra-kommunen",
        "invoices",
        client.user.id,
    )
    assert layout.definition["columns"] == {
        "vendor_name": "Avsändare",
        "invoiced_on": "Bokf.dag",
        "net_amount": "Kronor",
        "description": "Text",
    }
    assert layout.definition["currency"] == "SEK"  # "Kronor" said so
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.record_type == "import_profiles", AuditEvent.action == "insert")
        )
        == 1
    )
    assert "reskontra-kommunen" in client.get("/imports/").get_data(as_text=True)

    # The next file in the layout: no questions, on the command line…
    path = tmp_path / "reskontra-2010-04.csv"
    path.write_text(NEXT_MONTH, encoding="utf-8")
    result = import_file(runner, path)
    assert result.exit_code == 0, result.output
    assert "Profile:   reskontra-kommunen; invoices" in result.output
    assert db.session.scalar(sa.select(sa.func.sum(Invoice.net_amount))) == Decimal("875.25")
    # …and in the browser.
    _upload(client, NEXT_MONTH.replace("2010-04", "2010-05"), "reskontra-2010-05.csv")
    page = client.get(f"/imports/jobs/{_job(db).id}").get_data(as_text=True)
    assert 'data-import-status="preview"' in page and "Kommunens reskontra" in page


def test_a_saved_layout_downloads_and_exports_as_the_same_profile(client, runner, db, tmp_path):
    _save_chosen_layout(client, db)
    response = client.get("/imports/layouts/reskontra-kommunen.toml")
    assert response.status_code == 200
    assert "reskontra-kommunen.toml" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    profile = parse_profile(tomllib.loads(text), "download")
    assert profile.name == "reskontra-kommunen" and profile.kind == "invoices"
    assert profile.currency == "SEK"
    assert profile.locate(["Avsändare", "Adressat", "Bokf.dag", "Kronor", "Text"]) == {
        "vendor_name": 0,
        "invoiced_on": 2,
        "net_amount": 3,
        "description": 4,
    }

    exported = runner.invoke(args=["imports", "profile-export", "reskontra-kommunen"])
    assert exported.exit_code == 0 and exported.output == text
    target = tmp_path / "reskontra-kommunen.toml"
    written = runner.invoke(
        args=["imports", "profile-export", "reskontra-kommunen", "-o", str(target)]
    )
    assert written.exit_code == 0
    assert load_profile(target) == profile
    listed = runner.invoke(args=["imports", "profiles"])
    assert "reskontra-kommunen" in listed.output and "saved" in listed.output
    assert "leeds-2020" in listed.output and "shipped" in listed.output
    unknown = runner.invoke(args=["imports", "profile-export", "finns-inte"])
    assert unknown.exit_code == 1


def test_a_layout_name_must_be_free_and_well_formed(client, db):
    job = _save_chosen_layout(client, db)
    for name in ("reskontra-kommunen", "leeds-2020", "Med Mellanslag"):
        client.post(f"/imports/jobs/{job.id}/layout", data={"name": name, "title": "x"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ImportProfile)) == 1


def test_an_administrator_deletes_a_layout(client, admin_client, db):
    _save_chosen_layout(client, db)
    assert client.post("/imports/layouts/reskontra-kommunen/delete").status_code == 403
    assert admin_client.post("/imports/layouts/reskontra-kommunen/delete").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ImportProfile)) == 0
    assert client.get("/imports/layouts/reskontra-kommunen.toml").status_code == 404
