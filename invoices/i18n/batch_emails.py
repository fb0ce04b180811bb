"""The words of the email a batch sends when every invoice in it is final, in the owner's language.

Gettext messages like the invoice emails' (``emails.py``); placeholders are ``str.format`` fields filled
after the lookup, so a translation may move them where its grammar wants. The sentences that hold a count
are plural messages (``ngettext``), looked up with the count: "1 invoice" and "2 invoices" in English, and
each language's own forms (Polish three, Arabic six).
"""

import functools
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext, ngettext


@dataclass(frozen=True)
class BatchEmailText:
    language: str
    greeting: str
    ready: str  # {ready}
    failed: str  # {failed}
    failed_list: str
    failed_item: str  # {number}, {reason}
    download: str
    until: str  # {until}: the date and time the ZIP's link expires
    after: str  # followed by the API's ZIP URL, which needs a token
    status: str
    automatic: str


@functools.lru_cache(maxsize=64)
def batch_email_text(language: str) -> BatchEmailText:
    """The batch email's words in ``language`` (a catalog language, ``locales.LANGUAGES``)."""
    with translation.override(language):
        return BatchEmailText(
            language=language,
            greeting=gettext("Hello,"),
            ready=gettext("Ready: {ready}"),
            failed=gettext("Could not be created: {failed}"),
            failed_list=gettext("These invoices could not be created:"),
            failed_item=gettext("{number}: {reason}"),
            download=gettext("Download every ready file as one ZIP (no sign-in needed):"),
            until=gettext("This link works until {until}."),
            after=gettext("After that, download it from the API with your API token:"),
            status=gettext("The batch's status and every invoice's outcome:"),
            automatic=gettext("This is an automatic message from the invoice service."),
        )


def batch_subject(language: str, count: int, failed: int) -> str:
    """The subject: the batch's ``count`` invoices are done, ``failed`` of them could not be created."""
    with translation.override(language):
        if failed:
            return ngettext(
                "Your batch of {count} invoice is done: {failed} could not be created",
                "Your batch of {count} invoices is done: {failed} could not be created",
                count,
            ).format(count=count, failed=failed)
        return ngettext(
            "Your batch of {count} invoice is done", "Your batch of {count} invoices is done", count
        ).format(count=count)


def batch_done(language: str, count: int) -> str:
    """The first sentence, after the greeting."""
    with translation.override(language):
        return ngettext(
            "the invoice of your batch of {count} is done.",
            "every invoice of your batch of {count} is done.",
            count,
        ).format(count=count)


def batch_more(language: str, count: int) -> str:
    """After the listed failed invoices: how many more failed."""
    with translation.override(language):
        return ngettext("and {count} more", "and {count} more", count).format(count=count)
