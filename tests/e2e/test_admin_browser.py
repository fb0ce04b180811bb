"""The admin in a real browser: staff find an invoice and download its file; other users get nothing.

Headless Debian Chromium (tests/e2e/browser.py) against pytest-django's live server, the real PostgreSQL
and a fresh GridFS database on the MongoDB-compatible server. The invoice is rendered in-process (AMQP_URL
empty) before the browser opens.
"""

import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.models import User
from invoices import services
from invoices.models import Invoice, InvoiceStatus
from tests.payloads import SAMPLE_TOTALS, sample_payload

pytest_plugins = ["tests.e2e.browser"]  # the `page` fixture

NUMBER = "INV-2026-0042"
OWNER_EMAIL = "owner@example.com"
STAFF_EMAIL = "staff@example.com"
# Overwritten by every run; look at it to see what staff see.
SCREENSHOT = Path(tempfile.gettempdir()) / "e2e-admin-invoice-list.png"


@pytest.fixture
def ready_invoice(transactional_db, settings, invoices_gridfs_storage, make_user) -> Invoice:
    """A PDF invoice rendered by the real pipeline, run in-process after commit (no broker)."""
    settings.AMQP_URL = ""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    owner = make_user(OWNER_EMAIL)
    submission = services.invoice_submit(owner=owner, payload=sample_payload(fmt="pdf"))
    invoice = Invoice.objects.select_related("owner").get(pk=submission.invoice.pk)
    assert invoice.status == InvoiceStatus.READY, f"{invoice.status}: {invoice.failure_reason}"
    assert invoices_gridfs_storage.exists(invoice.file_name)
    return invoice


@pytest.fixture
def staff_user(make_user) -> User:
    return make_user(STAFF_EMAIL, is_staff=True, is_superuser=True)


def pdftotext(path: Path) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.fail("pdftotext is missing: apt-get install -y poppler-utils", pytrace=False)
    return subprocess.run(
        [tool, "-layout", str(path), "-"], capture_output=True, check=True, text=True, timeout=30
    ).stdout


def admin_sign_in(page: Page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/admin/")
    expect(page).to_have_url(f"{base_url}/admin/login/?next=/admin/")
    page.fill('input[name="username"]', email)  # the field is named username; it takes the email
    page.fill('input[name="password"]', password)
    page.click('input[type="submit"]')
    page.wait_for_load_state()


# The data fixtures come before `page` in each test's arguments: no ORM call once the browser runs.


def test_staff_find_the_invoice_in_the_admin_and_download_its_pdf(
    live_server, ready_invoice, staff_user, password, page: Page, tmp_path: Path
):
    admin_sign_in(page, live_server.url, STAFF_EMAIL, password)
    expect(page).to_have_url(f"{live_server.url}/admin/")
    expect(page.locator("#user-tools")).to_contain_text(STAFF_EMAIL)

    page.goto(f"{live_server.url}/admin/invoices/invoice/")
    page.fill("#searchbar", NUMBER)
    page.press("#searchbar", "Enter")
    expect(page).to_have_url(f"{live_server.url}/admin/invoices/invoice/?q={NUMBER}")

    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row.locator(".field-number")).to_have_text(NUMBER)
    expect(row.locator(".field-owner")).to_have_text(OWNER_EMAIL)
    expect(row.locator(".field-status")).to_have_text("ready", ignore_case=True)  # the label is "Ready"
    link = row.locator(".field-download_link a")
    expect(link).to_have_text("download")
    expect(link).to_have_attribute(
        "href", reverse("admin:invoices_invoice_download", args=[ready_invoice.pk])
    )

    # The admin's own stylesheet is served and applied (the header is coloured, not the browser default).
    header_colour = page.locator("#header").evaluate("el => getComputedStyle(el).backgroundColor")
    assert header_colour not in ("", "rgba(0, 0, 0, 0)", "transparent"), header_colour
    page.screenshot(path=SCREENSHOT, full_page=True)

    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename == f"{NUMBER}.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    content = saved.read_bytes()
    assert content.startswith(b"%PDF")
    assert hashlib.sha256(content).hexdigest() == ready_invoice.sha256
    gross = f"{SAMPLE_TOTALS['gross']:,}"
    assert gross in pdftotext(saved)


@pytest.mark.security
def test_a_user_without_staff_status_gets_no_admin_access(live_server, ready_invoice, password, page: Page):
    # The invoice's own owner: a customer account is no way into the admin, nor to its download view.
    login_url = f"{live_server.url}/admin/login/"
    admin_sign_in(page, live_server.url, OWNER_EMAIL, password)
    expect(page.locator(".errornote")).to_contain_text("for a staff account")
    expect(page).to_have_url(f"{login_url}?next=/admin/")

    list_path = "/admin/invoices/invoice/"
    page.goto(f"{live_server.url}{list_path}")
    expect(page).to_have_url(f"{login_url}?next={quote(list_path)}")
    expect(page.locator("#result_list")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text(NUMBER)

    download_path = reverse("admin:invoices_invoice_download", args=[ready_invoice.pk])
    response = page.request.get(f"{live_server.url}{download_path}", max_redirects=0)
    assert response.status == 302
    assert response.headers["location"] == f"/admin/login/?next={quote(download_path)}"
    assert not response.body().startswith(b"%PDF")

    page.goto(f"{live_server.url}{download_path}")
    expect(page).to_have_url(f"{login_url}?next={quote(download_path)}")
    expect(page.locator('input[name="username"]')).to_be_visible()
