"""Every catalog complete: no message missing, empty or fuzzy, no placeholder dropped, every plural form.

The template (locale/django.pot) is held to the messages in the code, and each catalog to the template, so a
label added without `make messages` and a translation fails here, not on a customer's invoice.
"""

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from django.utils import translation
from django.utils.translation import to_locale

from invoices.i18n.locales import DEFAULT_LANGUAGE, LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale"
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")
TRANSLATED = [language for language in LANGUAGES if language != DEFAULT_LANGUAGE]


def _key(message_id: object, context: str | None) -> tuple[str | None, str]:
    return context, _texts(message_id)[0]


def _texts(value: object) -> tuple[str, ...]:
    """A message's id or string as a tuple: one text, or its plural forms."""
    if isinstance(value, (tuple, list)):
        return tuple(str(text) for text in value)
    return (str(value or ""),)


def _template() -> Catalog:
    with (LOCALE / "django.pot").open("rb") as file:
        return read_po(file)


def _catalog(language: str) -> Catalog:
    with (LOCALE / to_locale(language) / "LC_MESSAGES" / "django.po").open("rb") as file:
        return read_po(file)


def _messages(catalog: Catalog) -> dict[tuple[str | None, str], Message]:
    return {_key(message.id, message.context): message for message in catalog if message.id}


def test_the_template_holds_exactly_the_messages_in_the_code():
    # The files `make messages` reads (locale/babel.cfg): invoices/i18n and the webhooks app's email.
    with (LOCALE / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    in_code = {
        _key(entry[2], entry[4])
        for entry in extract_from_dir(str(ROOT), method_map=method_map, options_map=options_map)
    }
    assert in_code, "no message extracted from the files locale/babel.cfg names"
    assert set(_messages(_template())) == in_code, "run `make messages`"


def test_every_language_has_a_catalog():
    missing = [language for language in TRANSLATED if not (LOCALE / to_locale(language)).is_dir()]
    assert missing == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_catalog_is_complete(language):
    template, catalog = _messages(_template()), _catalog(language)
    messages = _messages(catalog)
    problems = [f"missing: {key}" for key in template if key not in messages]
    problems += [f"not in the template (obsolete): {key}" for key in messages if key not in template]
    for key, message in messages.items():
        strings = _texts(message.string)
        if message.fuzzy:
            problems.append(f"fuzzy: {key}")
        if isinstance(message.id, tuple) and len(strings) != catalog.num_plurals:
            problems.append(f"{len(strings)} plural forms, the language has {catalog.num_plurals}: {key}")
        ids = _texts(message.id)
        wanted = set().union(*(PLACEHOLDER.findall(text) for text in ids))
        for text in strings:
            if not text.strip():
                problems.append(f"untranslated: {key}")
            elif set(PLACEHOLDER.findall(text)) != wanted:
                problems.append(
                    f"placeholders {sorted(PLACEHOLDER.findall(text))} for {sorted(wanted)}: {key}"
                )
    assert problems == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalog_is_the_one_django_reads(language):
    """`make catalogs` ran on this catalog: Django answers with its translation of every message."""
    catalog = _catalog(language)
    with translation.override(language):
        for message in catalog:
            if message.id and not isinstance(message.id, tuple):
                expected, message_id = _texts(message.string)[0], _texts(message.id)[0]
                got = (
                    translation.pgettext(message.context, message_id)
                    if message.context
                    else translation.gettext(message_id)
                )
                assert got == expected, (language, message.id)
