"""The browsable API in a real browser, as a person uses it: from the landing page to the API, log in through
the page, see the (empty) list, upload an invoice by pasting its JSON into the raw-data form, follow the
answer's link to its status page and download the file with a click.

Headless Debian Chromium (tests/e2e/browser.py) against pytest-django's live server, the real PostgreSQL and
a fresh GridFS database. The invoice is rendered in-process right after the commit (AMQP_URL empty), so it
is ready by the time the answer is shown. Screenshots (1280 x 800) go to var/screenshots/, git-ignored:
look at them to see what a person sees.
"""

import csv
import io
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from accounts.models import User
from tests.payloads import SAMPLE_TOTALS, sample_payload
from workers.embedded import wait_for_embedded_jobs

pytest_plugins = ["tests.e2e.browser"]  # the `page` fixture

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
EMAIL = "person@example.com"
NUMBER = sample_payload()["invoice"]["number"]


@pytest.fixture
def person(transactional_db, settings, invoices_gridfs_storage, make_user) -> User:
    """A customer account; the pipeline runs in-process (no broker), files go to a fresh GridFS."""
    settings.AMQP_URL = ""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return make_user(EMAIL)


def content(page: Page) -> str:
    """The answer shown by the browsable API (the JSON, pretty-printed and with its URLs as links)."""
    return page.locator(".response-info pre").inner_text()


def link(page: Page, url: str) -> Locator:
    """The answer body's link to ``url`` (the last: a Location header shown above it links the same URL)."""
    return page.locator(f'.response-info a[href="{url}"]').last


# The data fixture comes before `page`: no ORM call once the browser runs (tests/e2e/browser.py).


def test_a_person_logs_in_uploads_an_invoice_and_downloads_its_file(
    live_server, person, password, page: Page, tmp_path: Path
):
    base = live_server.url

    # The landing page: the "Serving on" URL.
    page.goto(f"{base}/")
    expect(page.locator("h1")).to_have_text("invoiceapp")
    page.screenshot(path=SCREENSHOTS / "landing.png")
    page.get_by_role("link", name=re.compile("Browsable API")).click()
    expect(page).to_have_url(f"{base}/api/")

    # Log in through the page the API links.
    page.get_by_role("link", name="Log in").click()
    expect(page).to_have_url(f"{base}/api-auth/login/?next=/api/")
    page.fill("#id_username", EMAIL)
    page.fill("#id_password", password)
    page.click("#submit-id-submit")
    expect(page).to_have_url(f"{base}/api/")
    expect(page.locator(".navbar")).to_contain_text(EMAIL)

    # The (empty) list, reached through the link in the API root's answer.
    link(page, f"{base}/api/invoices/").click()
    expect(page).to_have_url(f"{base}/api/invoices/")
    assert json.loads(content(page).split("\n\n", 1)[1])["count"] == 0

    # Upload: paste the JSON into the raw-data form and POST.
    expect(page.locator("#id__content_type")).to_have_value("application/json")
    page.fill("#id__content", json.dumps(sample_payload(fmt="csv"), indent=2))
    page.locator("#post-generic-content-form button", has_text="POST").click()
    expect(page.locator(".response-info")).to_contain_text("HTTP 202 Accepted")
    answer = json.loads(content(page).split("\n\n", 1)[1])
    assert answer["number"] == NUMBER
    assert answer["status"] == "queued"  # the embedded default renders it after the answer
    expect(link(page, answer["links"]["self"])).to_be_visible()
    assert wait_for_embedded_jobs(60)

    # The list now shows it, with its links: what a person sees.
    page.goto(f"{base}/api/invoices/")
    expect(link(page, answer["links"]["download"])).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "browsable-api-list.png")

    # Its status page, through the answer's link.
    link(page, answer["links"]["self"]).click()
    expect(page).to_have_url(answer["links"]["self"])
    detail = json.loads(content(page).split("\n\n", 1)[1])
    assert detail["status"] == "ready"
    assert detail["totals"]["gross"] == str(SAMPLE_TOTALS["gross"])

    # Download with a click.
    with page.expect_download() as download_info:
        link(page, answer["links"]["download"]).click()
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename == f"{NUMBER}.csv"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    raw = saved.read_bytes()
    assert raw.startswith(b"row_type,invoice_number,")  # the CSV header
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    assert {row["invoice_number"] for row in rows} == {NUMBER}
    assert [row["gross"] for row in rows if row["row_type"] == "total"][-1:] == [str(SAMPLE_TOTALS["gross"])]
    assert detail["file"]["size"] == len(raw)
