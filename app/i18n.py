"""Interface language: Swedish first, English second.

Message catalogues live as ``.po`` files in ``app/translations``; they are compiled to ``.mo``
on start-up into the instance folder when missing or stale, so a checkout needs no build step.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask import current_app
from flask import g
from flask import has_request_context
from flask import request
from flask_babel import get_translations

SOURCE = Path(__file__).parent / "translations"
COOKIE = "insyn_lang"


def compiled_translations(app: Flask) -> str:
    """Compile every ``.po`` catalogue whose ``.mo`` is missing or older; return the directory
    holding the compiled catalogues (under the instance folder, or a temporary one when the
    instance folder is read-only)."""
    target = Path(app.instance_path) / "translations"
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError:
        target = Path(tempfile.mkdtemp(prefix="insyn-translations-"))
    for po_path in SOURCE.glob("*/LC_MESSAGES/*.po"):
        mo_path = target / po_path.relative_to(SOURCE).with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        tmp = mo_path.with_suffix(".mo.tmp")
        with tmp.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        tmp.replace(mo_path)
    return str(target)


def select_locale() -> str:
    """The language chosen with the language switch (a cookie), else Swedish (also for
    commands, which have no request)."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return languages[0]
    chosen = request.cookies.get(COOKIE)
    return chosen if chosen in languages else languages[0]


def _translations():
    """The request's catalogue, looked up once per request: a page asks for a hundred
    texts, and finding the catalogue costs more than looking a text up in it."""
    found = g.get("translations")
    if found is None:
        found = g.translations = get_translations()
    return found


def install_template_callables(app: Flask) -> None:
    """Give templates ``_``, ``ngettext`` and friends that use :func:`_translations`
    (Flask-Babel's own find the catalogue again for every text)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
