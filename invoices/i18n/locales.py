"""Locales an invoice can be written in: a BCP 47 tag CLDR knows, in a language we have a catalog for.

An invoice's locale decides its words (the gettext catalog of its language) and its number and date
formats (CLDR's data for the whole tag: ``de-CH`` groups thousands with an apostrophe, ``de-DE`` with a
dot). The request may name it (``invoice.locale``); otherwise it follows from ``invoice.language`` and the
buyer's country, then from the account's default, then English.
"""

import functools
import re

from babel import Locale, UnknownLocaleError
from babel.core import get_global

# The catalog languages, as Django names them (``locale/<name>/LC_MESSAGES/django.po``, with Django's
# to_locale spelling: zh_Hans): the EU's 24 official languages, Norwegian (Bokmål), Turkish, Ukrainian,
# Arabic, Hebrew, Persian, Urdu, Hindi, Japanese, Korean and Chinese in both scripts.
EU_LANGUAGES = (
    "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr",
    "hu", "it", "lt", "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv",
)  # fmt: skip
LANGUAGES = (*EU_LANGUAGES, "nb", "tr", "uk", "ar", "he", "fa", "ur", "hi", "ja", "ko", "zh-hans", "zh-hant")
RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur"})
DEFAULT_LANGUAGE = "en"
MAX_TAG_LENGTH = 35  # BCP 47's longest tag in practice (RFC 5646 section 4.4.1 asks for at least 35)
# Language, then optional script, region and variants: "de", "de-CH", "zh-Hans-CN", "sr-Latn-RS".
_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")
# Chinese is written in traditional characters in these regions, simplified elsewhere.
_TRADITIONAL_REGIONS = frozenset({"TW", "HK", "MO"})
# Language codes CLDR knows under another name than our catalog's: Norwegian is Bokmål.
_ALIASES = {"no": "nb"}


class LocaleError(ValueError):
    """A locale tag we cannot write an invoice in; its message says why, for a 400 response."""


def parse_locale(tag: str) -> Locale:
    """The CLDR locale of a BCP 47 tag ("de-CH", "zh-Hant-TW", "EN_us" all accepted), or LocaleError."""
    text = tag.strip()
    if not text or len(text) > MAX_TAG_LENGTH or not _TAG.fullmatch(text):
        raise LocaleError("Must be a BCP 47 language tag such as 'de-DE', 'fr-CH' or 'zh-Hans-CN'.")
    language, *rest = text.replace("-", "_").split("_")
    language = _ALIASES.get(language.lower(), language)
    try:
        locale = Locale.parse("_".join([language, *rest]))
    except (UnknownLocaleError, ValueError):
        raise LocaleError(
            f"'{text}' is not a locale the Unicode CLDR knows; give a language and a region it lists, "
            "such as 'de-DE' or 'de-AT', or the language alone."
        ) from None
    if catalog_language(locale) not in LANGUAGES:
        languages = ", ".join(LANGUAGES)
        raise LocaleError(
            f"Invoices cannot be written in '{locale.language}' yet; the languages are: {languages}."
        )
    return locale


def locale_tag(locale: Locale) -> str:
    """The BCP 47 spelling of a Babel locale: "de-CH", "zh-Hans-CN", "en"."""
    return "-".join(
        part for part in (locale.language, locale.script, locale.territory, locale.variant) if part
    )


def catalog_language(locale: Locale) -> str:
    """The Django language code of the catalog a locale's words come from: "de", "nb", "zh-hant"."""
    language = _ALIASES.get(locale.language, locale.language)
    if language != "zh":
        return language
    script = locale.script or ("Hant" if locale.territory in _TRADITIONAL_REGIONS else "Hans")
    return "zh-hant" if script == "Hant" else "zh-hans"


def language_of(tag: str) -> str:
    """The catalog language of a locale tag that ``parse_locale`` accepted (stored tags are)."""
    return catalog_language(cached_locale(tag))


def is_rtl(tag: str) -> bool:
    """Whether the locale's script is written right to left (Arabic, Hebrew, Persian, Urdu)."""
    return language_of(tag) in RTL_LANGUAGES


@functools.lru_cache(maxsize=256)
def cached_locale(tag: str) -> Locale:
    """``parse_locale`` for a tag already accepted, cached: every rendition of every invoice asks."""
    return parse_locale(tag)


def default_locale(language: str, country: str) -> str:
    """The locale for an invoice in ``language`` (a catalog language) to a buyer in ``country`` (ISO 3166
    alpha-2, or ""): the language as written in that country when CLDR knows the pair ("de" + "CH" ->
    "de-CH", "en" + "IN" -> "en-IN"), else the language on its own ("de" + "JP" -> "de")."""
    base = language.split("-")[0]
    script = {"zh-hans": "Hans", "zh-hant": "Hant"}.get(language)
    if country:
        candidate = "_".join(part for part in (base, script, country.upper()) if part)
        try:
            return locale_tag(Locale.parse(candidate))
        except (UnknownLocaleError, ValueError):
            pass
    if script:
        return locale_tag(Locale.parse(str(get_global("likely_subtags").get(f"zh_{script}", f"zh_{script}"))))
    return locale_tag(Locale.parse(base))
