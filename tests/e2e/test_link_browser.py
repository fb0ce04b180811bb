"""The ready email's download link opens the file in a real browser without any login (docs/security.md
case 18).

The real pipeline: an upload through the API, the render and notify workers as subprocesses on RabbitMQ, the
file in a fresh GridFS database on the MongoDB-compatible server, the email through a real SMTP server. The
email's links point at pytest-django's live server (SITE_URL), and headless Chromium (tests/e2e/browser.py)
in a fresh profile, which has never logged in, opens the PDF link from the email's text.
"""

import hashlib
import json
import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import BrowserContext, Error, Page

from invoices.models import Rendition
from tests.e2e.conftest import Pipeline, plain_body
from tests.payloads import sample_payload

pytest_plugins = ["tests.e2e.browser"]  # the `page` fixture


@dataclass(frozen=True)
class EmailedFile:
    url: str  # the PDF link, as the email's text gives it
    content: bytes  # the stored file
    name: str  # its download name


@pytest.fixture
def emailed_pdf(pipeline: Pipeline, live_server, settings, client_for, make_user) -> EmailedFile:
    """Everything that needs the database, done before the browser opens (browser.py's docstring)."""
    settings.SITE_URL = live_server.url
    pipeline.env["SITE_URL"] = live_server.url  # the notify worker writes the email's links
    pipeline.start_all()
    payload = sample_payload()
    del payload["format"]
    payload["formats"] = ["pdf", "csv"]
    accepted = client_for(make_user("owner@example.com")).post(
        "/api/invoices/", data=json.dumps(payload), content_type="application/json"
    )
    assert accepted.status_code == 202, accepted.content
    invoice = pipeline.wait_status(accepted.json()["id"], "ready")
    [mail] = pipeline.wait_emails(invoice.id)
    text = plain_body(mail)
    [url] = re.findall(rf"^PDF: ({re.escape(live_server.url)}/files/\S+)", text, re.MULTILINE)
    rendition = Rendition.objects.get(invoice=invoice, format="pdf")
    with pipeline.storage.open(rendition.file_name, "rb") as file:
        content = file.read()
    assert hashlib.sha256(content).hexdigest() == rendition.sha256
    return EmailedFile(url=url, content=content, name=rendition.download_name)


def test_the_emailed_link_downloads_the_file_in_a_browser_without_a_login(
    emailed_pdf: EmailedFile, page: Page, browser_context: BrowserContext
):
    assert browser_context.cookies() == []  # a fresh profile: nobody is logged in

    # Chromium reports a navigation that became a download as one that did not load a page.
    with page.expect_download() as started, pytest.raises(Error, match="Download is starting"):
        page.goto(emailed_pdf.url)
    download = started.value

    assert download.failure() is None
    assert download.suggested_filename == emailed_pdf.name == "INV-2026-0042.pdf"
    with open(download.path(), "rb") as file:
        assert file.read() == emailed_pdf.content
    assert browser_context.cookies() == []  # and the link set none
