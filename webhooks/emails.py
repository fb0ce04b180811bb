"""The words of the email telling an owner that one of their webhook endpoints was disabled.

Gettext messages, looked up in the owner's language (``User.language``); placeholders are ``str.format``
fields filled after the lookup, so a translation may move them.
"""

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext


@dataclass(frozen=True)
class DisabledText:
    subject: str  # {url}
    greeting: str
    disabled: str  # {url}, {since}
    last_error: str  # {error}
    what_now: str
    automatic: str


def disabled_text(language: str) -> DisabledText:
    with translation.override(language):
        return DisabledText(
            subject=gettext("Webhook endpoint {url} was disabled"),
            greeting=gettext("Hello,"),
            disabled=gettext(
                "we disabled your webhook endpoint {url}: every delivery to it has failed since {since}."
            ),
            last_error=gettext("The last attempt: {error}"),
            what_now=gettext(
                "No more events are sent to it. Once it answers again, enable it through the API "
                '(PATCH /api/webhooks/<id>/ with "enabled": true); the events it missed are not sent again.'
            ),
            automatic=gettext("This is an automatic message from the invoice service."),
        )
