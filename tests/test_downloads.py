"""Every download of every list and report, fetched as a browser fetches it: from an app on a
database of its own, with no test transaction holding a connection open, so that a file
streamed after its view has returned (and its transaction has ended) is caught on
PostgreSQL as in production. CI runs this on SQLite and on PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import openpyxl
import pytest
from flask.testing import FlaskClient

from app.settings import password_policy
from tests.conftest import PASSWORD
from tests.conftest import sign_in

#: Every list and report that downloads: its address and the query it is asked with.
TABLES = [
    ("/invoices", "year=2010"),
    ("/invoices", ""),
    ("/vendors", ""),
    ("/contracts", ""),
    ("/income", ""),
    ("/reports/totals", "by=year,vendor"),
    ("/reports/totals", "by=month,category&year=2010"),
    ("/reports/pivot", ""),
    ("/reports/balance", "year=2010"),
]
#: The formats each list or report offers (the reports' JSON is their own shape).
FORMATS = ["xlsx", "csv", "csv-rfc4180", "json"]
OTHER_FILES = [
    "/reports/evidence.zip?report=totals&by=year,vendor",
    "/reports/evidence.zip?report=pivot",
    "/reports/evidence.zip?report=balance&year=2010",
    "/open-data/leverantorsreskontra-2010.csv",
    "/open-data/ocds.json",
    "/open-data/datapackage.zip",
]


@pytest.fixture(scope="module")
def published(databases, migrated_app):
    """An app on a database of its own holding the demo data (committed), and an auditor."""
    from app.extensions import db
    from app.services.accounts import create_user
    from app.services.demo import load_demo

    app = migrated_app(databases.new())
    # Each request in an app context of its own, which ends with the request (the suite's
    # client keeps one around each request, as the test transaction needs; none is here).
    app.test_client_class = FlaskClient
    with app.app_context():
        load_demo()
        auditor = create_user(
            {"email": "revisor@kommun.example", "name": "Revisor", "role": "auditor",
             "password": PASSWORD},
            policy=password_policy(),
        )  # fmt: skip
        db.session.commit()
        app.auditor_email = auditor.email
    yield app
    with app.app_context():
        db.engine.dispose()


def _urls() -> list[str]:
    urls = []
    for path, query in TABLES:
        for fmt in FORMATS:
            extension, _, dialect = fmt.partition("-")
            if extension == "json" and path.startswith("/reports/") and query.startswith("by=m"):
                continue
            args = "&".join(a for a in (query, f"dialect={dialect}" if dialect else "") if a)
            urls.append(f"{path}.{extension}?{args}")
    return urls + OTHER_FILES


def _check_body(url: str, response) -> None:
    data = response.data  # the whole streamed body
    assert data, url
    if ".xlsx" in url:
        workbook = openpyxl.load_workbook(io.BytesIO(data))
        assert workbook.worksheets[0].max_row >= 2, url
    elif ".json" in url:
        assert json.loads(data), url
    elif ".zip" in url:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert archive.testzip() is None and archive.namelist(), url
    else:
        swedish = "/open-data/" not in url and "/audit/" not in url and "rfc4180" not in url
        text = io.StringIO(data.decode("utf-8-sig"))
        rows = list(csv.reader(text, delimiter=";" if swedish else ","))
        assert len(rows) >= 2 and len(rows[0]) > 2, url


@pytest.mark.parametrize("url", _urls())
def test_every_download_answers_whole(published, url):
    response = published.test_client().get(url)
    assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])
    _check_body(url, response)


@pytest.mark.parametrize("url", [*_urls()[:4], "/audit/events.csv"])
def test_downloads_answer_whole_for_a_signed_in_account(published, url):
    from types import SimpleNamespace

    client = published.test_client()
    sign_in(client, SimpleNamespace(email=published.auditor_email))
    response = client.get(url)
    assert response.status_code == 200, url
    _check_body(url, response)


def test_every_download_route_is_fetched_here(published):
    """A new download route must be added above."""
    fetched = {url.split("?")[0].rsplit(".", 1)[0] for url in _urls()} | {"/audit/events"}
    for rule in published.url_map.iter_rules():
        path = rule.rule
        if "." in path.rsplit("/", 1)[-1] and not path.startswith("/static"):
            base = path.rsplit(".", 1)[0].replace("<int:year>", "2010")
            if rule.endpoint.startswith(("exports.", "reports.", "audit.")):
                assert base in fetched, path
