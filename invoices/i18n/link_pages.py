"""The words of the pages a download link opens in a browser (``GET /files/<token>``, invoices/link_views.py)
when it cannot give the file: expired, withdrawn, not valid, not ready, failed, unavailable, opened the wrong
way. The person reading them is usually the invoice's buyer, so a page speaks the invoice's language (a batch
link's: its owner's, as the batch email does), and a page that knows no invoice the browser's.

Gettext messages like the emails' (``emails.py``); the templates only place them. Placeholders are
``str.format`` fields filled after the lookup ({until}, {format}, {number}), so a translation may move them
where its grammar wants; the template escapes the sentence with its values.
"""

import functools
import re
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext

from invoices.i18n.locales import DEFAULT_LANGUAGE, RTL_LANGUAGES, LocaleError, catalog_language, parse_locale

# An Accept-Language header is read up to this many characters (Django's own limit), and its first ranges
# only: a page never spends more on a header than on itself.
MAX_ACCEPT_LANGUAGE_LENGTH = 500
MAX_LANGUAGE_RANGES = 16
# A quality value (RFC 9110 section 12.4.2): 0 to 1 with at most three decimals.
_QUALITY = re.compile(r"\s*q\s*=\s*(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class LinkPageText:
    language: str
    rtl: bool  # written right to left: <html dir="rtl">
    expired_title: str
    expired_heading: str
    expired_body: str  # {until}: the date and time the link stopped working
    expired_hint: str
    revoked_title: str
    revoked_heading: str
    revoked_body: str
    revoked_hint: str
    not_found_title: str
    not_found_heading: str
    not_found_body: str
    not_found_hint: str
    not_ready_title: str
    not_ready_heading: str
    not_ready_invoice: str  # {format}, {number}
    not_ready_batch: str
    not_ready_batch_format: str  # {format}
    not_ready_hint: str
    failed_title: str
    failed_heading: str
    failed_invoice: str  # {format}, {number}
    failed_batch: str
    failed_batch_format: str  # {format}
    failed_hint: str
    method_title: str
    method_heading: str
    method_body: str
    method_hint: str
    unavailable_title: str
    unavailable_heading: str
    unavailable_body: str
    unavailable_hint: str


@functools.lru_cache(maxsize=64)
def link_page_text(language: str) -> LinkPageText:
    """The pages' words in ``language`` (a catalog language, ``locales.LANGUAGES``)."""
    with translation.override(language):
        return LinkPageText(
            language=language,
            rtl=language in RTL_LANGUAGES,
            expired_title=gettext("Link expired"),
            expired_heading=gettext("This download link has expired"),
            expired_body=gettext("It worked until {until}; the file can no longer be downloaded with it."),
            expired_hint=gettext("Ask the sender of the invoice for a new link."),
            revoked_title=gettext("Link withdrawn"),
            revoked_heading=gettext("This download link was withdrawn"),
            revoked_body=gettext(
                "The sender of the invoice withdrew it; the file can no longer be downloaded with it."
            ),
            revoked_hint=gettext("If you still need the invoice, ask the sender for a new link."),
            not_found_title=gettext("Link not valid"),
            not_found_heading=gettext("This download link is not valid"),
            not_found_body=gettext("The link is incomplete or was changed, so it cannot open a file."),
            not_found_hint=gettext(
                "Open the link again from the email or message it came in, making sure it is copied whole. "
                "If it still does not work, ask the sender of the invoice for a new link."
            ),
            not_ready_title=gettext("File being prepared"),
            not_ready_heading=gettext("The file is being prepared"),
            not_ready_invoice=gettext("The {format} file of invoice {number} is not ready yet."),
            not_ready_batch=gettext("No file of this batch of invoices is ready yet."),
            not_ready_batch_format=gettext("No {format} file of this batch of invoices is ready yet."),
            not_ready_hint=gettext("Try this link again in a minute."),
            failed_title=gettext("File not available"),
            failed_heading=gettext("The file could not be created"),
            failed_invoice=gettext(
                "The {format} file of invoice {number} could not be created, so there is nothing to download."
            ),
            failed_batch=gettext(
                "No file of this batch of invoices could be created, so there is nothing to download."
            ),
            failed_batch_format=gettext(
                "No {format} file of this batch of invoices could be created, so there is nothing to "
                "download."
            ),
            failed_hint=gettext("Ask the sender of the invoice for the file or a corrected invoice."),
            method_title=gettext("Link opened the wrong way"),
            method_heading=gettext("This download link can only be opened"),
            method_body=gettext(
                "A download link gives its file to a browser that opens it; it takes no form, upload or "
                "other request."
            ),
            method_hint=gettext("Open the link itself, as it came in the email or message, in a browser."),
            unavailable_title=gettext("Temporarily unavailable"),
            unavailable_heading=gettext("The download is temporarily unavailable"),
            unavailable_body=gettext("The service cannot reach the file right now."),
            unavailable_hint=gettext("Try this link again in a few minutes."),
        )


def browser_language(accept_language: str) -> str:
    """The catalog language a browser's Accept-Language header asks for first ("fr-CH,fr;q=0.9" -> "fr",
    "zh-TW" -> "zh-hant"), else English. Ranges are taken by quality, then in the header's order; a region
    the catalog languages do not know is read as its language ("de-XX" -> "de"); "*" and q=0 choose nothing.
    Nothing else of the request counts: no cookie, no session, no path."""
    header = accept_language
    if len(header) > MAX_ACCEPT_LANGUAGE_LENGTH:  # cut at a comma: never half a tag
        header = header[:MAX_ACCEPT_LANGUAGE_LENGTH].rpartition(",")[0]
    ranges: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")[:MAX_LANGUAGE_RANGES]):
        tag, _, parameters = item.partition(";")
        quality = 1.0
        if parameters:
            found = _QUALITY.fullmatch(parameters)
            if found is None:
                continue
            quality = float(found.group(1))
        if quality > 0 and tag.strip():
            ranges.append((-quality, position, tag.strip()))
    for _, _, tag in sorted(ranges):
        language = _catalog_language_of(tag)
        if language is not None:
            return language
    return DEFAULT_LANGUAGE


def _catalog_language_of(tag: str) -> str | None:
    for candidate in (tag, tag.replace("_", "-").split("-")[0]):
        try:
            return catalog_language(parse_locale(candidate))
        except LocaleError:
            continue
    return None
