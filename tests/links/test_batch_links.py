"""Batch links: the batch email's link downloads the batch's ZIP without a login (the same ZIP as the API's),
until it expires; it cannot be altered or turned into an invoice link (nor back), and is revoked with the
batch's links or the account's; the owner's API for them is owner-only (docs/security.md case 18)."""

import io
import re
import uuid
import zipfile
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from babel import dates
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import QuerySet
from django.test import Client
from django.utils import timezone

from accounts.models import User
from invoices import links, services
from invoices.batch_notifications import batch_email_send
from invoices.i18n.batch_emails import batch_email_text
from invoices.models import DownloadLink, DownloadLinkUse, Invoice, InvoiceBatch, LinkPurpose
from tests.batches.conftest import documents, post_batch
from tests.links.conftest import body_of, path_of
from tests.links.test_tampering import flip, replace_part

pytestmark = pytest.mark.security

SITE = "https://invoices.example.com"
BATCH_LINK = re.compile(rf"{re.escape(SITE)}/files/b1\.[A-Za-z0-9._-]+")
ANY_LINK = re.compile(rf"{re.escape(SITE)}/files/[A-Za-z0-9._-]+")


@pytest.fixture(autouse=True)
def site(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = SITE


class DownBackend(BaseEmailBackend):
    """An email backend whose server is down."""

    def send_messages(self, messages) -> int:
        raise ConnectionRefusedError(111, "Connection refused")


def submit(api, count: int = 3) -> tuple[InvoiceBatch, list[Invoice]]:
    response = post_batch(api, documents(count, prefix=f"L{uuid.uuid4().hex[:6]}"))
    assert response.status_code == 202, response.content
    batch = InvoiceBatch.objects.get(id=response.json()["id"])
    return batch, list(Invoice.objects.filter(batch=batch).order_by("batch_index"))


@pytest.fixture
def completed(ann_api, invoices_gridfs_storage) -> InvoiceBatch:
    """Ann's batch of three: two ready, one failed, so complete."""
    batch, (first, second, third) = submit(ann_api)
    services.invoice_render(invoice_id=first.id)
    services.invoice_fail(invoice_id=second.id, reason="The renderer refused it.")
    services.invoice_render(invoice_id=third.id)
    batch.refresh_from_db()
    assert batch.completed_at is not None
    return batch


def zip_names_and_bytes(content: bytes) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert archive.testzip() is None
    return {name: archive.read(name) for name in archive.namelist()}


def token_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


def html_part(message) -> str:
    [(body, _)] = message.alternatives
    return str(body)


def make_link(batch: InvoiceBatch, fmt: str | None = None, expires_in: int = 3600) -> DownloadLink:
    return links.batch_link_create(batch=batch, fmt=fmt, expires_in=expires_in)


# --- The email's link ------------------------------------------------------------------------------------


def test_the_emails_link_downloads_the_api_zip_without_a_token(completed, ann_api, client, clock, settings):
    batch_email_send(batch_id=completed.id)

    [message] = mail.outbox
    [url] = BATCH_LINK.findall(str(message.body))
    assert f'href="{url}"' in html_part(message)
    response = client.get(path_of(url), REMOTE_ADDR="203.0.113.7")  # the test client holds no token

    assert response.status_code == 200
    assert response.streaming  # never the whole ZIP in memory
    assert response["Content-Type"] == "application/zip"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["X-Batch-Files"] == "2"
    assert not response.cookies
    api_zip = ann_api.get(f"/api/invoice-batches/{completed.id}/download/")
    assert response["Content-Disposition"] == api_zip["Content-Disposition"]
    via_link = zip_names_and_bytes(body_of(response))
    assert via_link == zip_names_and_bytes(body_of(api_zip))
    assert len(via_link) == 2
    [link] = DownloadLink.objects.filter(batch=completed)
    assert (link.purpose, link.format, link.invoice_id) == (LinkPurpose.EMAIL, "", None)
    expected = (clock.now + timedelta(seconds=settings.DOWNLOAD_LINK_EMAIL_SECONDS)).replace(microsecond=0)
    assert link.expires_at == expected
    [use] = DownloadLinkUse.objects.filter(link=link)
    assert use.client_address == "203.0.113.7"


def test_the_email_says_until_when_in_the_owners_locale_then_the_api_zip_then_the_status(
    make_user, client_for, invoices_gridfs_storage, settings
):
    owner = make_user("hans@example.com", language="de")
    batch, [invoice] = submit(client_for(owner), 1)
    services.invoice_render(invoice_id=invoice.id)
    words = batch_email_text("de")

    batch_email_send(batch_id=batch.id)

    [message] = mail.outbox
    [link] = DownloadLink.objects.filter(batch=batch)
    until = dates.format_datetime(link.expires_at, "long", tzinfo=ZoneInfo(settings.TIME_ZONE), locale="de")
    assert re.search(r"\d+\. \w+ \d{4}", until)  # "10. Dezember 2026": the German long date
    url, api_zip, status = (
        links.link_url(link),
        f"{SITE}/api/invoice-batches/{batch.id}/download/",
        f"{SITE}/api/invoice-batches/{batch.id}/",
    )
    body = str(message.body)
    expected = (
        f"{words.download}\n{url}\n{words.until.format(until=until)}\n\n{words.after}\n{api_zip}\n\n"
        f"{words.status}\n{status}\n"
    )
    assert expected in body
    html = html_part(message)
    for part in (f'href="{url}"', words.until.format(until=until), words.after, f'href="{api_zip}"'):
        assert part in html


def test_a_batch_whose_every_invoice_failed_has_no_link_in_its_email(ann_api):
    batch, invoices = submit(ann_api, 2)
    for invoice in invoices:
        services.invoice_fail(invoice_id=invoice.id, reason="no")

    batch_email_send(batch_id=batch.id)

    [message] = mail.outbox
    assert not ANY_LINK.findall(str(message.body))
    assert "/files/" not in html_part(message)
    assert batch_email_text("en").after not in message.body
    assert f"{SITE}/api/invoice-batches/{batch.id}/" in message.body  # the status stays
    assert not DownloadLink.objects.exists()


def test_an_email_that_did_not_go_out_leaves_no_link(completed, settings):
    settings.EMAIL_BACKEND = "tests.links.test_batch_links.DownBackend"

    batch_email_send(batch_id=completed.id)

    assert InvoiceBatch.objects.get(id=completed.id).email_sent_at is None
    assert not DownloadLink.objects.exists()


def test_an_email_sent_before_the_database_went_away_keeps_a_working_link(completed, client, monkeypatch):
    """The provider took the email, then recording it failed and rolled its link back: the retry records
    the email (without sending it again) and writes the same link again, so the email's link opens."""
    real_update = QuerySet.update
    outage = {"on": True}

    def update(queryset, **fields):
        if outage["on"] and "email_sent_at" in fields:
            outage["on"] = False
            raise OperationalError("server closed the connection unexpectedly")
        return real_update(queryset, **fields)

    monkeypatch.setattr(QuerySet, "update", update)
    with pytest.raises(OperationalError):
        batch_email_send(batch_id=completed.id)
    assert not DownloadLink.objects.exists()  # rolled back with the transaction

    batch_email_send(batch_id=completed.id)

    [message] = mail.outbox
    [url] = BATCH_LINK.findall(str(message.body))
    assert client.get(path_of(url)).status_code == 200


# --- Tokens: altered, or of the other kind ---------------------------------------------------------------


def test_every_alteration_of_a_batch_token_is_a_404_before_any_query(
    completed, client, django_assert_num_queries
):
    token = token_of(links.link_url(make_link(completed)))
    other = make_link(completed, "csv")
    version, link_id, batch_id, fmt, expires, mac = token.split(".")
    assert (version, fmt) == ("b1", "all")
    forged = {
        "version": replace_part(token, 0, "b2"),
        "version, an invoice token's": replace_part(token, 0, "1"),
        "link id, one character": replace_part(token, 1, flip(link_id)),
        "link id, another real link's": replace_part(token, 1, other.id.hex),
        "batch id": replace_part(token, 2, flip(batch_id)),
        "format: only csv": replace_part(token, 3, "csv"),
        "expiry, one second later": replace_part(token, 4, str(int(expires) + 1)),
        "signature, last character": replace_part(token, 5, flip(mac)),
        "signature, in the invoice links' context": replace_part(
            token, 5, links._mac(token.rsplit(".", 1)[0])
        ),
        "truncated by one": token[:-1],
        "a part more": token + ".csv",
    }
    unknown = client.get("/files/1.nothing")

    for name, altered in forged.items():
        with django_assert_num_queries(0):
            response = client.get(f"/files/{altered}")
        assert response.status_code == 404, name
        assert response.content == unknown.content, name
    assert not DownloadLinkUse.objects.exists()
    assert client.get(f"/files/{token}").status_code == 200


def test_an_invoice_token_edited_into_a_batch_token_and_back_opens_nothing(
    completed, ann_invoice, client, django_assert_num_queries
):
    """The two kinds differ in their first part and in the context their MAC is computed in: neither the
    version alone nor a MAC of the other kind's context makes a token of the other kind."""
    invoice_token = token_of(
        links.link_url(links.link_create(invoice=ann_invoice, fmt="csv", expires_in=3600))
    )
    batch_token = token_of(links.link_url(make_link(completed, "csv")))
    invoice_body, batch_body = invoice_token.rsplit(".", 1)[0], batch_token.rsplit(".", 1)[0]
    as_batch = "b1" + invoice_body[1:]
    as_invoice = "1" + batch_body.removeprefix("b1")
    edited = {
        "invoice token, version b1": replace_part(invoice_token, 0, "b1"),
        "a batch body with the invoice context's MAC": f"{as_batch}.{links._mac(as_batch)}",
        "invoice token naming the batch": replace_part(
            replace_part(invoice_token, 0, "b1"), 2, completed.id.hex
        ),
        "batch token, version 1": replace_part(batch_token, 0, "1"),
        "an invoice body with the batch context's MAC": (
            f"{as_invoice}.{links._mac(as_invoice, links.BATCH_SIGNING_CONTEXT)}"
        ),
        "batch token naming the invoice": replace_part(
            replace_part(batch_token, 0, "1"), 2, ann_invoice.id.hex
        ),
    }
    unknown = client.get("/files/1.nothing")

    for name, token in edited.items():
        with django_assert_num_queries(0):
            response = client.get(f"/files/{token}")
        assert response.status_code == 404, name
        assert response.content == unknown.content, name
    assert links.token_claims(batch_token) is None
    assert links.batch_token_claims(invoice_token) is None
    assert client.get(f"/files/{invoice_token}").status_code == 200
    assert client.get(f"/files/{batch_token}").status_code == 200


def test_a_signed_batch_token_whose_row_is_gone_is_the_unknown_link(completed, client):
    link = make_link(completed)
    token = token_of(links.link_url(link))
    DownloadLink.objects.filter(id=link.id).delete()

    assert client.get(f"/files/{token}").content == client.get("/files/1.nothing").content


# --- Expired, revoked, not ready -------------------------------------------------------------------------


def test_a_batch_link_works_until_it_expires_and_answers_410_after(completed, client, clock):
    path = path_of(links.link_url(make_link(completed, expires_in=60)))
    clock.advance(59)
    assert client.get(path).status_code == 200

    clock.advance(1)
    response = client.get(path)

    assert response.status_code == 410
    assert b"This download link has expired" in response.content
    assert response["Cache-Control"] == "no-store"


def test_revoking_the_batchs_links_or_one_of_them_answers_410(completed, ann_api, client):
    first, second, third = (make_link(completed) for _ in range(3))
    base = f"/api/invoice-batches/{completed.id}/links/"

    assert ann_api.delete(f"{base}?id={first.id}").json() == {"revoked": 1}
    assert client.get(path_of(links.link_url(first))).status_code == 410
    assert client.get(path_of(links.link_url(second))).status_code == 200
    assert ann_api.delete(base).json() == {"revoked": 2}

    for link in (second, third):
        response = client.get(path_of(links.link_url(link)))
        assert response.status_code == 410
        assert b"This download link was withdrawn" in response.content


def test_revoking_every_link_of_the_account_covers_batch_links(completed, ann_invoice, ann_api, client):
    batch_link = make_link(completed)
    invoice_link = links.link_create(invoice=ann_invoice, fmt="csv", expires_in=3600)

    assert ann_api.delete("/api/links/").json() == {"revoked": 2}

    assert client.get(path_of(links.link_url(batch_link))).status_code == 410
    assert client.get(path_of(links.link_url(invoice_link))).status_code == 410


def test_nothing_ready_yet_is_a_409_page_then_the_zip(ann_api, client, invoices_gridfs_storage):
    batch, (first, _second) = submit(ann_api, 2)
    path = path_of(links.link_url(make_link(batch)))

    waiting = client.get(path)
    assert waiting.status_code == 409
    assert waiting["Retry-After"] == "60"
    assert b"No file of this batch of invoices is ready yet" in waiting.content
    assert not DownloadLinkUse.objects.exists()

    services.invoice_render(invoice_id=first.id)
    partial = client.get(path)
    assert partial.status_code == 200
    assert partial["X-Batch-Status"] == "processing"
    assert list(zip_names_and_bytes(body_of(partial))) == [f"{first.number}.csv"]


def test_a_completed_batch_without_a_file_of_the_links_format_is_the_failed_page(ann_api, client):
    batch, (first, second) = submit(ann_api, 2)
    link = make_link(batch, "csv")
    for invoice in (first, second):
        services.invoice_fail(invoice_id=invoice.id, reason="Secret reason of the owner.")

    response = client.get(path_of(links.link_url(link)))

    assert response.status_code == 409
    assert b"No CSV file of this batch of invoices could be created" in response.content
    assert b"Secret reason" not in response.content


def test_head_answers_without_logging_a_download(completed, client):
    link = make_link(completed)

    response = client.head(path_of(links.link_url(link)))

    assert response.status_code == 200
    assert not DownloadLinkUse.objects.exists()


# --- The owner's API -------------------------------------------------------------------------------------


def test_post_makes_a_link_to_every_format_or_one(completed, ann_api, client):
    base = f"/api/invoice-batches/{completed.id}/links/"

    every = ann_api.post(base, data={}, format="json")
    only_csv = ann_api.post(base, data={"format": "csv", "expires_in": 600}, format="json")

    assert every.status_code == only_csv.status_code == 201
    assert set(every.json()) == {"id", "url", "format", "expires_at", "purpose"}
    assert (every.json()["format"], every.json()["purpose"]) == (None, "shared")
    assert only_csv.json()["format"] == "csv"
    assert token_of(only_csv.json()["url"]).split(".")[3] == "csv"
    for answer in (every, only_csv):
        assert client.get(path_of(answer.json()["url"])).status_code == 200
    listed = ann_api.get(base).json()
    assert listed["count"] == 2
    assert [item["format"] for item in listed["results"]] == ["csv", None]
    assert all(item["uses"] == 1 and item["state"] == "active" for item in listed["results"])


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"format": "pdf"},
            "format",
            "No invoice of this batch has a pdf file that can be made; it has csv.",
        ),
        ({"format": "docx"}, "format", ""),
        ({"expires_in": 59}, "expires_in", "Give between 60 and"),
        ({"expires_in": 604801}, "expires_in", "604801 is outside"),
        ({"expires_in": "1 day"}, "expires_in", "A whole number of seconds"),
        ({"batch": "another"}, "batch", "Unknown field"),
    ],
)
def test_a_bad_body_is_400_naming_the_field(completed, ann_api, body, field, message):
    response = ann_api.post(f"/api/invoice-batches/{completed.id}/links/", data=body, format="json")

    assert response.status_code == 400
    [text] = response.json()["error"]["fields"][field]
    assert message in text
    assert not DownloadLink.objects.exists()


def test_a_batch_whose_every_file_failed_gets_no_link(ann_api):
    batch, [invoice] = submit(ann_api, 1)
    services.invoice_fail(invoice_id=invoice.id, reason="no")

    response = ann_api.post(f"/api/invoice-batches/{batch.id}/links/", data={}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["format"] == [
        "Every file of this batch failed; there is no file to link to."
    ]


def test_a_link_may_be_made_while_the_batch_is_processing(ann_api):
    batch, _ = submit(ann_api, 2)

    response = ann_api.post(f"/api/invoice-batches/{batch.id}/links/", data={"format": "csv"}, format="json")

    assert response.status_code == 201


def test_every_batch_link_endpoint_needs_a_token(completed, api):
    base = f"/api/invoice-batches/{completed.id}/links/"
    for response in (api.post(base, data={}, format="json"), api.get(base), api.delete(base)):
        assert response.status_code == 401


# --- BOLA ------------------------------------------------------------------------------------------------


def answers(api, batch_id, link_id) -> list[tuple[int, bytes]]:
    base = f"/api/invoice-batches/{batch_id}/links/"
    return [
        (response.status_code, response.content)
        for response in (
            api.post(base, data={"format": "csv", "expires_in": 3600}, format="json"),
            api.get(base),
            api.delete(base),
            api.delete(f"{base}?id={link_id}"),
        )
    ]


def test_anothers_batch_is_the_404_of_a_missing_one_on_every_batch_link_endpoint(completed, bob_api, client):
    link = make_link(completed)

    theirs = answers(bob_api, completed.id, link.id)
    made_up = answers(bob_api, uuid.uuid4(), uuid.uuid4())

    assert [status for status, _ in theirs] == [404, 404, 404, 404]
    assert theirs == made_up  # byte for byte
    assert DownloadLink.objects.count() == 1
    assert client.get(path_of(links.link_url(link))).status_code == 200  # still working


def test_anothers_link_id_on_ones_own_batch_is_not_found(completed, bob_api, bob: User, client):
    anns_link = make_link(completed)
    bobs_batch, _ = submit(bob_api, 1)

    theirs = bob_api.delete(f"/api/invoice-batches/{bobs_batch.id}/links/?id={anns_link.id}")
    made_up = bob_api.delete(f"/api/invoice-batches/{bobs_batch.id}/links/?id={uuid.uuid4()}")

    assert theirs.status_code == 404
    assert theirs.content == made_up.content
    assert bob_api.delete("/api/links/").json() == {"revoked": 0}
    assert client.get(path_of(links.link_url(anns_link))).status_code == 200


# --- The row ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"format": "csv"},  # neither an invoice nor a batch
        {"format": "csv", "both": True},
        {"format": ""},  # an invoice link without a format
    ],
)
def test_a_link_names_exactly_one_invoice_or_batch(completed, ann_invoice, fields):
    row = DownloadLink(format=fields["format"], expires_at=timezone.now() + timedelta(hours=1))
    if fields["format"] == "" or fields.get("both"):
        row.invoice = ann_invoice
    if fields.get("both"):
        row.batch = completed

    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


def test_the_admin_lists_batch_links_beside_invoice_links(completed, ann_invoice, make_user):
    admin_client = Client()
    admin_client.force_login(make_user("staff@example.com", is_staff=True, is_superuser=True))
    batch_link = make_link(completed)
    links.link_create(invoice=ann_invoice, fmt="csv", expires_in=3600)

    listing = admin_client.get("/admin/invoices/downloadlink/")
    page = admin_client.get(f"/admin/invoices/downloadlink/{batch_link.id}/change/")
    found = admin_client.get(f"/admin/invoices/downloadlink/?q={completed.id}")

    assert listing.status_code == page.status_code == 200
    assert f"batch {str(completed.id)[:8]} (ZIP)" in listing.content.decode()
    assert ann_invoice.number in listing.content.decode()
    assert f"/admin/invoices/invoicebatch/{completed.id}/change/" in page.content.decode()
    assert "every format" in page.content.decode()
    assert found.content.decode().count("(ZIP)") == 1


def test_the_account_s_link_list_names_the_batch_a_link_opens(completed, ann_api):
    link = make_link(completed)

    response = ann_api.get("/api/links/")

    assert response.status_code == 200
    row = next(row for row in response.json()["results"] if row["id"] == str(link.id))
    assert row["invoice"] is None
    assert row["batch"]["id"] == str(completed.id)
    assert row["batch"]["url"].endswith(f"/api/invoice-batches/{completed.id}/")
    assert row["format"] is None  # the ZIP of every format
