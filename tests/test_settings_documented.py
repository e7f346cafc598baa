"""Every setting an operator can change is in the README's table of settings."""

import re
from pathlib import Path

from app.config import Config

README = Path(__file__).resolve().parent.parent / "README.md"

#: Settings read under another name, or fixed parts of the framework that are not meant to be
#: changed in a deployment (turning them off would weaken security or break the interface).
NOT_SETTINGS = {
    "SECRET_KEY": "read as SECRET_KEY, documented in its own row",
    "SQLALCHEMY_DATABASE_URI": "read as DATABASE_URL",
    "WTF_CSRF_ENABLED": "CSRF protection is always on",
    "SESSION_COOKIE_HTTPONLY": "cookies are never readable by scripts",
    "REMEMBER_COOKIE_HTTPONLY": "cookies are never readable by scripts",
    "BABEL_DEFAULT_LOCALE": "the first of INSYN_LANGUAGES",
    "RATELIMIT_HEADERS_ENABLED": "429 answers always say when to retry",
    "WTF_I18N_ENABLED": "form errors always follow the interface language",
}


def documented_settings() -> set[str]:
    text = README.read_text(encoding="utf-8")
    table = text.split("### Every setting", 1)[1].split("\n### ", 1)[0]
    return set(re.findall(r"`INSYN_([A-Z0-9_]+)`", table))


def test_every_setting_is_in_the_readme_table():
    settings = {name for name in vars(Config) if name.isupper()}
    missing = sorted(settings - documented_settings() - set(NOT_SETTINGS))
    assert missing == [], f"settings not in README's 'Every setting' table: {missing}"


def test_the_readme_table_names_only_real_settings():
    settings = {name for name in vars(Config) if name.isupper()}
    # INSYN_ENV and INSYN_SECRET_KEY are read by create_app, not kept on Config.
    unknown = sorted(documented_settings() - settings - {"ENV", "SECRET_KEY"})
    assert unknown == [], f"README documents settings that do not exist: {unknown}"
