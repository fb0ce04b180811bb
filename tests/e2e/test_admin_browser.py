"""The admin in a real browser: staff find an invoice and download its file; other users get nothing.

Headless Debian Chromium (tests/e2e/browser.py) against pytest-django's live server, the real PostgreSQL
and a fresh GridFS database on the MongoDB-compatible server. The invoice is rendered in-process (AMQP_URL
empty) before the browser opens.

Each run writes what staff see at 1280 x 800 to var/screenshots/ (git-ignored): admin-index.png (the
dashboard), admin-invoice-list.png and admin-invoice-page.png. Look at them after changing the admin.
"""

import hashlib
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from accounts.models import User
from invoices import services
from invoices.models import Invoice, InvoiceStatus, Notification
from tests.payloads import SAMPLE_TOTALS, sample_payload
from workers.models import OutboxMessage

pytest_plugins = ["tests.e2e.browser"]  # the `page` fixture

NUMBER = "INV-2026-0042"
OWNER_EMAIL = "owner@example.com"
STAFF_EMAIL = "staff@example.com"
BUYER = "Müller & Söhne GmbH"  # the sample's buyer
GROSS = f"{SAMPLE_TOTALS['gross']:,} EUR"  # "1,189.83 EUR"
FAILURE_REASON = "The stored input no longer validates: invoice.currency: XYZ is not an ISO 4217 code"
# A first attempt the mail server refused before the email went out: the inline shows its start only.
EARLIER_ERROR = (
    "SMTPRecipientsRefused: {'owner@example.com': (450, b'4.2.0 <owner@example.com>: Recipient address "
    "rejected: Greylisted, see https://postgrey.schweikert.ch/help/example.com.html')}"
)
# Overwritten by every run (var/ is git-ignored); look at them to see what staff see.
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


@pytest.fixture
def ready_invoice(transactional_db, settings, invoices_gridfs_storage, make_user) -> Invoice:
    """A PDF invoice rendered by the real pipeline, run in-process after commit (no broker)."""
    settings.AMQP_URL = ""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    owner = make_user(OWNER_EMAIL)
    submission = services.invoice_submit(owner=owner, payload=sample_payload(fmt="pdf"))
    invoice = Invoice.objects.select_related("owner").get(pk=submission.invoice.pk)
    assert invoice.status == InvoiceStatus.READY, f"{invoice.status}: {invoice.failure_reason}"
    rendition = invoice.renditions.get()
    assert invoices_gridfs_storage.exists(rendition.file_name)
    invoice.pdf = rendition  # type: ignore[attr-defined]  # read here: no ORM call once the browser runs
    return invoice


@pytest.fixture
def busy_admin(ready_invoice) -> Invoice:
    """Beside the ready invoice: a failed one, an unpublished job, and an email retried once before it went.

    What the dashboard and the notifications inline have to show; made before the browser opens.
    """
    Notification.objects.filter(invoice=ready_invoice).update(attempts=2, last_error=EARLIER_ERROR)
    payload = sample_payload(fmt="csv")
    payload["invoice"]["number"] = "INV-2026-0043"  # a number is issued once
    failed = services.invoice_submit(owner=ready_invoice.owner, payload=payload).invoice
    Invoice.objects.filter(pk=failed.pk).update(status=InvoiceStatus.FAILED, failure_reason=FAILURE_REASON)
    OutboxMessage.objects.create(queue="render", payload={"invoice_id": str(failed.pk)})
    return ready_invoice


@pytest.fixture
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


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
    live_server, busy_admin, staff_user, password, screenshots, page: Page, tmp_path: Path
):
    ready_invoice = busy_admin
    admin_sign_in(page, live_server.url, STAFF_EMAIL, password)
    expect(page).to_have_url(f"{live_server.url}/admin/")
    expect(page.locator("#user-tools")).to_contain_text(STAFF_EMAIL)

    # The dashboard: today's two uploads, one failed with its reason, one job waiting for the broker.
    dashboard = page.locator("#invoices-dashboard")
    expect(dashboard.locator(".dashboard-status-ready .dashboard-count")).to_have_text("1")
    expect(dashboard.locator(".dashboard-status-failed .dashboard-count")).to_have_text("1")
    expect(dashboard.locator("#dashboard-outbox .dashboard-count")).to_have_text("1")
    expect(dashboard.locator("#dashboard-failures")).to_contain_text("INV-2026-0043")
    expect(dashboard.locator("#dashboard-failures")).to_contain_text("no longer validates")
    page.screenshot(path=screenshots / "admin-index.png", full_page=True)

    page.goto(f"{live_server.url}/admin/invoices/invoice/")
    page.fill("#searchbar", NUMBER)
    page.press("#searchbar", "Enter")
    expect(page).to_have_url(f"{live_server.url}/admin/invoices/invoice/?q={NUMBER}")

    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row.locator(".field-number")).to_have_text(NUMBER)
    expect(row.locator(".field-owner")).to_have_text(OWNER_EMAIL)
    expect(row.locator(".field-buyer")).to_have_text(BUYER)
    expect(row.locator(".field-total")).to_have_text(GROSS)
    expect(row.locator(".field-status")).to_have_text("ready", ignore_case=True)  # the label is "Ready"
    link = row.locator(".field-file a")
    expect(link).to_have_text("PDF")
    download_path = reverse("admin:invoices_invoice_download_format", args=[ready_invoice.pk, "pdf"])
    expect(link).to_have_attribute("href", download_path)
    assert_on_one_line(
        row.locator(".field-number"), row.locator(".field-total"), row.locator(".field-created")
    )
    assert_fits_the_window(page)
    assert_no_sideways_scrolling(page.locator("#changelist .results"))

    # The admin's own stylesheet is served and applied (the header is coloured, not the browser default).
    header_colour = page.locator("#header").evaluate("el => getComputedStyle(el).backgroundColor")
    assert header_colour not in ("", "rgba(0, 0, 0, 0)", "transparent"), header_colour
    page.goto(f"{live_server.url}/admin/invoices/invoice/")  # every invoice, for the screenshot
    page.screenshot(path=screenshots / "admin-invoice-list.png", full_page=True)

    with page.expect_download() as download_info:
        page.locator(f'#result_list a[href="{download_path}"]').click()
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename == f"{NUMBER}.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    content = saved.read_bytes()
    assert content.startswith(b"%PDF")
    assert hashlib.sha256(content).hexdigest() == ready_invoice.pdf.sha256
    assert "1.189,83 €" in pdftotext(saved)  # SAMPLE_TOTALS' gross in the sample's locale, en-DE


def test_the_invoice_page_is_read_only_and_fits_the_window(
    live_server, busy_admin, staff_user, password, screenshots, page: Page
):
    admin_sign_in(page, live_server.url, STAFF_EMAIL, password)
    page.goto(f"{live_server.url}{reverse('admin:invoices_invoice_change', args=[busy_admin.pk])}")

    expect(page.locator(".field-gross .readonly")).to_have_text(GROSS)
    expect(page.locator(".field-buyer .readonly")).to_have_text(BUYER)
    expect(page.locator('input[type="submit"]')).to_have_count(0)  # no Save, Save and continue, Save and add
    expect(page.locator(".deletelink")).to_have_count(0)
    expect(page.locator("#renditions-group .field-file a")).to_have_text(f"download {NUMBER}.pdf")
    expect(page.locator("#renditions-group .field-status")).to_have_text("ready", ignore_case=True)
    inline = page.locator("#notifications-group")
    expect(inline.locator(".field-recipient")).to_have_text(OWNER_EMAIL)
    error = inline.locator(".field-error span")
    expect(error).to_have_attribute("title", EARLIER_ERROR)  # the whole text on hover
    expect(error).to_contain_text("SMTPRecipientsRefused")
    assert_fits_the_window(page)
    page.screenshot(path=screenshots / "admin-invoice-page.png", full_page=True)


def assert_on_one_line(*cells: Locator) -> None:
    """Numbers, totals and dates are read wrong when wrapped: each cell is one line of text high."""
    for cell in cells:
        lines = cell.evaluate(
            "el => { const r = document.createRange(); r.selectNodeContents(el);"
            " return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size; }"
        )
        assert lines == 1, f"{cell} wraps onto {lines} lines"


def assert_no_sideways_scrolling(box: Locator) -> None:
    """The list's table fits its box: no column hidden behind a horizontal scroll bar."""
    scroll_width, client_width = box.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert scroll_width <= client_width, f"the table is {scroll_width} px wide in a {client_width} px box"


def assert_fits_the_window(page: Page) -> None:
    """Nothing runs off the page at 1280 px: no horizontal scrolling."""
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page is {widths[0]} px wide in a {widths[1]} px window"


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
