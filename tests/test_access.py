"""Roles are enforced on the server for every route that writes.

The test walks ``app.url_map``: every route that accepts POST, PUT, PATCH or DELETE is tried
anonymously (sent to sign in, or 401 for JSON), as an auditor (403) and as the roles meant to
use it (let through). A new write route that is not in ``INTENDED`` fails the test, and so
does one without a role check.
"""

from __future__ import annotations

import pytest

from tests.conftest import rule_url

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
CLERK_OR_ADMIN = {"clerk", "admin"}
ADMIN = {"admin"}
ANYONE_SIGNED_IN = {"clerk", "admin", "auditor"}

#: Who each writing endpoint is for. Sign-in and sign-out are for everyone by nature.
INTENDED = {
    "vendors.create": CLERK_OR_ADMIN,
    "vendors.edit": CLERK_OR_ADMIN,
    "vendors.merge": ADMIN,
    "contracts.create": CLERK_OR_ADMIN,
    "contracts.edit": CLERK_OR_ADMIN,
    "contracts.add_amendment": CLERK_OR_ADMIN,
    "contracts.edit_amendment": CLERK_OR_ADMIN,
    "contracts.void": CLERK_OR_ADMIN,
    "contracts.restore": CLERK_OR_ADMIN,
    "contracts.void_amendment": CLERK_OR_ADMIN,
    "contracts.restore_amendment": CLERK_OR_ADMIN,
    "invoices.create": CLERK_OR_ADMIN,
    "invoices.edit": CLERK_OR_ADMIN,
    "invoices.void": CLERK_OR_ADMIN,
    "invoices.restore": CLERK_OR_ADMIN,
    "income.create": CLERK_OR_ADMIN,
    "income.edit": CLERK_OR_ADMIN,
    "income.void": CLERK_OR_ADMIN,
    "income.restore": CLERK_OR_ADMIN,
    "income.create_rate_card": ADMIN,
    "income.edit_rate_card": ADMIN,
    "income.void_rate_card": ADMIN,
    "income.restore_rate_card": ADMIN,
    "lists.create": ADMIN,
    "lists.edit": ADMIN,
    "users.create": ADMIN,
    "users.edit": ADMIN,
    "users.reset_password": ADMIN,
    "auth.password": ANYONE_SIGNED_IN,
    "imports.upload": CLERK_OR_ADMIN,
    "imports.confirm": CLERK_OR_ADMIN,
    "imports.columns": CLERK_OR_ADMIN,
    "imports.save_layout": CLERK_OR_ADMIN,
    "imports.delete_layout": ADMIN,
    "imports.undo": ADMIN,
    "thresholds.create": ADMIN,
    "thresholds.edit": ADMIN,
    "thresholds.delete": ADMIN,
    "thresholds.edit_review_share": ADMIN,
    "tokens.create": ANYONE_SIGNED_IN,
    "tokens.revoke": ANYONE_SIGNED_IN,
    "tokens.create_for": ADMIN,
    "tokens.new_service_account": ADMIN,
}
OPEN_TO_ALL = {"auth.login", "auth.logout"}


def _write_routes(app):
    """The browser's write routes. The API's take tokens, not sessions: tests/test_api_writes.py
    checks them."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            continue
        if rule.methods & WRITES and rule.endpoint not in OPEN_TO_ALL:
            yield rule


def test_every_write_route_is_listed_with_its_intended_roles(app):
    endpoints = {rule.endpoint for rule in _write_routes(app)}
    assert endpoints == set(INTENDED), (
        f"unlisted: {sorted(endpoints - set(INTENDED))}; gone: {sorted(set(INTENDED) - endpoints)}"
    )


def test_anonymous_writes_are_sent_to_sign_in(app, anonymous, demo_ids):
    ids = demo_ids
    for rule in _write_routes(app):
        url = rule_url(app, rule, ids)
        for method in sorted(rule.methods & WRITES):
            response = anonymous.open(url, method=method, data={"name": "x"})
            assert response.status_code == 302, (method, url)
            assert response.headers["Location"].startswith("/login"), (method, url)
            json = anonymous.open(url, method=method, headers={"Accept": "application/json"})
            assert json.status_code == 401, (method, url)


def test_auditors_may_not_write(app, auditor_client, demo_ids):
    ids = {**demo_ids, "user": auditor_client.user.id}
    for rule in _write_routes(app):
        if "auditor" in INTENDED[rule.endpoint]:
            continue
        url = rule_url(app, rule, ids)
        for method in sorted(rule.methods & WRITES):
            assert auditor_client.open(url, method=method, data={"name": "x"}).status_code == 403, (
                url
            )


@pytest.mark.parametrize("role", ["clerk", "admin"])
def test_writers_get_through_where_intended_and_nowhere_else(app, demo_ids, make_user, role):
    from tests.conftest import sign_in

    user = make_user(role)
    client = sign_in(app.test_client(), user)
    ids = {**demo_ids, "user": user.id}
    for rule in _write_routes(app):
        url = rule_url(app, rule, ids)
        for method in sorted(rule.methods & WRITES):
            status = client.open(url, method=method, data={}).status_code
            if role in INTENDED[rule.endpoint]:
                assert status not in (401, 403) and status < 500, (role, method, url, status)
            else:
                assert status == 403, (role, method, url, status)


def test_reading_needs_no_account(anonymous, demo_ids):
    invoice, vendor, contract = demo_ids["invoice"], demo_ids["vendor"], demo_ids["contract"]
    for url in [
        "/",
        "/invoices/",
        f"/invoices/{invoice}",
        "/vendors/",
        f"/vendors/{vendor}",
        "/contracts/",
        f"/contracts/{contract}",
        "/income/",
        "/income/rates/",
        "/lists/",
        "/vendors/search.json?q=a",
    ]:
        assert anonymous.get(url).status_code == 200, url


def test_history_and_the_audit_log_are_for_auditors_and_admins(
    demo_ids, anonymous, client, auditor_client, admin_client, demo
):
    assert anonymous.get("/audit/").status_code == 302
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/events.csv").status_code == 403
    assert auditor_client.get("/audit/").status_code == 200
    assert admin_client.get("/audit/").status_code == 200
    assert 'class="history"' not in client.get(f"/invoices/{demo_ids['invoice']}").get_data(
        as_text=True
    )
    assert 'class="history"' not in anonymous.get(f"/invoices/{demo_ids['invoice']}").get_data(
        as_text=True
    )
    assert 'class="history"' in auditor_client.get(f"/invoices/{demo_ids['invoice']}").get_data(
        as_text=True
    )


def test_write_buttons_are_hidden_from_those_who_may_not_use_them(
    demo_ids, anonymous, auditor_client, client, demo
):
    for reader in (anonymous, auditor_client):
        html = reader.get(f"/invoices/{demo_ids['invoice']}").get_data(as_text=True)
        assert "/edit" not in html and "/void" not in html
    assert f"/invoices/{demo_ids['invoice']}/edit" in client.get(
        f"/invoices/{demo_ids['invoice']}"
    ).get_data(as_text=True)


def test_auditors_read_the_history_of_day_rates_and_list_entries(
    auditor_client, anonymous, demo_ids
):
    for url in [
        f"/income/rates/{demo_ids['rate_card']}",
        f"/lists/categories/{demo_ids['category']}",
    ]:
        assert 'class="history"' in auditor_client.get(url).get_data(as_text=True), url
        page = anonymous.get(url)
        assert page.status_code == 200 and 'class="history"' not in page.get_data(as_text=True), url
