"""The interface speaks Swedish first and English second.

The messages are extracted from the source as ``make translations`` extracts them (babel.cfg,
the same keywords, the same directories), so a text added without a Swedish translation fails
here, naming the text.
"""

from __future__ import annotations

import fnmatch
import os
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from flask_babel import refresh

from app import i18n

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "app" / "translations" / "sv" / "LC_MESSAGES" / "messages.po"
#: The extra keywords of ``make translations``
#: (``-k _l -k N_ -k Nn_:1,2 -k lazy_gettext -k lazy_pgettext:1c,2``).
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    "N_": None,
    "Nn_": (1, 2),
    "lazy_gettext": None,
    "lazy_pgettext": ((1, "c"), 2),
}
#: Directories ``make translations`` leaves out (``--ignore-dirs '.* __pycache__'``). Babel's
#: default would also skip names starting with "_", and with them ``templates/_macros``.
IGNORED_DIRS = (".*", "__pycache__")
#: A python-format placeholder: ``%(name)s``, ``%(count)d``, ``%(share).1f``.
PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]")


def _keep_dir(path: str) -> bool:
    name = os.path.basename(path)
    return not any(fnmatch.fnmatch(name, pattern) for pattern in IGNORED_DIRS)


def _extracted() -> dict[tuple[str | None, str | tuple[str, str]], list[str]]:
    """Every ``(context, message id)`` in the source (the id a ``(singular, plural)`` pair for
    ``ngettext``; the context ``None`` unless given with ``pgettext``), with the places it is
    used."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, filename="babel.cfg")
    found: dict[str | tuple[str, str], list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        ROOT,
        method_map,
        options_map,
        keywords=KEYWORDS,
        directory_filter=_keep_dir,
    ):
        found.setdefault((context, message), []).append(f"{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def extracted():
    return _extracted()


@pytest.fixture(scope="module")
def catalogue():
    with CATALOGUE.open("rb") as po_file:
        return read_po(po_file, locale="sv")


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def test_extraction_finds_python_and_every_template_folder(extracted):
    places = {place.split(":")[0] for places in extracted.values() for place in places}
    assert ("audit action", "voided") in extracted  # lazy_pgettext
    assert "app/money.py" in places  # N_
    assert "app/labels.py" in places  # _l
    assert any(p.startswith("app/templates/_macros/") for p in places), sorted(places)
    assert (None, ("%(num)s invoice", "%(num)s invoices")) in extracted  # ngettext in a template


def test_catalogue_is_swedish_with_two_plural_forms(catalogue):
    assert str(catalogue.locale) == "sv"
    assert catalogue.plural_forms == "nplurals=2; plural=(n != 1);"
    assert not catalogue.fuzzy


def test_every_message_has_a_swedish_translation(extracted, catalogue):
    problems = []
    for (context, msgid), places in extracted.items():
        where = ", ".join(places[:3])
        entry = catalogue.get(msgid, context=context)
        if entry is None:
            problems.append(f"not in the catalogue: {msgid!r} ({where})")
            continue
        if entry.fuzzy:
            problems.append(f"fuzzy: {msgid!r} ({where})")
        if isinstance(msgid, tuple):
            if not isinstance(entry.id, tuple) or entry.id[1] != msgid[1]:
                problems.append(f"plural differs in the catalogue: {msgid!r} ({where})")
                continue
            forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
            if len(forms) != catalogue.num_plurals or not all(form.strip() for form in forms):
                problems.append(f"plural forms missing: {msgid!r} ({where})")
                continue
            pairs = [(msgid[0], forms[0]), *((msgid[1], form) for form in forms[1:])]
        else:
            if not isinstance(entry.string, str) or not entry.string.strip():
                problems.append(f"untranslated: {msgid!r} ({where})")
                continue
            pairs = [(msgid, entry.string)]
        for source, translation in pairs:
            if _placeholders(source) != _placeholders(translation):
                problems.append(
                    f"placeholders differ: {source!r} → {translation!r} ({where}): "
                    f"expected {sorted(_placeholders(source))}"
                )
    assert not problems, (
        f"{len(problems)} message(s) need a Swedish translation in "
        f"{CATALOGUE.relative_to(ROOT)} (run `make translations`, then translate):\n"
        + "\n".join(problems)
    )


# --- the language switch --------------------------------------------------------------------


def _nav(html: str) -> str:
    match = re.search(r'<nav class="main-nav".*?</nav>', html, re.S)
    assert match, "the main navigation is missing"
    return match.group(0)


def _switch(client, code: str):
    """Choose a language, as the link in the header does."""
    response = client.get(f"/language/{code}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    # The ``db`` fixture keeps one app context open for the whole test, so requests share
    # ``g`` and Flask-Babel's cached locale; a real request starts with a fresh one.
    refresh()
    return response


def test_front_page_is_swedish_by_default_and_follows_the_switch(client, demo):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="sv">' in html
    assert ">Leverantörer</a>" in _nav(html) and ">Vendors</a>" not in _nav(html)
    assert "Konsultkostnader och arvodesintäkter" in html

    _switch(client, "en")
    cookie = client.get_cookie(i18n.COOKIE)
    assert cookie is not None and cookie.value == "en"
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert ">Vendors</a>" in _nav(html) and ">Leverantörer</a>" not in _nav(html)
    assert "Consultant costs and fee income" in html

    _switch(client, "sv")
    assert client.get_cookie(i18n.COOKIE).value == "sv"
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="sv">' in html
    assert ">Leverantörer</a>" in _nav(html)


def test_an_unknown_language_changes_nothing(client, demo):
    _switch(client, "en")
    _switch(client, "xx")
    assert client.get_cookie(i18n.COOKIE).value == "en"
    assert ">Vendors</a>" in _nav(client.get("/").get_data(as_text=True))


def test_switch_returns_to_the_page_it_came_from(client):
    response = client.get("/language/en?next=/vendors/")
    assert response.status_code == 302 and response.headers["Location"] == "/vendors/"


# --- form validation messages ---------------------------------------------------------------


def test_required_field_message_is_swedish(client):
    response = client.post("/vendors/new", data={"name": "", "country": "SE"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Det här fältet är obligatoriskt." in html
    assert "Formuläret kunde inte sparas." in html
    assert "This field is required." not in html


def test_required_field_message_follows_the_language(client):
    _switch(client, "en")
    html = client.post("/vendors/new", data={"name": "", "country": "SE"}).get_data(as_text=True)
    assert "This field is required." in html
    assert "The form could not be saved." in html


def test_insyn_validation_message_is_swedish(client):
    html = client.post(
        "/vendors/new", data={"name": "Exempel AB", "org_number": "123", "country": "SE"}
    ).get_data(as_text=True)
    assert "har 3 siffror; ett organisationsnummer har 10 (NNNNNN-NNNN)." in html


def test_every_field_an_import_reads_has_a_label_in_both_languages(app):
    """The import preview names the fields it read columns into; none may show as code."""
    from flask_babel import force_locale

    from app.importing.headers import FIELDS
    from app.labels import field_label

    with app.test_request_context():
        for kind, specs in FIELDS.items():
            for spec in specs:
                with force_locale("en"):
                    english = str(field_label(spec.name))
                with force_locale("sv"):
                    swedish = str(field_label(spec.name))
                assert english != spec.name, (kind, spec.name)
                assert swedish != english or spec.name in {"group"}, (kind, spec.name, swedish)
