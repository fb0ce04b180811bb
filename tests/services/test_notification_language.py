"""The emails to an invoice's owner in the owner's language (User.language): every word from email_text,
the total in the owner's number format, the HTML escaped and written in the language's direction."""

import html
import re
from decimal import Decimal

import pytest
from django.core import mail

from invoices import services
from invoices.document.currencies import CURRENCIES
from invoices.i18n.emails import email_text
from invoices.i18n.formatting import NumberFormat
from invoices.models import Invoice
from invoices.notifications import notification_send
from tests.payloads import sample_payload

GROSS = Decimal("1189.83")  # the sample invoice's total (tests/payloads.py)
EUR = CURRENCIES["EUR"]


@pytest.fixture(autouse=True)
def outbox(settings, local_invoice_storage):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://invoices.example.com"


def ready_email(owner, number: str | None = None):
    invoice = services.invoice_submit(owner=owner, payload=sample_payload(fmt="csv")).invoice
    if number is not None:  # stored as uploaded: the email must not trust it
        Invoice.objects.filter(pk=invoice.pk).update(number=number)
    services.invoice_render(invoice_id=invoice.id)
    notification_send(invoice_id=invoice.id, kind="ready")
    [message] = mail.outbox
    return invoice, message


def failed_email(owner, reason: str):
    invoice = services.invoice_submit(owner=owner, payload=sample_payload(fmt="csv")).invoice
    services.invoice_fail(invoice_id=invoice.id, reason=reason)
    notification_send(invoice_id=invoice.id, kind="failed")
    [message] = mail.outbox
    return invoice, message


def html_part(message) -> str:
    [(body, media_type)] = message.alternatives
    assert media_type == "text/html"
    return body


def text_of(page: str) -> str:
    """What a reader sees of the HTML: tags dropped, entities decoded, line breaks and indents collapsed
    (a no-break space in an amount is kept)."""
    return re.sub(r"[ \n]+", " ", html.unescape(re.sub(r"<[^>]+>", "", page)))


def test_a_german_owner_gets_every_word_from_the_german_email_text(make_user):
    owner = make_user(language="de")
    words = email_text("de")
    total = NumberFormat("de", EUR).money(GROSS)

    invoice, message = ready_email(owner)

    assert message.subject == words.subject_ready.format(number=invoice.number)
    assert message.body.split("\n\n")[:2] == [
        words.greeting,
        words.ready.format(number=invoice.number, total=total),
    ]
    for sentence in (words.download, words.details, words.automatic):
        assert sentence in message.body
    page = html_part(message)
    assert '<html lang="de">' in page
    for sentence in (words.greeting, words.ready.format(number=invoice.number, total=total), words.details):
        assert sentence in text_of(page)
    assert f"<strong>{invoice.number}</strong>" in page
    assert f"<strong>{html.escape(total)}</strong>" in page


def test_the_total_is_in_the_owners_locale_when_it_is_in_the_emails_language(make_user):
    swiss = make_user("ann@example.com", language="de", locale="de-CH")
    _, message = ready_email(swiss)
    mail.outbox.clear()
    # A French locale does not decide the figures of a German email: German's own default does.
    other = make_user("bob@example.com", language="de", locale="fr-FR")
    _, other_message = ready_email(other)

    assert NumberFormat("de-CH", EUR).money(GROSS) in message.body
    assert NumberFormat("de", EUR).money(GROSS) in other_message.body
    assert NumberFormat("de", EUR).money(GROSS) == "1.189,83\xa0€"
    assert NumberFormat("de-CH", EUR).money(GROSS) not in other_message.body


def test_an_english_owner_without_a_locale_gets_english_figures(make_user):
    invoice, message = ready_email(make_user())

    assert message.subject == f"Invoice {invoice.number} is ready"
    assert f"Your invoice {invoice.number} (total €1,189.83) is ready." in message.body
    assert '<html lang="en">' in html_part(message)


def test_a_hostile_invoice_number_is_escaped_in_the_html_and_kept_in_the_text(make_user):
    number = '<img src=x onerror=alert(1)>&"'

    _, message = ready_email(make_user(), number=number)

    page = html_part(message)
    assert "<img" not in page
    assert f"<strong>{html.escape(number)}</strong>" in page
    assert number in message.body  # the plain text part is text: nothing to escape
    assert message.subject == f"Invoice {number} is ready"


@pytest.mark.parametrize("language", ["ar", "he", "fa", "ur"])
def test_right_to_left_languages_mark_the_html(make_user, language):
    _, message = ready_email(make_user(language=language))

    assert re.search(r'<html lang="[^"]+" dir="rtl">', html_part(message))
    assert message.subject == email_text(language).subject_ready.format(number="INV-2026-0042")


@pytest.mark.parametrize("language", ["de", "zh-hans", "ja"])
def test_left_to_right_languages_have_no_dir(make_user, language):
    _, message = ready_email(make_user(language=language))

    assert 'dir="rtl"' not in html_part(message)


def test_the_failed_email_is_in_the_owners_language_with_the_reason_as_stored(make_user):
    words = email_text("de")
    reason = 'Line 3: <unit> & price "x" could not be read'

    invoice, message = failed_email(make_user(language="de"), reason)

    assert message.subject == words.subject_failed.format(number=invoice.number)
    formats_failed = words.failed_as.format(number=invoice.number, formats="CSV")
    failed = formats_failed if formats_failed in message.body else words.failed.format(number=invoice.number)
    for sentence in (words.greeting, failed, words.reason.format(reason=reason), words.stays_issued):
        assert sentence in message.body
    page = html_part(message)
    assert html.escape(reason) in page
    assert "<unit>" not in page
    for sentence in (failed, words.reason.format(reason=reason), words.stays_issued, words.automatic):
        assert sentence in text_of(page)
