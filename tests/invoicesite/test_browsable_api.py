"""The API in a browser (Accept: text/html): every page answers, an accepted upload is never an error
answer, and the site has a front door. The JSON contract is proven unchanged by tests/api."""

import html
import json
import logging
import re

import pytest
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.test import APIClient

from invoices.models import Invoice, InvoiceStatus
from invoices.openapi_document import SAMPLE_DOCUMENT
from invoices.serializers import InvoiceAcceptedSerializer
from tests.payloads import sample_payload
from workers.embedded import wait_for_embedded_jobs

HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # what a browser sends


@pytest.fixture
def auth(client_for, user) -> APIClient:
    return client_for(user)


def post_json(client, path: str, payload, **headers):
    return client.post(path, data=json.dumps(payload), content_type="application/json", **headers)


# --- The browsable pages of the upload views (parser_classes = [] made each a 500) -------------------


@pytest.mark.parametrize(("method", "path"), [("get", "/api/invoices/"), ("get", "/upload")])
def test_the_upload_views_answer_their_browsable_page(auth, method, path):
    response = getattr(auth, method)(path, HTTP_ACCEPT=HTML)

    assert response.status_code == (200 if path.startswith("/api/") else 405)
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert 'value="application/json"' in page  # the raw-data form offers JSON
    if path == "/upload":
        assert 'type="file"' in page  # and the legacy multipart form its file input


@pytest.mark.parametrize("path", ["/api/invoices/", "/upload?format=pdf"])
def test_an_upload_asking_for_html_answers_202_and_creates_exactly_one_invoice(auth, path):
    response = post_json(auth, path, sample_payload(), HTTP_ACCEPT=HTML)

    assert response.status_code == 202
    assert response["Content-Type"].startswith("text/html")
    invoice = Invoice.objects.get()
    assert str(invoice.id) in response.content.decode()
    assert response["Location"].endswith(f"/api/invoices/{invoice.id}/")


def test_the_json_answer_to_an_upload_is_unchanged(auth):
    response = post_json(auth, "/api/invoices/", sample_payload())

    assert response.status_code == 202
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"id", "number", "series", "status", "format", "formats", "links"}


# --- The "Content" box: the example to start from, and a refused body kept ------------------------------


def content_box(response) -> str:
    """What the raw-data form's "Content" box holds on the page."""
    found = re.search(r'<textarea name="_content"[^>]*>(.*?)</textarea>', response.content.decode(), re.S)
    assert found is not None, "no Content box on the page"
    return html.unescape(found.group(1)).removeprefix("\n")


def test_a_refused_upload_keeps_its_body_in_the_content_box(auth):
    payload = sample_payload()
    payload["invoice"]["lines"][0]["quantity"] = "two"  # one wrong value in a whole invoice
    body = json.dumps(payload, indent=2, ensure_ascii=False)

    response = auth.post("/api/invoices/", data=body, content_type="application/json", HTTP_ACCEPT=HTML)

    assert response.status_code == 400
    assert "invoice.lines[0].quantity" in response.content.decode()
    assert content_box(response) == body  # as sent, to correct and send again
    assert not Invoice.objects.exists()


def test_a_refused_rendition_request_keeps_its_body_too(auth):
    invoice = post_json(auth, "/api/invoices/", sample_payload()).json()

    response = auth.post(
        f"/api/invoices/{invoice['id']}/renditions/", data='{"format": "docx"}',
        content_type="application/json", HTTP_ACCEPT=HTML,
    )  # fmt: skip

    assert response.status_code == 400
    assert content_box(response) == '{"format": "docx"}'


def test_the_upload_page_offers_an_example_that_uploads_as_it_is(auth):
    page = auth.get("/api/invoices/", HTTP_ACCEPT=HTML)

    example = content_box(page)
    assert json.loads(example) == SAMPLE_DOCUMENT
    response = auth.post("/api/invoices/", data=example, content_type="application/json")
    assert response.status_code == 202


@pytest.mark.parametrize(
    ("path", "created"),
    [
        ("/api/webhooks/", 201),
        ("/api/number-series/", 201),
        ("/api/invoice-batches/", 202),
        ("/api/brands/", 201),
    ],
)
def test_the_other_collections_pages_offer_an_example_that_is_accepted_as_it_is(auth, path, created):
    # Their Content box was empty: a person had to find the body's shape in the documentation first.
    page = auth.get(path, HTTP_ACCEPT=HTML)

    example = content_box(page)
    assert json.loads(example)
    response = auth.post(path, data=example, content_type="application/json")
    assert response.status_code == created, response.content


def test_a_refused_login_never_puts_the_password_back_into_the_page(api, user):
    body = json.dumps({"email": user.email, "password": "Wrong-Secret-4711"})

    response = api.post("/api/auth/token/", data=body, content_type="application/json", HTTP_ACCEPT=HTML)

    assert response.status_code == 401
    assert "Wrong-Secret-4711" not in response.content.decode()


# --- Nothing after the commit turns an accepted upload into an error answer ---------------------------


def test_an_exception_after_the_commit_still_answers_202_with_the_json_body(auth, monkeypatch, caplog):
    def broken(self, invoice):
        raise RuntimeError("the answer's shaping broke")

    monkeypatch.setattr(InvoiceAcceptedSerializer, "to_representation", broken)

    with caplog.at_level(logging.ERROR, logger="invoices.views"):
        response = post_json(auth, "/api/invoices/", sample_payload(), HTTP_ACCEPT=HTML)

    assert response.status_code == 202
    assert response["Content-Type"] == "application/json"
    invoice = Invoice.objects.get()
    body = response.json()
    assert body["id"] == str(invoice.id)
    assert body["status"] == "queued"
    assert body["links"]["download"].endswith(f"/api/invoices/{invoice.id}/download/")
    assert response["Location"] == body["links"]["self"]
    assert "was accepted but its answer failed" in caplog.text


def test_a_page_that_cannot_be_rendered_falls_back_to_the_json_202(auth, monkeypatch, caplog):
    def broken(self, data, accepted_media_type=None, renderer_context=None):
        raise IndexError("list index out of range")

    monkeypatch.setattr(BrowsableAPIRenderer, "render", broken)

    with caplog.at_level(logging.ERROR, logger="invoices.views"):
        response = post_json(auth, "/upload", sample_payload(), HTTP_ACCEPT=HTML)

    assert response.status_code == 202
    assert response["Content-Type"] == "application/json"
    assert response.json()["id"] == str(Invoice.objects.get().id)
    assert "could not be rendered as text/html" in caplog.text


# --- Without a session or token: the page says so, with the challenge and the way to log in -----------


def test_the_401_page_carries_the_bearer_challenge_and_a_login_link(api, db):
    response = api.get("/api/invoices/", HTTP_ACCEPT=HTML)

    assert response.status_code == 401
    assert response["Content-Type"].startswith("text/html")
    assert response["WWW-Authenticate"].startswith("Bearer")
    page = response.content.decode()
    assert "not_authenticated" in page
    assert "/api-auth/login/?next=/api/invoices/" in page


def test_programs_still_get_the_json_401(api, db):
    response = api.get("/api/invoices/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "not_authenticated"


# --- Defect 11: a POST missing the trailing slash --------------------------------------------------------


@pytest.mark.parametrize("debug", [True, False])
def test_a_post_without_the_trailing_slash_is_the_json_404(auth, settings, debug):
    settings.DEBUG = debug

    response = post_json(auth, "/api/invoices", sample_payload())

    assert response.status_code == 404
    error = response.json()["error"]
    assert error == {"code": "not_found", "message": "Not found. Did you mean /api/invoices/?"}
    assert not Invoice.objects.exists()


def test_a_slash_too_many_or_too_few_is_named_and_an_unknown_path_is_not(auth):
    assert auth.post("/upload/?format=pdf").json()["error"]["message"] == "Not found. Did you mean /upload?"
    assert auth.patch("/api/me").json()["error"]["message"] == "Not found. Did you mean /api/me/?"
    assert auth.get("/api/nothing-here/").json()["error"]["message"] == "Not found."


def test_a_get_without_the_trailing_slash_is_still_redirected(auth, settings):
    settings.DEBUG = True

    response = auth.get("/api/invoices")

    assert response.status_code == 301
    assert response["Location"] == "/api/invoices/"


# --- The front door --------------------------------------------------------------------------------------


def test_the_landing_page_links_the_api_the_docs_the_admin_and_the_health_check(client, settings):
    settings.DEBUG = True  # DEBUG's 404 page listing every URL pattern used to be the answer

    response = client.get("/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    for href in ('href="/api/"', 'href="/api/docs/"', 'href="/admin/"', 'href="/healthz"'):
        assert href in page
    assert "<script" not in page
    assert "http" not in page  # no external asset


def test_the_admins_view_site_link_is_the_landing_page():
    from django.contrib import admin

    assert admin.site.site_url == "/"
    assert admin.site.site_header == "invoiceapp administration"  # not "Django administration"


def test_every_admin_list_is_named_with_an_english_plural():
    import re

    from django.contrib import admin

    # Django adds an "s": "invoice batchs" and "webhook deliverys" were on the admin's index.
    for model in admin.site._registry:
        name, plural = str(model._meta.verbose_name), str(model._meta.verbose_name_plural)
        if re.search(r"(s|x|z|ch|sh)$", name) and not name.endswith("series"):
            assert plural == f"{name}es", (name, plural)
        elif re.search(r"[^aeiou]y$", name):
            assert plural == f"{name[:-1]}ies", (name, plural)


# --- The upload's answer tells the status the invoice has when the answer is built -----------------------


def test_the_embedded_mode_answers_queued_and_renders_after_the_answer(
    transactional_db, settings, local_invoice_storage, client_for, user
):
    settings.AMQP_URL = ""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    response = post_json(client_for(user), "/api/invoices/", sample_payload(fmt="csv"))

    assert response.status_code == 202
    assert response.json()["status"] == "queued"  # the render runs on the job thread, after this answer
    assert wait_for_embedded_jobs(30)
    assert Invoice.objects.get().status == InvoiceStatus.READY
