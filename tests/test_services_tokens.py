"""API tokens: made once and stored as a hash, scoped, expiring, revocable; service accounts;
the account pages and the command line."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
import sqlalchemy as sa

from app.models import ApiToken
from app.models import AuditEvent
from app.models import User
from app.models.base import utcnow
from app.services import tokens
from app.services.errors import ServiceError
from tests.api_helpers import bearer


def test_a_token_is_stored_only_as_the_hash_of_its_secret(db, make_user):
    user = make_user("clerk")
    token, secret = tokens.create_token(user, {"name": "Ekonomisystemet", "scope": "write"}, user)
    db.session.commit()
    assert secret.startswith("insyn_") and len(secret) >= 40
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:12]
    row = db.session.execute(sa.select(ApiToken.__table__)).mappings().one()
    assert secret not in str(dict(row))
    assert tokens.find_token(secret) is token
    assert tokens.find_token(secret + "x") is None
    assert token.expires_on == utcnow().date() + dt.timedelta(days=tokens.DEFAULT_DAYS)
    # Made, it is in the owner's history; its hash is not.
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.record_type == "api_tokens"))
    assert event.parent_type == "users" and event.parent_id == user.id
    assert event.changes["token"] == [None, "***"]


@pytest.mark.parametrize(
    "data,field",
    [
        ({"name": ""}, "name"),
        ({"name": "x", "scope": "admin"}, "scope"),
        ({"name": "x", "expires_on": dt.date(2000, 1, 1)}, "expires_on"),
        ({"name": "x", "expires_on": dt.date(2100, 1, 1)}, "expires_on"),
    ],
)
def test_a_token_needs_a_name_a_scope_and_a_sensible_expiry(db, make_user, data, field):
    user = make_user("clerk")
    with pytest.raises(ServiceError) as refused:
        tokens.create_token(user, data, user)
    assert refused.value.field == field


def test_an_auditor_gets_a_read_token_only(db, make_user):
    auditor = make_user("auditor")
    with pytest.raises(ServiceError) as refused:
        tokens.create_token(auditor, {"name": "x", "scope": "write"}, auditor)
    assert refused.value.field == "scope"
    token, _secret = tokens.create_token(auditor, {"name": "x"}, auditor)
    assert token.scope.value == "read"


def test_only_an_administrator_makes_tokens_for_others_and_only_for_service_accounts(db, make_user):
    clerk, admin = make_user("clerk"), make_user("admin")
    system = tokens.create_service_account(
        {"email": "ekonomi@kommun.example", "name": "Ekonomisystemet", "role": "clerk"}
    )
    with pytest.raises(ServiceError):
        tokens.create_token(clerk, {"name": "x"}, admin)  # a person's: theirs to make
    with pytest.raises(ServiceError):
        tokens.create_token(system, {"name": "x"}, clerk)
    token, _secret = tokens.create_token(system, {"name": "x", "scope": "write"}, admin)
    assert token.user is system and token.created_by is admin
    with pytest.raises(ServiceError):
        tokens.create_service_account({"email": "a@b.se", "role": "admin"})


def test_a_service_account_never_signs_in(app, db, anonymous):
    system = tokens.create_service_account({"email": "ekonomi@kommun.example", "name": "E"})
    db.session.commit()
    for password in ("", "!service-account", system.password_hash):
        response = anonymous.post("/login", data={"email": system.email, "password": password})
        assert response.status_code == 200  # the form again, with its refusal


def test_usable_means_not_revoked_not_expired_and_an_active_owner(db, make_user):
    from app.services.accounts import deactivate

    user = make_user("clerk")
    make_user("admin")
    token, _secret = tokens.create_token(user, {"name": "x"}, user)
    assert tokens.usable(token)
    token.expires_on = utcnow().date()
    assert tokens.usable(token)  # the last day counts
    token.expires_on = utcnow().date() - dt.timedelta(days=1)
    assert not tokens.usable(token)
    token.expires_on = utcnow().date()
    deactivate(user)
    assert not tokens.usable(token)


def test_each_use_is_recorded(app, db, make_user):
    user = make_user("clerk")
    token, secret = tokens.create_token(user, {"name": "x"}, user)
    db.session.commit()
    assert token.last_used_at is None
    assert app.test_client().get("/api/v1/categories", headers=bearer(secret)).status_code == 200
    db.session.refresh(token)
    assert token.last_used_at is not None
    # Reading the pages' JSON with a token counts as the account's, too.
    response = app.test_client().get("/invoices.json", headers=bearer(secret))
    assert response.headers["Cache-Control"] == "private, no-store"


def test_a_token_is_made_revoked_and_listed_on_the_account_page(client, db):
    page = client.get("/account/tokens")
    assert page.status_code == 200
    made = client.post("/account/tokens", data={"name": "Redaktionen", "scope": "read"})
    assert made.status_code == 200
    secret = re.search(r'<code class="secret">(insyn_[^<]+)</code>', made.get_data(as_text=True))
    assert secret is not None
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert "Redaktionen" in listing and secret.group(1) not in listing  # shown once only
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.name == "Redaktionen"))
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 302
    db.session.refresh(token)
    assert token.revoked_at is not None
    assert (
        client.application.test_client()
        .get("/api/v1/", headers=bearer(secret.group(1)))
        .status_code
        == 401
    )


def test_one_account_cannot_revoke_anothers_token(app, db, make_user, client):
    other = make_user("clerk")
    token, _secret = tokens.create_token(other, {"name": "x"}, other)
    db.session.commit()
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 403
    db.session.refresh(token)
    assert token.revoked_at is None


def test_an_administrator_opens_a_service_account_and_makes_its_token(admin_client, db):
    opened = admin_client.post(
        "/users/service/new",
        data={"email": "ekonomi@kommun.example", "name": "Ekonomisystemet", "role": "clerk"},
    )
    assert opened.status_code == 302
    system = db.session.scalar(sa.select(User).where(User.email == "ekonomi@kommun.example"))
    assert system.is_service
    page = admin_client.get(f"/users/{system.id}").get_data(as_text=True)
    assert "Reset the password" not in page and "Återställ" not in page
    made = admin_client.post(
        f"/users/{system.id}/tokens", data={"name": "Ekonomi", "scope": "write"}
    )
    assert made.status_code == 200 and 'class="secret"' in made.get_data(as_text=True)
    assert "Ekonomi" in admin_client.get(f"/users/{system.id}").get_data(as_text=True)


def test_tokens_from_the_command_line(runner, db, make_user):
    user = make_user("clerk")
    made = runner.invoke(
        args=["tokens", "create", user.email, "--name", "Skript", "--scope", "write",
              "--expires", "2099-01-01"],
    )  # fmt: skip
    assert made.exit_code != 0 and "at most" in made.output  # past the longest life
    made = runner.invoke(args=["tokens", "create", user.email, "--name", "Skript"])
    assert made.exit_code == 0, made.output
    secret = re.search(r"insyn_\S+", made.output).group(0)
    assert tokens.find_token(secret) is not None
    listed = runner.invoke(args=["tokens", "list"])
    assert "Skript" in listed.output and secret not in listed.output
    token_id = tokens.find_token(secret).id
    revoked = runner.invoke(args=["tokens", "revoke", str(token_id)])
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    assert "revoked" in runner.invoke(args=["tokens", "list", user.email]).output
    assert runner.invoke(args=["tokens", "revoke", str(token_id)]).exit_code == 1
    service = runner.invoke(
        args=["users", "create", "ekonomi@kommun.example", "--role", "clerk", "--service"]
    )
    assert service.exit_code == 0 and "Service account" in service.output
