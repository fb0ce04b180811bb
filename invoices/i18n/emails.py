"""The words of the emails to an invoice's owner, in the owner's language (``User.language``).

Gettext messages like the invoice's labels (``labels.py``); the templates only place them. Placeholders are
``str.format`` fields, filled after the lookup, so a translation may move them where its grammar wants.
"""

import functools
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext, npgettext


@dataclass(frozen=True)
class EmailText:
    language: str
    subject_ready: str  # {number}
    subject_failed: str  # {number}
    greeting: str
    ready: str  # {number}, {total}
    download: str
    api_download: str
    ready_files: str
    details: str
    failed: str  # {number}
    failed_as: str  # {number}, {formats}: the file formats that failed, "PDF, XLSX"
    reason: str  # {reason}
    stays_issued: str
    automatic: str


@functools.lru_cache(maxsize=64)
def email_text(language: str) -> EmailText:
    """The email's words in ``language`` (a catalog language, ``locales.LANGUAGES``)."""
    with translation.override(language):
        return EmailText(
            language=language,
            subject_ready=gettext("Invoice {number} is ready"),
            subject_failed=gettext("Invoice {number} could not be created"),
            greeting=gettext("Hello,"),
            ready=gettext("Your invoice {number} (total {total}) is ready."),
            download=gettext("Download it (no sign-in needed):"),
            api_download=gettext("After that, download it from the API with your API token:"),
            ready_files=gettext("The files that could be created can be downloaded (no sign-in needed):"),
            details=gettext("Its details and status:"),
            failed=gettext("Your invoice {number} could not be created."),
            failed_as=gettext("Your invoice {number} could not be created as {formats}."),
            reason=gettext("Reason: {reason}"),
            stays_issued=gettext(
                "The invoice number stays issued: if the data needs correcting, upload the corrected invoice "
                "under a new number (with a credit note if this one was sent), or reply to your support "
                "contact with the link above."
            ),
            automatic=gettext("This is an automatic message from the invoice service."),
        )


def links_until(language: str, count: int) -> str:
    """Until when the email's ``count`` links work ({until}: a date and time in the owner's locale): a plural
    message, "This link works ..." for one and "These links work ..." for more, in each language's forms
    (Arabic and Slovenian have a dual; Japanese, Korean and Chinese one form for every count). The sentence
    shows no number, so a form is chosen for the count an email can have: one link per format, at most six,
    never 21 (which Croatian or Ukrainian would give the singular). The context keeps it apart from the batch
    email's "This link works until {until}.", a message of its own."""
    with translation.override(language):
        return npgettext(
            "invoice email", "This link works until {until}.", "These links work until {until}.", count
        )
