"""The pages a download link opens (GET /files/<token>) speak the recipient's language: the invoice's (a batch
link's: its owner's, as the batch email), right to left for Arabic, Hebrew, Persian and Urdu, with dates as
that locale writes them. A page that knows no invoice (an unknown or altered token) follows the browser's
Accept-Language and nothing else, so it stays byte for byte the same for every invalid token
(docs/security.md case 18)."""

import dataclasses
import html
import re
import uuid
from collections.abc import Callable

import pytest

from invoices import links, services
from invoices.i18n.link_pages import LinkPageText, browser_language, link_page_text
from invoices.i18n.locales import DEFAULT_LANGUAGE, LANGUAGES
from invoices.models import Invoice, InvoiceBatch
from invoices.notifications import email_datetime
from tests.batches.conftest import documents, post_batch
from tests.links.conftest import path_of
from tests.links.test_download import assert_a_page_of_ours
from tests.links.test_tampering import altered
from tests.payloads import sample_payload

pytestmark = pytest.mark.security

PLACEHOLDER = re.compile(r"\{[a-z_]*\}")
WORDS = [field.name for field in dataclasses.fields(LinkPageText) if field.name not in ("language", "rtl")]


@pytest.fixture
def invoice_in(ann, invoices_gridfs_storage) -> Callable[..., Invoice]:
    """Ann's invoice written in ``language`` to the sample's German buyer; its CSV rendered when ``ready``."""

    def make(language: str, *, ready: bool = False) -> Invoice:
        payload = sample_payload()
        del payload["format"]
        payload["formats"] = ["csv"]
        payload["invoice"]["language"] = language
        payload["invoice"]["number"] = f"INV-{uuid.uuid4().hex[:8]}"
        invoice = services.invoice_submit(owner=ann, payload=payload).invoice
        if ready:
            services.invoice_render(invoice_id=invoice.id, fmt="csv")
        return Invoice.objects.defer("input").get(pk=invoice.pk)

    return make


def page_of(response) -> str:
    return response.content.decode()


# --- A link whose invoice is known: the invoice's language -----------------------------------------------


def test_a_german_invoices_expired_and_revoked_pages_are_german(client, invoice_in, clock):
    invoice = invoice_in("de", ready=True)
    assert invoice.locale == "de-DE"
    expired = links.link_create(invoice=invoice, fmt="csv", expires_in=60)
    revoked = links.link_create(invoice=invoice, fmt="csv", expires_in=3600)
    links.links_revoke_for_invoice(invoice=invoice, link_id=revoked.id)
    clock.advance(61)

    # The browser asks for English: the page is the invoice's, not the browser's.
    response = client.get(path_of(links.link_url(expired)), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response.status_code == 410
    assert_a_page_of_ours(response, "Dieser Download-Link ist abgelaufen")
    page = page_of(response)
    assert '<html lang="de">' in page
    assert "<title>Link abgelaufen</title>" in page
    # Until when, as the German locale writes it ("5. Dezember 2026, 14:01:00 UTC"), as the email does.
    until = email_datetime(expired.expires_at, "de-DE")
    assert f"Er war bis zum {until} gültig" in page
    assert "Bitten Sie den Absender der Rechnung um einen neuen Link." in page
    assert "expired" not in page
    assert "worked until" not in page

    response = client.get(path_of(links.link_url(revoked)), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 410
    assert_a_page_of_ours(response, "Dieser Download-Link wurde zurückgezogen")
    page = page_of(response)
    assert '<html lang="de">' in page
    assert "Der Absender der Rechnung hat ihn zurückgezogen" in page
    assert "withdrawn" not in page


def test_an_arabic_invoices_pages_are_arabic_and_right_to_left(client, invoice_in):
    invoice = invoice_in("ar")  # its CSV not made yet
    waiting = links.link_create(invoice=invoice, fmt="csv")

    response = client.get(path_of(links.link_url(waiting)), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 409
    assert response["Retry-After"] == "60"
    assert_a_page_of_ours(response, "يجري تجهيز الملف")
    page = page_of(response)
    assert '<html lang="ar" dir="rtl">' in page
    assert f"ملف CSV الخاص بالفاتورة {html.escape(invoice.number)} غير جاهز بعد." in page

    links.links_revoke_for_invoice(invoice=invoice, link_id=waiting.id)
    response = client.get(path_of(links.link_url(waiting)))

    assert_a_page_of_ours(response, "تم سحب رابط التنزيل هذا")
    assert '<html lang="ar" dir="rtl">' in page_of(response)


def test_the_invoices_language_wins_over_the_browsers(client, invoice_in):
    french, english = invoice_in("fr", ready=True), invoice_in("en", ready=True)
    for invoice, heading, lang in (
        (french, "Ce lien de téléchargement a été retiré", "fr"),
        (english, "This download link was withdrawn", "en"),
    ):
        link = links.link_create(invoice=invoice, fmt="csv")
        links.links_revoke_for_invoice(invoice=invoice, link_id=link.id)

        response = client.get(path_of(links.link_url(link)), HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")

        assert_a_page_of_ours(response, heading)
        assert f'<html lang="{lang}">' in page_of(response)


def test_a_storage_outage_after_the_link_was_found_is_in_the_invoices_language(client, invoice_in, settings):
    invoice = invoice_in("fr", ready=True)
    link = links.link_create(invoice=invoice, fmt="csv")
    settings.STORAGES = {
        **settings.STORAGES,
        "invoices": {
            "BACKEND": "invoices.storage.GridFSStorage",
            "OPTIONS": {"url": "mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=200", "database": "x"},
        },
    }

    response = client.get(path_of(links.link_url(link)), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert_a_page_of_ours(response, "Le téléchargement est temporairement indisponible")
    assert '<html lang="fr">' in page_of(response)


def test_a_batch_links_page_is_in_its_owners_language(client, make_user, client_for):
    owner = make_user("gerda@example.com", language="de")
    response = post_batch(client_for(owner), documents(2, prefix=f"D{uuid.uuid4().hex[:6]}"))
    assert response.status_code == 202, response.content
    batch = InvoiceBatch.objects.get(id=response.json()["id"])
    link = links.batch_link_create(batch=batch, fmt="csv")

    response = client.get(path_of(links.link_url(link)), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 409  # nothing rendered yet
    assert_a_page_of_ours(response, "Die Datei wird gerade vorbereitet")
    page = page_of(response)
    assert '<html lang="de">' in page
    assert "Von diesem Rechnungsstapel ist noch keine CSV-Datei fertig." in page

    links.links_revoke_for_batch(batch=batch, link_id=link.id)
    response = client.get(path_of(links.link_url(link)), HTTP_ACCEPT_LANGUAGE="en")

    assert_a_page_of_ours(response, "Dieser Download-Link wurde zurückgezogen")


# --- A page that knows no invoice: the browser's Accept-Language, or English ------------------------------


UNSUPPORTED = ["ru-RU,ru;q=0.9", "", "*", "xx-YY", "de;q=0", "not a language tag!"]


def test_a_not_found_page_follows_the_browsers_language_else_english(client):
    response = client.get("/files/1.nothing", HTTP_ACCEPT_LANGUAGE="fr-CH,fr;q=0.9,en;q=0.8")

    assert response.status_code == 404
    assert_a_page_of_ours(response, "Ce lien de téléchargement n&#x27;est pas valide")
    page = page_of(response)
    assert '<html lang="fr">' in page
    assert "<title>Lien non valide</title>" in page
    assert "not valid" not in page

    # A language the service has no catalog for, none, or none we can read: English, the same page.
    english = client.get("/files/1.nothing")
    assert '<html lang="en">' in page_of(english)
    for header in UNSUPPORTED:
        response = client.get("/files/1.nothing", HTTP_ACCEPT_LANGUAGE=header)
        assert response.status_code == 404, header
        assert_a_page_of_ours(response, "This download link is not valid")
        assert response.content == english.content, header
    assert response.content != client.get("/files/1.nothing", HTTP_ACCEPT_LANGUAGE="fr").content


def test_a_not_found_page_in_a_right_to_left_language(client):
    response = client.get("/files/1.nothing", HTTP_ACCEPT_LANGUAGE="he-IL")

    assert '<html lang="he" dir="rtl">' in page_of(response)
    assert_a_page_of_ours(response, "קישור ההורדה הזה אינו תקין")


def test_every_altered_token_gives_the_same_page_in_the_browsers_language_never_the_invoices(
    client, invoice_in, django_assert_num_queries
):
    invoice = invoice_in("de", ready=True)  # a German invoice: nothing of it may show for a forged token
    link = links.link_create(invoice=invoice, fmt="csv")
    token = links.link_url(link).rsplit("/", 1)[1]
    other_link = links.link_create(invoice=invoice, fmt="csv")
    unknown = client.get("/files/1.nothing", HTTP_ACCEPT_LANGUAGE="fr-CH,fr;q=0.9")
    assert '<html lang="fr">' in page_of(unknown)

    pages = set()
    for name, forged in altered(token, invoice, other_link).items():
        with django_assert_num_queries(0):
            response = client.get(f"/files/{forged}", HTTP_ACCEPT_LANGUAGE="fr-CH,fr;q=0.9")
        assert response.status_code == 404, name
        assert response.content == unknown.content, name
        pages.add(response.content)

    assert len(pages) == 1
    assert "Rechnung" not in page_of(unknown)
    assert 'lang="de"' not in page_of(unknown)


def test_a_method_refused_is_in_the_browsers_language(client, invoice_in):
    invoice = invoice_in("de", ready=True)
    path = path_of(links.link_url(links.link_create(invoice=invoice, fmt="csv")))

    response = client.post(path, HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9")

    assert response.status_code == 405
    assert_a_page_of_ours(response, "Este enlace de descarga solo se puede abrir")
    assert '<html lang="es">' in page_of(response)


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("fr-CH,fr;q=0.9", "fr"),
        ("de-AT", "de"),
        ("de-XX", "de"),  # a region CLDR does not know: its language
        ("ru;q=1, ja;q=0.5", "ja"),  # the first we have
        ("ja;q=0.5, ko", "ko"),  # by quality, not order
        ("en;q=0.1, pt-BR;q=0.8", "pt"),
        ("zh-TW,zh;q=0.9", "zh-hant"),
        ("zh-CN", "zh-hans"),
        ("zh-Hant-HK", "zh-hant"),
        ("no", "nb"),
        ("IW", "he"),
        ("ar-EG;q=0.7,*;q=0.5", "ar"),
        ("sw, *", "en"),
        ("de;q=0, fr;q=0.001", "fr"),
        ("de;q=2", "en"),  # not a quality: the range is ignored
        ("de;level=1", "en"),
        ("x" * 600 + ",de", "en"),  # past the length read
        (",".join(["xx"] * 20 + ["de"]), "en"),  # past the ranges read
    ],
)
def test_browser_language_reads_accept_language(header, language):
    assert browser_language(header) == language


# --- The catalogs --------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", [language for language in LANGUAGES if language != DEFAULT_LANGUAGE])
def test_every_catalog_writes_every_link_page_in_its_own_words(language):
    english, text = link_page_text(DEFAULT_LANGUAGE), link_page_text(language)

    assert text.rtl == (language in ("ar", "he", "fa", "ur"))
    for name in WORDS:
        theirs, ours = getattr(english, name), getattr(text, name)
        assert ours.strip(), (language, name)
        assert ours != theirs, f"English left in the {language} catalog: {name}"
        assert sorted(PLACEHOLDER.findall(ours)) == sorted(PLACEHOLDER.findall(theirs)), (language, name)
