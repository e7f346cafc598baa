"""Accounts: passwords, signing in and out, throttling, sessions, and the users commands."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from app.models import LoginAttempt
from app.models import Role
from app.models import User
from app.passwords import PasswordError
from app.passwords import check_password
from app.passwords import hash_password
from app.passwords import is_common
from app.passwords import verify_password
from app.services import accounts
from app.services.errors import ServiceError
from app.settings import password_policy
from tests.conftest import PASSWORD
from tests.conftest import sign_in

# --- passwords ---------------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["kort", "elva tecken"])
def test_passwords_shorter_than_twelve_are_refused(password):
    with pytest.raises(PasswordError) as caught:
        check_password(password)
    assert caught.value.params == {"count": 12}


@pytest.mark.parametrize(
    "password", ["Password1234!", "qwertyuiop123", "iloveyou2026", "sunshine!!!!"]
)
def test_common_passwords_are_refused_even_with_digits_added(password):
    assert is_common(password)
    with pytest.raises(PasswordError) as caught:
        check_password(password)
    assert "common" in caught.value.message


@pytest.mark.parametrize("password", ["123456789012", "aaaaaaaaaaaaaaaa", "abcdefghijklmnop"])
def test_easily_guessed_passwords_are_refused(password):
    with pytest.raises(PasswordError):
        check_password(password)


def test_a_password_with_ones_own_name_is_refused():
    with pytest.raises(PasswordError) as caught:
        check_password(
            "annika.lindqvist2026", email="annika.lindqvist@kommun.example", name="Annika Lindqvist"
        )
    assert "name" in caught.value.message


@pytest.mark.parametrize(
    "password", ["korrekt häst batteri häftklammer", "Sju-gröna-tulpaner-i-Flen"]
)
def test_long_unrelated_words_are_accepted(password):
    check_password(password, email="clerk@kommun.example", name="Clerk")


def test_hashes_are_salted_scrypt_and_verify():
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first.startswith("scrypt:32768:8:1$") and first != second
    assert verify_password(first, PASSWORD)
    assert not verify_password(first, PASSWORD + "x")


# --- accounts ----------------------------------------------------------------------------------


def test_emails_are_unique_ignoring_case(db, make_user):
    make_user("clerk", email="Anna@Kommun.example")
    with pytest.raises(ServiceError):
        make_user("clerk", email="anna@kommun.EXAMPLE")


def test_the_last_active_administrator_stays_one(db, make_user):
    admin = make_user("admin")
    with pytest.raises(ServiceError):
        accounts.set_role(admin, Role.CLERK)
    with pytest.raises(ServiceError):
        accounts.deactivate(admin)
    make_user("admin")
    accounts.deactivate(admin)
    assert not admin.is_active


# --- signing in --------------------------------------------------------------------------------


def test_signing_in_and_out(anonymous, db, make_user):
    user = make_user("clerk")
    page = anonymous.get("/login")
    assert page.status_code == 200
    response = anonymous.post(
        "/login?next=/invoices/new", data={"email": user.email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/invoices/new"
    assert anonymous.get("/invoices/new").status_code == 200
    assert anonymous.post("/logout").status_code == 302
    assert anonymous.get("/invoices/new").status_code == 302


def test_next_never_leads_to_another_site(anonymous, db, make_user):
    user = make_user("clerk")
    for target in ["https://evil.example/", "//evil.example/", "/\\evil.example"]:
        response = anonymous.post(
            f"/login?next={target}", data={"email": user.email, "password": PASSWORD}
        )
        assert response.headers["Location"] == "/"
        anonymous.post("/logout")


def test_unknown_user_and_wrong_password_get_the_same_message(anonymous, db, make_user):
    user = make_user("clerk")
    wrong = anonymous.post(
        "/login", data={"email": user.email, "password": "fel lösenord helt och hållet"}
    )
    unknown = anonymous.post("/login", data={"email": "ingen@kommun.example", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 200

    def message(response):
        html = response.get_data(as_text=True)
        return html[html.index('id="password-error"') :].split("</ul>")[0]

    assert message(wrong) == message(unknown)


def test_a_deactivated_account_cannot_sign_in_and_is_signed_out(app, db, make_user):
    user = make_user("clerk")
    client = sign_in(app.test_client(), user)
    accounts.update_user(user, {"is_active": False})
    db.session.commit()
    assert client.get("/invoices/new").status_code == 302
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 200
    )


def test_five_failures_lock_the_account_for_fifteen_minutes(app, db, make_user):
    user = make_user("clerk")
    throttle = accounts.Throttle(max_failures=5, window=dt.timedelta(minutes=15))
    for _ in range(5):
        with pytest.raises(accounts.LoginRefused) as caught:
            accounts.authenticate(user.email, "fel", "10.0.0.1", throttle)
        assert not caught.value.locked
    # The right password from another address is refused too: the account is locked.
    with pytest.raises(accounts.LoginRefused) as caught:
        accounts.authenticate(user.email, PASSWORD, "10.0.0.2", throttle)
    assert caught.value.locked
    # Fifteen minutes later it opens again.
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16)
    db.session.execute(sa.update(LoginAttempt).values(attempted_at=long_ago))
    assert accounts.authenticate(user.email, PASSWORD, "10.0.0.2", throttle) == user


def test_five_failures_from_one_address_lock_that_address(db, make_user):
    user = make_user("clerk")
    throttle = accounts.Throttle(max_failures=5, window=dt.timedelta(minutes=15))
    for number in range(5):
        with pytest.raises(accounts.LoginRefused):
            accounts.authenticate(f"gissning{number}@kommun.example", "fel", "10.9.9.9", throttle)
    with pytest.raises(accounts.LoginRefused) as caught:
        accounts.authenticate(user.email, PASSWORD, "10.9.9.9", throttle)
    assert caught.value.locked
    assert accounts.authenticate(user.email, PASSWORD, "10.9.9.8", throttle) == user


def test_the_lock_shows_on_the_sign_in_page_and_is_configurable(app, anonymous, db, make_user):
    user = make_user("clerk")
    app.config["LOGIN_MAX_FAILURES"] = 2
    try:
        for _ in range(2):
            anonymous.post("/login", data={"email": user.email, "password": "fel"})
        html = anonymous.post("/login", data={"email": user.email, "password": PASSWORD}).get_data(
            as_text=True
        )
        assert "15" in html
        assert anonymous.get("/invoices/new").status_code == 302
    finally:
        app.config["LOGIN_MAX_FAILURES"] = 5


def test_changing_ones_password_signs_out_other_sessions(app, db, make_user):
    user = make_user("clerk")
    here, elsewhere = sign_in(app.test_client(), user), sign_in(app.test_client(), user)
    response = here.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "password": "en helt ny och lång lösenfras",
            "confirm": "en helt ny och lång lösenfras",
        },
    )
    assert response.status_code == 302
    assert here.get("/invoices/new").status_code == 200
    assert elsewhere.get("/invoices/new").status_code == 302


def test_session_cookies_are_httponly_and_lax(app, anonymous, db, make_user):
    user = make_user("clerk")
    response = anonymous.post(
        "/login", data={"email": user.email, "password": PASSWORD, "remember": "y"}
    )
    cookies = response.headers.getlist("Set-Cookie")
    session = next(c for c in cookies if c.startswith("session="))
    remember = next(c for c in cookies if c.startswith("remember_token="))
    for cookie in (session, remember):
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert "Secure" not in cookie


def test_cookies_are_secure_when_configured_for_https(databases, migrated_app):
    from app.extensions import db

    secure = migrated_app(databases.new(), SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    with secure.app_context():
        data = {"email": "a@kommun.example", "name": "A", "role": "clerk", "password": PASSWORD}
        accounts.create_user(data, policy=password_policy())
        db.session.commit()
        db.session.close()  # no read transaction left open to block the request's writes
        response = secure.test_client().post("/login", data={**data, "remember": "y"})
        assert response.status_code == 302, response.get_data(as_text=True)
        cookies = response.headers.getlist("Set-Cookie")
        assert cookies and all("Secure" in c for c in cookies), cookies
        db.engine.dispose()


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    from app import create_app

    monkeypatch.setenv("INSYN_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    assert create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).config["SECRET_KEY"] == "x" * 64


# --- administrators' pages -----------------------------------------------------------------------


def test_an_admin_opens_an_account_and_changes_its_role(admin_client, db):
    response = admin_client.post(
        "/users/new",
        data={
            "email": "ny@kommun.example",
            "name": "Ny Handläggare",
            "role": "clerk",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "ny@kommun.example"))
    response = admin_client.post(
        f"/users/{user.id}",
        data={"name": "Ny Revisor", "role": "auditor", "is_active": "y", "version": user.version},
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.name, user.role) == ("Ny Revisor", Role.AUDITOR)


def test_a_weak_password_is_refused_on_the_form(admin_client, db):
    html = admin_client.post(
        "/users/new",
        data={
            "email": "svag@kommun.example",
            "name": "Svag",
            "role": "clerk",
            "password": "password1234",
        },
    ).get_data(as_text=True)
    assert 'id="password-error"' in html
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(User.email == "svag@kommun.example"))
        == 0
    )


# --- the users commands -------------------------------------------------------------------------


def test_users_commands(runner, db):
    result = runner.invoke(
        args=["users", "create", "Chef@Kommun.example", "--role", "admin", "--name", "Chefen"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "chef@kommun.example" in result.output
    result = runner.invoke(
        args=["users", "create", "b@kommun.example", "--role", "clerk"], input=PASSWORD + "\n"
    )
    assert result.exit_code == 0
    listing = runner.invoke(args=["users", "list"]).output
    assert "chef@kommun.example" in listing and "admin" in listing and "b@kommun.example" in listing
    assert runner.invoke(args=["users", "set-role", "b@kommun.example", "auditor"]).exit_code == 0
    assert runner.invoke(args=["users", "deactivate", "b@kommun.example"]).exit_code == 0
    user = db.session.scalar(sa.select(User).where(User.email == "b@kommun.example"))
    assert (user.role, user.is_active) == (Role.AUDITOR, False)
    # Refusals are clear and exit non-zero.
    weak = runner.invoke(
        args=["users", "create", "c@kommun.example", "--role", "clerk"], input="123456789012\n"
    )
    assert weak.exit_code != 0 and "guess" in weak.output
    assert runner.invoke(args=["users", "deactivate", "chef@kommun.example"]).exit_code != 0
    missing = runner.invoke(args=["users", "set-role", "ingen@kommun.example", "clerk"])
    assert missing.exit_code != 0 and "ingen@kommun.example" in missing.output


def test_setup_without_demo_says_how_to_create_the_first_admin(runner, db):
    result = runner.invoke(args=["setup", "--no-demo"])
    assert result.exit_code == 0
    assert "insyn users create" in result.output and "--role admin" in result.output


def test_the_demo_creates_demo_accounts_and_shows_their_passwords_once(runner, db):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0
    lines = [line.split() for line in first.output.splitlines() if "@insyn.example" in line]
    assert {line[0] for line in lines} == {"admin", "clerk", "auditor"}
    for role, email, password in lines:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        assert user.role.value == role and verify_password(user.password_hash, password)
    assert "@insyn.example" not in runner.invoke(args=["demo"]).output


def test_behind_a_proxy_sign_ins_are_counted_per_client(databases, migrated_app):
    from app.extensions import db

    proxied = migrated_app(databases.new(), PROXY_HOPS=1)
    client = proxied.test_client()
    for address in ("10.0.0.1", "10.0.0.2"):
        client.post(
            "/login",
            data={"email": "x@kommun.example", "password": "fel"},
            headers={"X-Forwarded-For": address},
        )
    with proxied.app_context():
        assert set(db.session.scalars(sa.select(LoginAttempt.address))) == {"10.0.0.1", "10.0.0.2"}
        db.engine.dispose()


def test_a_session_cookie_kept_from_before_signing_out_opens_nothing(app, db, make_user):
    """Signing out ends the session on the server: the cookie replayed from the same browser
    (or a remember-me cookie) no longer signs anyone in."""
    user = make_user("clerk")
    browser = app.test_client()
    signed_in = browser.post(
        "/login", data={"email": user.email, "password": PASSWORD, "remember": "y"}
    )
    assert signed_in.status_code == 302
    kept = {name: browser.get_cookie(name).value for name in ("session", "remember_token")}
    assert browser.get("/invoices/new").status_code == 200
    assert browser.post("/logout").status_code == 302
    for name, value in kept.items():
        replay = app.test_client()
        replay.set_cookie(name, value)
        assert replay.get("/invoices/new").status_code == 302, name
    # Signing in again works, with a new cookie.
    assert sign_in(app.test_client(), user).get("/invoices/new").status_code == 200


def test_accounts_follow_the_password_policy_they_are_given(db):
    """The account services read no settings: the policy passed in decides the shortest
    password and the hash."""
    from app.passwords import PasswordPolicy

    password = "Kv7#pLm2xQ9z"  # 12 characters: enough for the default policy
    check_password(password)
    strict = PasswordPolicy(min_length=20, hash_method="scrypt:1024:8:1")
    data = {"email": "lang@kommun.example", "name": "L", "role": "clerk", "password": password}
    with pytest.raises(ServiceError) as caught:
        accounts.create_user(data, policy=strict)
    assert caught.value.field == "password"
    assert caught.value.params == {"count": 20}
    user = accounts.create_user(
        data, policy=PasswordPolicy(min_length=12, hash_method="scrypt:1024:8:1")
    )
    assert user.password_hash.startswith("scrypt:1024:8:1$")
    with pytest.raises(ServiceError):
        accounts.set_password(user, password + "!", policy=strict)
    assert verify_password(user.password_hash, password)
