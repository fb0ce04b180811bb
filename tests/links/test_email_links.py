"""The ready email carries links that open its files without a login (a person reading it has no API
token), says until when in the owner's locale, and keeps the API download for after; the failed email links
only the files that were made (docs/security.md case 18)."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from babel import dates
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import OperationalError

from invoices import links, notifications, services
from invoices.i18n.emails import email_text, links_until
from invoices.i18n.locales import DEFAULT_LANGUAGE, LANGUAGES
from invoices.models import DownloadLink, LinkPurpose, Notification, Rendition
from invoices.notifications import notification_send
from tests.links.conftest import body_of, path_of

pytestmark = pytest.mark.security

SITE = "https://invoices.example.com"
LINK = re.compile(rf"{re.escape(SITE)}/files/[A-Za-z0-9._-]+")


@pytest.fixture(autouse=True)
def outbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = SITE


class DownBackend(BaseEmailBackend):
    """An email backend whose server is down."""

    def send_messages(self, messages) -> int:
        raise ConnectionRefusedError(111, "Connection refused")


def html_part(message) -> str:
    [(body, _)] = message.alternatives
    return body


def test_the_ready_email_links_open_every_file_without_a_login(make_invoice, ann, client, clock, settings):
    invoice = make_invoice(ann, ("pdf", "csv"))

    notification_send(invoice_id=invoice.id, kind="ready")

    [message] = mail.outbox
    urls = LINK.findall(str(message.body))
    assert len(urls) == 2
    assert f"PDF: {urls[0]}" in message.body
    assert f"CSV: {urls[1]}" in message.body
    for url in urls:
        assert f'href="{url}"' in html_part(message)
    contents = [body_of(client.get(path_of(url))) for url in urls]  # the test client holds no session
    for content, fmt in zip(contents, ("pdf", "csv"), strict=True):
        assert content
        assert Rendition.objects.get(invoice=invoice, format=fmt).size == len(content)
    emailed = DownloadLink.objects.filter(invoice=invoice)
    assert {link.purpose for link in emailed} == {LinkPurpose.EMAIL}
    expected = (clock.now + timedelta(seconds=settings.DOWNLOAD_LINK_EMAIL_SECONDS)).replace(microsecond=0)
    assert {link.expires_at for link in emailed} == {expected}


def test_the_email_says_until_when_in_the_owners_locale_and_keeps_the_api_download(
    make_invoice, make_user, settings
):
    owner = make_user("hans@example.com", language="de")
    invoice = make_invoice(owner, ("csv",))
    words = email_text("de")

    notification_send(invoice_id=invoice.id, kind="ready")

    [message] = mail.outbox
    [link] = DownloadLink.objects.filter(invoice=invoice)
    until = dates.format_datetime(link.expires_at, "long", tzinfo=ZoneInfo(settings.TIME_ZONE), locale="de")
    assert links_until("de", 1).format(until=until) in message.body
    assert f"Dieser Link ist bis zum {until} gültig." in message.body  # one link: the singular
    assert re.search(r"\d+\. \w+ \d{4}", until)  # "10. Dezember 2026": the German long date
    assert words.api_download in message.body
    assert f"{SITE}/api/invoices/{invoice.id}/download/" in message.body
    assert f"{SITE}/api/invoices/{invoice.id}/" in message.body  # the status URL stays


@pytest.mark.parametrize(
    ("formats", "sentence"),
    [(("pdf",), "This link works until"), (("pdf", "csv"), "These links work until"),
     (("pdf", "csv", "xlsx"), "These links work until")],
)  # fmt: skip
def test_the_email_says_this_link_for_one_link_and_these_links_for_more(make_invoice, ann, formats, sentence):
    invoice = make_invoice(ann, formats)

    notification_send(invoice_id=invoice.id, kind="ready")

    [message] = mail.outbox
    other = "These links work until" if sentence.startswith("This") else "This link works until"
    for part in (message.body, html_part(message)):
        assert sentence in part
        assert other not in part


@pytest.mark.parametrize(
    ("formats", "sentence"),
    [
        (("pdf",), "هذا الرابط صالح حتى"),  # one: the singular
        (("pdf", "csv"), "هذان الرابطان صالحان حتى"),  # two: the dual
        (("pdf", "csv", "xlsx"), "هذه الروابط صالحة حتى"),  # three to ten: the plural
    ],
)
def test_the_arabic_email_has_a_singular_a_dual_and_a_plural(make_invoice, make_user, formats, sentence):
    invoice = make_invoice(make_user("amal@example.com", language="ar"), formats)

    notification_send(invoice_id=invoice.id, kind="ready")

    [message] = mail.outbox
    assert sentence in message.body


@pytest.mark.parametrize("language", [language for language in LANGUAGES if language != DEFAULT_LANGUAGE])
def test_every_language_says_until_when_the_links_work_in_its_own_words(language):
    english = {links_until(DEFAULT_LANGUAGE, count) for count in (1, 2)}
    # An email carries one link per format: one to six.
    sentences = [links_until(language, count) for count in range(1, 7)]

    assert not english & set(sentences), "English left in a translated catalog"
    assert all(sentence.count("{until}") == 1 for sentence in sentences)
    if language not in ("ja", "ko", "zh-hans", "zh-hant"):  # one form for every count, written for both
        assert sentences[0] not in sentences[1:], "the same sentence for one link as for several"


def test_after_their_life_the_emailed_links_answer_410(make_invoice, ann, client, clock, settings):
    invoice = make_invoice(ann, ("csv",))
    notification_send(invoice_id=invoice.id, kind="ready")
    [url] = LINK.findall(str(mail.outbox[0].body))

    clock.advance(settings.DOWNLOAD_LINK_EMAIL_SECONDS)

    assert client.get(path_of(url)).status_code == 410


def test_the_failed_email_links_only_the_files_that_were_made(make_invoice, ann, client):
    invoice = make_invoice(ann, ("pdf", "csv"), ready=("pdf",))
    services.invoice_fail(invoice_id=invoice.id, reason="The csv could not be written", fmt="csv")

    notification_send(invoice_id=invoice.id, kind="failed")

    [message] = mail.outbox
    [url] = LINK.findall(str(message.body))
    assert f"PDF: {url}" in message.body
    assert email_text("en").ready_files in message.body
    assert body_of(client.get(path_of(url))).startswith(b"%PDF")
    assert list(DownloadLink.objects.filter(invoice=invoice).values_list("format", flat=True)) == ["pdf"]


def test_a_failed_email_without_any_file_has_no_links(make_invoice, ann):
    invoice = make_invoice(ann, ("csv",), ready=())
    services.invoice_fail(invoice_id=invoice.id, reason="broken")

    notification_send(invoice_id=invoice.id, kind="failed")

    [message] = mail.outbox
    assert not LINK.findall(str(message.body))
    assert "/files/" not in html_part(message)
    for count in (1, 2):
        assert links_until("en", count).split("{")[0] not in message.body
    assert not DownloadLink.objects.exists()


def test_an_email_that_did_not_go_out_leaves_no_links(make_invoice, ann, settings):
    invoice = make_invoice(ann, ("csv",))
    settings.EMAIL_BACKEND = "tests.links.test_email_links.DownBackend"

    notification_send(invoice_id=invoice.id, kind="ready")

    assert Notification.objects.get(invoice=invoice, kind="ready").sent_at is None
    assert not DownloadLink.objects.exists()


def test_an_email_sent_before_the_database_went_away_keeps_working_links(
    make_invoice, ann, client, monkeypatch
):
    """The provider took the email, then recording it failed and rolled its links back: the retry records
    the email (without sending it again) and writes the same links again, so the email's links open."""
    invoice = make_invoice(ann, ("csv",))
    real_mark_sent = notifications._mark_sent
    outage = {"on": True}

    def mark_sent(notification_id, message_id):
        # The UPDATE that records the email: the database goes away just before it.
        if outage["on"]:
            outage["on"] = False
            raise OperationalError("server closed the connection unexpectedly")
        return real_mark_sent(notification_id, message_id)

    monkeypatch.setattr(notifications, "_mark_sent", mark_sent)
    with pytest.raises(OperationalError):
        notification_send(invoice_id=invoice.id, kind="ready")
    assert not DownloadLink.objects.exists()  # rolled back with the transaction

    notification_send(invoice_id=invoice.id, kind="ready")

    [message] = mail.outbox
    [url] = LINK.findall(str(message.body))
    assert client.get(path_of(url)).status_code == 200
    assert links.token_claims(url.rsplit("/", 1)[1]) is not None
