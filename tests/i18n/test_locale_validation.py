"""An invoice's locale and language as validation resolves them (``_resolve_locale``), through
``read_request`` and through the API: what is accepted and stored, and what is refused with a 400 that
names the field.

Resolution: ``invoice.locale`` if given (its language must be ``invoice.language``'s, if that is given too);
else ``invoice.language`` as written in the buyer's country; else the account's default locale; else English
as written in the buyer's country.
"""

import builtins
import json
from typing import Any

import babel.localedata
import pytest

from invoices.document import DocumentInvalid
from invoices.document.validation import read_request
from invoices.i18n import locales
from invoices.models import Invoice
from invoices.services import _stored_request
from tests.payloads import sample_payload
from workers.models import OutboxMessage

MALFORMED = ["de_CH!!", "x", "de CH", "-de", "12-34", "de-CH-", "de--CH"]
UNKNOWN_TO_CLDR = ["de-JP", "xx-YY", "qq"]
TRAVERSALS = [
    "../../etc/passwd",
    "de-DE/../../x",
    "..",
    "de/../../../../etc/shadow",
    "..\\..\\x",
    "de-DE%2F..%2F",
    "/etc/passwd",
]


def payload_with(*, buyer_country: str | None = None, **invoice: Any) -> dict[str, Any]:
    """The sample without its language (it says "en"), with ``invoice``'s fields set."""
    payload = sample_payload()
    body = payload["invoice"]
    del body["language"]
    if buyer_country is not None:
        body["buyer"]["country"] = buyer_country
    body.update(invoice)
    return payload


def resolved(payload: dict[str, Any]) -> tuple[str, str]:
    data = read_request(payload)[1].data
    return data.locale, data.language


def refused(payload: dict[str, Any]) -> dict[str, list[str]]:
    with pytest.raises(DocumentInvalid) as caught:
        read_request(payload)
    return caught.value.errors


def upload(client: Any, payload: dict[str, Any]) -> Any:
    return client.post("/api/invoices/", data=json.dumps(payload), content_type="application/json")


@pytest.fixture
def auth(client_for, user):
    return client_for(user)


# --- read_request ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "locale", "language"),
    [
        ({"locale": "de-CH"}, "de-CH", "de"),
        ({"locale": "de_ch"}, "de-CH", "de"),  # any case, either separator: stored in BCP 47 spelling
        ({"locale": "de-CH", "language": "de"}, "de-CH", "de"),
        ({"locale": "de-CH", "buyer_country": "JP"}, "de-CH", "de"),  # a named locale wins over the country
        ({"language": "de", "buyer_country": "CH"}, "de-CH", "de"),
        ({"language": "en", "buyer_country": "IN"}, "en-IN", "en"),
        ({"language": "de", "buyer_country": "JP"}, "de", "de"),  # CLDR has no German of Japan
        ({"language": "zh"}, "zh-Hans", "zh-hans"),  # Chinese without a script is simplified
        ({"language": "zh-TW", "buyer_country": "TW"}, "zh-Hant-TW", "zh-hant"),
        ({"locale": "zh-TW"}, "zh-Hant-TW", "zh-hant"),  # Taiwan writes traditional characters
        ({"locale": "no-NO"}, "nb-NO", "nb"),  # Norwegian is Bokmål
        ({"buyer_country": "IN"}, "en-IN", "en"),  # neither: English as the buyer's country writes it
        ({"locale": "ar-EG"}, "ar-EG", "ar"),
    ],
)
def test_the_locale_and_language_are_resolved(fields, locale, language):
    assert resolved(payload_with(**fields)) == (locale, language)


def test_the_account_default_applies_only_when_the_invoice_names_neither():
    assert read_request(payload_with(), default_locale="fr-CH")[1].data.locale == "fr-CH"
    assert read_request(payload_with(language="de"), default_locale="fr-CH")[1].data.locale == "de-DE"
    assert read_request(payload_with(locale="it-CH"), default_locale="fr-CH")[1].data.locale == "it-CH"


@pytest.mark.parametrize("locale", ["", "   "])
def test_an_empty_locale_is_no_locale(locale):
    assert resolved(payload_with(locale=locale)) == ("en-DE", "en")


@pytest.mark.parametrize("locale", MALFORMED)
def test_a_malformed_locale_is_refused_naming_invoice_locale(locale):
    errors = refused(payload_with(locale=locale))
    assert list(errors) == ["invoice.locale"]
    assert "Must be a BCP 47 language tag" in errors["invoice.locale"][0]


def test_a_locale_longer_than_a_tag_is_refused_naming_invoice_locale():
    errors = refused(payload_with(locale="de-" + "a" * 37))
    assert errors == {"invoice.locale": ["At most 35 characters are allowed (got 40)."]}


@pytest.mark.parametrize("locale", [1, True, ["de-CH"], {"tag": "de-CH"}])
def test_a_locale_that_is_not_a_string_is_refused(locale):
    assert refused(payload_with(locale=locale)) == {"invoice.locale": ["Expected a string."]}


@pytest.mark.parametrize("locale", UNKNOWN_TO_CLDR)
def test_a_locale_the_cldr_does_not_know_is_refused_naming_invoice_locale(locale):
    errors = refused(payload_with(locale=locale))
    assert list(errors) == ["invoice.locale"]
    assert f"'{locale}' is not a locale the Unicode CLDR knows" in errors["invoice.locale"][0]


@pytest.mark.parametrize(("locale", "language"), [("sw-KE", "sw"), ("ru-RU", "ru"), ("sr-Latn-RS", "sr")])
def test_a_locale_in_a_language_without_a_catalog_is_refused_listing_the_languages(locale, language):
    errors = refused(payload_with(locale=locale))
    assert list(errors) == ["invoice.locale"]
    message = errors["invoice.locale"][0]
    assert f"cannot be written in '{language}'" in message
    listed = message.partition("the languages are: ")[2].rstrip(".").split(", ")
    assert {"de", "en", "fr", "ar", "he", "ja", "pl", "nb", "zh-hans", "zh-hant"} <= set(listed)
    assert language not in listed


def test_a_locale_in_another_language_than_invoice_language_is_refused():
    errors = refused(payload_with(locale="fr-FR", language="de"))
    assert errors == {
        "invoice.locale": [
            "'fr-FR' is written in 'fr', but invoice.language is 'de'; give the locale alone, or a language "
            "that matches it."
        ]
    }


def test_amount_in_words_in_a_language_and_currency_num2words_cannot_write_is_refused_naming_both():
    errors = refused(payload_with(amount_in_words=True, locale="bg-BG"))
    assert list(errors) == ["invoice.amount_in_words"]
    assert "'bg'" in errors["invoice.amount_in_words"][0]
    errors = refused(payload_with(amount_in_words=True, locale="de-DE", currency="KWD"))
    assert "KWD" in errors["invoice.amount_in_words"][0]


@pytest.mark.parametrize("value", ["yes", "true", 1, 0, "false", [True]])
def test_amount_in_words_must_be_true_or_false(value):
    errors = refused(payload_with(amount_in_words=value))
    assert errors == {"invoice.amount_in_words": ["Expected true or false."]}


@pytest.mark.parametrize("value", [True, False, None])
def test_amount_in_words_true_false_or_null_is_accepted(value):
    assert read_request(payload_with(amount_in_words=value))[1].data.amount_in_words is bool(value)


# --- docs/security.md case 25: a locale never reaches a file name ----------------------------------------


@pytest.fixture
def lookups(monkeypatch) -> list[str]:
    """Every file opened and every name the CLDR data or a gettext catalog is looked up by, while the test
    runs; the caches in front of them are emptied first, so a lookup cannot hide behind an earlier one."""
    seen: list[str] = []
    real_open, real_load, real_exists = builtins.open, babel.localedata.load, babel.localedata.exists

    def spying_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(str(file))
        return real_open(file, *args, **kwargs)

    def spying_load(name: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(name)
        return real_load(name, *args, **kwargs)

    def spying_exists(name: str) -> bool:
        seen.append(name)
        return real_exists(name)

    from django.utils.translation import trans_real

    real_translation = trans_real.translation

    def spying_translation(language: str) -> Any:
        seen.append(language)
        return real_translation(language)

    locales.cached_locale.cache_clear()
    babel.localedata._cache.clear()
    monkeypatch.setattr(builtins, "open", spying_open)
    monkeypatch.setattr(babel.localedata, "load", spying_load)
    monkeypatch.setattr(babel.localedata, "exists", spying_exists)
    monkeypatch.setattr(trans_real, "translation", spying_translation)
    return seen


@pytest.mark.security
def test_the_lookup_spies_do_see_a_valid_locale(lookups):
    # The spies work: a locale that is accepted is looked up by its name.
    read_request(payload_with(locale="de-CH"))
    assert "de_CH" in lookups


@pytest.mark.security
@pytest.mark.parametrize("locale", TRAVERSALS)
def test_a_path_in_the_locale_is_refused_before_any_lookup(lookups, locale):
    errors = refused(payload_with(locale=locale))
    assert list(errors) == ["invoice.locale"]
    assert not [name for name in lookups if any(part in name for part in ("..", "passwd", "shadow", "%2F"))]


# --- through the API ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "locale", "language"),
    [
        ({"locale": "de-CH"}, "de-CH", "de"),
        ({"language": "de", "buyer_country": "CH"}, "de-CH", "de"),
        ({"language": "en", "buyer_country": "IN"}, "en-IN", "en"),
        ({"language": "zh"}, "zh-Hans", "zh-hans"),
    ],
)
def test_an_upload_stores_the_invoice_in_its_resolved_locale(auth, fields, locale, language):
    response = upload(auth, payload_with(**fields))
    assert response.status_code == 202, response.content
    invoice = Invoice.objects.get(id=response.json()["id"])
    # What the render worker reads back from the stored request.
    data = _stored_request(invoice, invoice.formats)[1].data
    assert (data.locale, data.language) == (locale, language)


def test_an_upload_naming_no_language_takes_the_account_default_locale(client_for, make_user):
    user = make_user(locale="fr-CH")
    response = upload(client_for(user), payload_with())
    assert response.status_code == 202, response.content
    invoice = Invoice.objects.get(id=response.json()["id"])
    assert _stored_request(invoice, invoice.formats)[1].data.locale == "fr-CH"


@pytest.mark.parametrize(
    ("fields", "path", "reason"),
    [
        ({"locale": "de_CH!!"}, "invoice.locale", "Must be a BCP 47 language tag"),
        ({"locale": "x"}, "invoice.locale", "Must be a BCP 47 language tag"),
        ({"locale": "d" * 40}, "invoice.locale", "At most 35 characters"),
        ({"locale": "de-JP"}, "invoice.locale", "is not a locale the Unicode CLDR knows"),
        ({"locale": "xx-YY"}, "invoice.locale", "is not a locale the Unicode CLDR knows"),
        ({"locale": "sw-KE"}, "invoice.locale", "the languages are: bg, cs, da, de,"),
        ({"locale": "fr-FR", "language": "de"}, "invoice.locale", "but invoice.language is 'de'"),
        ({"amount_in_words": "yes"}, "invoice.amount_in_words", "Expected true or false."),
        ({"locale": "../../etc/passwd"}, "invoice.locale", "Must be a BCP 47 language tag"),
        ({"locale": "de-DE/../../x"}, "invoice.locale", "Must be a BCP 47 language tag"),
    ],
)
def test_an_upload_with_a_bad_locale_is_400_naming_the_field(auth, fields, path, reason):
    response = upload(auth, payload_with(**fields))
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert list(error["fields"]) == [path]
    assert reason in error["fields"][path][0]
    assert not Invoice.objects.exists()
    assert not OutboxMessage.objects.exists()


@pytest.mark.security
@pytest.mark.parametrize("locale", TRAVERSALS)
def test_an_upload_with_a_path_as_locale_looks_nothing_up(auth, lookups, locale):
    response = upload(auth, payload_with(locale=locale))
    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["fields"]) == ["invoice.locale"]
    assert not [name for name in lookups if any(part in name for part in ("..", "passwd", "shadow", "%2F"))]
