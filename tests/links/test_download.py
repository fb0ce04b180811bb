"""GET /files/<token>: a link downloads its file without a login until it expires, and is logged; after
that, or revoked, or for a file not made, a small page of our own says what happened (docs/security.md
case 18)."""

import hashlib
import html

import pytest
from django.core.files.storage import storages
from django.test import Client

from invoices import links
from invoices.models import DownloadLink, DownloadLinkUse, InvoiceStatus, Rendition
from invoices.notifications import email_datetime
from tests.links.conftest import body_of, path_of

pytestmark = pytest.mark.security


def make_link(invoice, fmt: str = "csv", expires_in: int = 3600) -> DownloadLink:
    return links.link_create(invoice=invoice, fmt=fmt, expires_in=expires_in)


def stored_bytes(invoice, fmt: str) -> bytes:
    rendition = Rendition.objects.get(invoice=invoice, format=fmt)
    with storages["invoices"].open(rendition.file_name, "rb") as file:
        return file.read()


@pytest.mark.parametrize("fmt", ["csv", "pdf"])
def test_a_link_downloads_the_stored_file_without_any_login(client, ann_invoice, fmt):
    link = make_link(ann_invoice, fmt)

    response = client.get(path_of(links.link_url(link)))

    assert response.status_code == 200
    content = body_of(response)
    rendition = Rendition.objects.get(invoice=ann_invoice, format=fmt)
    assert hashlib.sha256(content).hexdigest() == rendition.sha256
    assert content == stored_bytes(ann_invoice, fmt)
    # The API download's headers, and a link's own: not indexed, never passed on as a Referer.
    assert response["Content-Disposition"] == f'attachment; filename="{rendition.download_name}"'
    assert response["Content-Type"] == rendition.content_type
    assert response["ETag"] == f'"{rendition.sha256}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "Set-Cookie" not in response
    assert not response.cookies


def test_the_url_is_the_site_url_and_the_token_names_the_link(settings, ann_invoice):
    settings.SITE_URL = "https://invoices.example.com"
    link = make_link(ann_invoice)

    url = links.link_url(link)

    token = url.removeprefix("https://invoices.example.com/files/")
    version, link_id, invoice_id, fmt, expires, mac = token.split(".")
    assert (version, link_id, invoice_id, fmt) == ("1", link.id.hex, ann_invoice.id.hex, "csv")
    assert int(expires) == int(link.expires_at.timestamp())
    assert len(mac) == 43


def test_every_download_is_logged_with_the_address_and_the_agent(client, ann_invoice):
    link = make_link(ann_invoice)
    agent = "Mozilla/5.0 " + "x" * 400

    for address in ("203.0.113.7", "2001:db8::1"):
        body_of(client.get(path_of(links.link_url(link)), REMOTE_ADDR=address, HTTP_USER_AGENT=agent))

    uses = list(DownloadLinkUse.objects.filter(link=link).order_by("at", "id"))
    assert [use.client_address for use in uses] == ["203.0.113.7", "2001:db8::1"]
    assert all(use.user_agent == agent[:300] for use in uses)
    assert all(use.at is not None for use in uses)


def test_a_forwarded_address_is_logged_only_behind_a_trusted_proxy(client, ann_invoice, settings):
    link = make_link(ann_invoice)
    path = path_of(links.link_url(link))

    body_of(client.get(path, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.9"))
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    body_of(client.get(path, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.9"))
    body_of(client.get(path, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not an address"))

    addresses = list(
        DownloadLinkUse.objects.filter(link=link).order_by("at", "id").values_list("client_address")
    )
    assert addresses == [("10.0.0.2",), ("198.51.100.9",), (None,)]


def test_head_answers_like_get_without_a_body_or_a_logged_download(client, ann_invoice):
    link = make_link(ann_invoice)

    response = client.head(path_of(links.link_url(link)))

    assert response.status_code == 200
    assert body_of(response) == b""
    assert response["Content-Length"] == str(Rendition.objects.get(invoice=ann_invoice, format="csv").size)
    assert not DownloadLinkUse.objects.exists()


def test_other_methods_are_refused(client, ann_invoice):
    path = path_of(links.link_url(make_link(ann_invoice)))

    assert client.post(path).status_code == 405
    assert client.delete(path).status_code == 405


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
def test_another_method_is_a_405_page_of_ours_even_with_csrf_checks(ann_invoice, method):
    # A browser's client: the CSRF check on, as in production (the test client skips it by default).
    browser = Client(enforce_csrf_checks=True)
    path = path_of(links.link_url(make_link(ann_invoice)))

    response = getattr(browser, method)(path, data=b"x=1", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert_a_page_of_ours(response, "This download link can only be opened")
    assert not DownloadLinkUse.objects.exists()


def test_a_link_works_until_it_expires_and_answers_410_after(client, ann_invoice, clock):
    link = make_link(ann_invoice, expires_in=60)
    path = path_of(links.link_url(link))

    clock.advance(59)
    assert client.get(path).status_code == 200
    clock.advance(1)
    expired = client.get(path)

    assert expired.status_code == 410
    page = expired.content.decode()
    assert "This download link has expired" in page
    # Until when, as the invoice's locale writes it (the sample's: English to a German buyer, en-DE).
    assert email_datetime(link.expires_at, ann_invoice.locale) in page
    assert "Ask the sender of the invoice for a new link." in page
    assert DownloadLinkUse.objects.filter(link=link).count() == 1  # the refused one is not a download


def test_a_revoked_link_answers_410_and_says_it_was_withdrawn(client, ann_invoice):
    link = make_link(ann_invoice)
    links.links_revoke_for_invoice(invoice=ann_invoice, link_id=link.id)

    response = client.get(path_of(links.link_url(link)))

    assert response.status_code == 410
    assert "This download link was withdrawn" in response.content.decode()
    assert not DownloadLinkUse.objects.exists()


def test_a_link_to_a_file_being_made_says_so_and_when_to_try_again(client, make_invoice, ann):
    invoice = make_invoice(ann, ("csv",), ready=())
    link = make_link(invoice)
    path = path_of(links.link_url(link))

    response = client.get(path)

    assert response.status_code == 409
    assert response["Retry-After"] == "60"
    assert "The file is being prepared" in response.content.decode()
    assert "Try this link again in a minute." in response.content.decode()


def test_a_link_to_a_file_that_failed_says_it_could_not_be_created(client, make_invoice, ann):
    invoice = make_invoice(ann, ("csv",), ready=())
    link = make_link(invoice)
    Rendition.objects.filter(invoice=invoice).update(status=InvoiceStatus.FAILED, failure_reason="boom")

    response = client.get(path_of(links.link_url(link)))

    assert response.status_code == 409
    assert "The file could not be created" in response.content.decode()
    assert "boom" not in response.content.decode()  # the reason is the owner's business


def test_the_pages_escape_what_they_show(client, make_invoice, ann):
    number = '<img src=x onerror=alert(1)>&"'
    invoice = make_invoice(ann, ("csv",), ready=())
    type(invoice).objects.filter(pk=invoice.pk).update(number=number)  # stored as given: never trusted
    invoice.number = number
    link = make_link(invoice)

    page = client.get(path_of(links.link_url(link))).content.decode()

    assert "<img" not in page
    assert html.escape(number) in page


@pytest.mark.parametrize(
    ("make_answer", "status", "heading"),
    [
        (lambda path: path[:-1], 404, "This download link is not valid"),
        (lambda path: path + "A", 404, "This download link is not valid"),
        (lambda path: "/files/1.nothing", 404, "This download link is not valid"),
    ],
)
def test_every_page_is_small_self_contained_html_without_a_trace(
    client, ann_invoice, make_answer, status, heading
):
    path = path_of(links.link_url(make_link(ann_invoice)))

    response = client.get(make_answer(path))

    assert response.status_code == status
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert_a_page_of_ours(response, heading)


def assert_a_page_of_ours(response, heading: str) -> None:
    page = response.content.decode()
    assert f"<h1>{heading}</h1>" in page
    assert page.startswith("<!DOCTYPE html>")
    assert len(response.content) < 4096
    # No external asset, script, form or frame; nothing the browser fetches.
    for marker in ("<script", "<link", "<img", "<form", "<iframe", "src=", "href=", "Traceback", 'File "'):
        assert marker not in page, marker
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert "Set-Cookie" not in response
    assert not response.cookies


def test_the_expired_revoked_and_pending_pages_are_ours_too(client, make_invoice, ann, clock):
    ready = make_invoice(ann, ("csv",))
    pending = make_invoice(ann, ("csv",), ready=())
    expired, revoked, waiting = make_link(ready, expires_in=60), make_link(ready), make_link(pending)
    links.links_revoke_for_invoice(invoice=ready, link_id=revoked.id)
    clock.advance(61)

    for link, status, heading in (
        (expired, 410, "This download link has expired"),
        (revoked, 410, "This download link was withdrawn"),
        (waiting, 409, "The file is being prepared"),
    ):
        response = client.get(path_of(links.link_url(link)))
        assert response.status_code == status
        assert_a_page_of_ours(response, heading)


def test_a_storage_outage_is_a_page_saying_to_try_again(client, ann_invoice, settings):
    link = make_link(ann_invoice)
    settings.STORAGES = {
        **settings.STORAGES,
        "invoices": {
            "BACKEND": "invoices.storage.GridFSStorage",
            # A closed port: the server is unreachable (pymongo's ServerSelectionTimeoutError).
            "OPTIONS": {"url": "mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=200", "database": "x"},
        },
    }

    response = client.get(path_of(links.link_url(link)))

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert_a_page_of_ours(response, "The download is temporarily unavailable")
