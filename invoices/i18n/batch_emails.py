"""The words of the email a batch sends when every invoice in it is final, in the owner's language.

Gettext messages like the invoice emails' (``emails.py``); placeholders are ``str.format`` fields filled
after the lookup, so a translation may move them where its grammar wants.
"""

import functools
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext


@dataclass(frozen=True)
class BatchEmailText:
    language: str
    subject: str  # {count}: the invoices in the batch
    subject_failed: str  # {count}, {failed}
    greeting: str
    done: str  # {count}
    ready: str  # {ready}
    failed: str  # {failed}
    failed_list: str
    failed_item: str  # {number}, {reason}
    more: str  # {count}: the failed invoices not listed
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
            subject=gettext("Your batch of {count} invoices is done"),
            subject_failed=gettext("Your batch of {count} invoices is done: {failed} could not be created"),
            greeting=gettext("Hello,"),
            done=gettext("every invoice of your batch of {count} is done."),
            ready=gettext("Ready: {ready}"),
            failed=gettext("Could not be created: {failed}"),
            failed_list=gettext("These invoices could not be created:"),
            failed_item=gettext("{number}: {reason}"),
            more=gettext("and {count} more"),
            download=gettext("Download every ready file as one ZIP (no sign-in needed):"),
            until=gettext("This link works until {until}."),
            after=gettext("After that, download it from the API with your API token:"),
            status=gettext("The batch's status and every invoice's outcome:"),
            automatic=gettext("This is an automatic message from the invoice service."),
        )
