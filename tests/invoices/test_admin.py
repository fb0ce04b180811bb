"""The invoices admin: the list staff read first, the read-only invoice page, and the index dashboard."""

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from invoices import services
from invoices.admin import money
from invoices.dashboard import today_start
from invoices.models import Invoice, InvoiceStatus, Notification, NotificationKind, Rendition
from tests.payloads import sample_payload
from workers.models import OutboxMessage

LIST = "/admin/invoices/invoice/"


@pytest.fixture
def owner(make_user):
    return make_user("owner@example.com")


@pytest.fixture
def staff(client, make_user):
    client.force_login(make_user("staff@example.com", is_staff=True, is_superuser=True))
    return client


def make_invoice(owner, number: str, **fields: Any) -> Invoice:
    """An invoice row as the services leave it, with a current-format input naming ``buyer``, and its one
    rendition in the same status (``renditions`` lists others: ``(format, status)``)."""
    buyer = fields.pop("buyer", "Müller & Söhne GmbH")
    others = fields.pop("renditions", ())
    values: dict[str, Any] = {
        "format": "pdf",
        "status": InvoiceStatus.READY,
        "currency": "EUR",
        "total_net": Decimal("1000"),
        "total_tax": Decimal("250"),
        "total_gross": Decimal("1250"),
        "input": {"format": "pdf", "invoice": {"number": number, "buyer": {"name": buyer}}},
    }
    values.update(fields)
    invoice = Invoice.objects.create(owner=owner, number=number, formats=[values["format"]], **values)
    for position, (fmt, status) in enumerate([(values["format"], values["status"]), *others]):
        ready = status == InvoiceStatus.READY
        Rendition.objects.create(
            invoice=invoice,
            format=fmt,
            position=position,
            status=status,
            failure_reason=values.get("failure_reason", ""),
            file_name=f"{invoice.id}/{fmt}-file" if ready else "",
            download_name=f"{number}.{fmt}" if ready else "",
            size=1234 if ready else None,
            sha256="ab" * 32 if ready else "",
        )
    return invoice


def backdate(model: type[Model], pk: object, **moments: Any) -> None:
    """Set auto_now(_add) timestamps, which create() and save() overwrite."""
    model._default_manager.filter(pk=pk).update(**moments)


def rows(response) -> list[str]:
    return [str(invoice.number) for invoice in response.context["cl"].result_list]


# --- The list -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "code", "shown"),
    [
        (Decimal("1250.0000"), "EUR", "1,250.00 EUR"),
        (Decimal("1250.0000"), "JPY", "1,250 JPY"),
        (Decimal("1250.5000"), "KWD", "1,250.500 KWD"),
        (Decimal("-3.5000"), "USD", "-3.50 USD"),
        (Decimal("0.0000"), "EUR", "0.00 EUR"),
    ],
)
def test_totals_are_shown_with_the_currencys_decimals_and_grouped_thousands(amount, code, shown):
    assert money(amount, code) == shown


def test_the_list_shows_number_owner_buyer_formatted_total_status_and_created(staff, owner):
    make_invoice(owner, "INV-EUR-1", total_gross=Decimal("1250"))
    make_invoice(owner, "INV-JPY-1", currency="JPY", total_gross=Decimal("125000"))
    make_invoice(owner, "INV-KWD-1", currency="KWD", total_gross=Decimal("1250.125"))

    html = staff.get(LIST).content.decode()

    headers = re.findall(r'<th scope="col" class="[^"]*column-(\w+)', html)
    assert headers == ["number", "owner", "buyer", "total", "status", "file", "created"]
    assert "owner@example.com" in html
    assert "Müller &amp; Söhne GmbH" in html
    assert "1,250.00 EUR" in html
    assert "125,000 JPY" in html
    assert "1,250.125 KWD" in html
    assert "1250.0000" not in html
    assert timezone.localtime().strftime("%Y-%m-%d") in html
    assert "invoices/admin/admin.css" in html  # the no-wrap rules for numbers, totals and dates


def test_the_buyer_of_a_legacy_flat_upload_is_its_bill_to_name_or_company(staff, owner):
    make_invoice(owner, "INV-LEGACY-1", input={"invoice_no": "INV-LEGACY-1", "bill_to_name": "John Doe"})
    make_invoice(
        owner, "INV-LEGACY-2", input={"invoice_no": "INV-LEGACY-2", "bill_to_company": "Future Corp"}
    )

    html = staff.get(LIST).content.decode()

    assert "John Doe" in html
    assert "Future Corp" in html


def test_a_ready_invoice_links_its_file_from_the_list(staff, owner):
    ready = make_invoice(owner, "INV-READY")
    make_invoice(owner, "INV-QUEUED", status=InvoiceStatus.QUEUED)

    html = staff.get(LIST).content.decode()

    assert f'href="/admin/invoices/invoice/{ready.pk}/download/pdf/"' in html
    assert html.count("/download/") == 1


def test_the_list_links_each_ready_rendition_and_names_the_others(staff, owner):
    invoice = make_invoice(
        owner, "INV-MANY", status=InvoiceStatus.FAILED, renditions=[("csv", "ready"), ("ubl", "queued")]
    )
    Rendition.objects.filter(invoice=invoice, format="pdf").update(status=InvoiceStatus.FAILED)

    html = staff.get(LIST).content.decode()

    assert f'href="/admin/invoices/invoice/{invoice.pk}/download/csv/"' in html
    assert html.count("/download/") == 1
    assert '<span title="failed">PDF</span>' in html
    assert '<span title="queued">UBL 2.1</span>' in html


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("INV-2026-0001", ["INV-2026-0001"]),
        ("müller", ["INV-2026-0001"]),  # the buyer, read from the stored input, case-insensitive
        ("ACME", ["INV-2026-0002"]),
        ("other@example.com", ["INV-2026-0002"]),  # the owner's email
        ("nobody", []),
    ],
)
def test_search_by_number_buyer_and_owner_email(staff, owner, make_user, term, found):
    make_invoice(owner, "INV-2026-0001", buyer="Müller & Söhne GmbH")
    make_invoice(make_user("other@example.com"), "INV-2026-0002", buyer="Acme Ltd")

    response = staff.get(LIST, {"q": term})

    assert response.status_code == 200
    assert rows(response) == found


def test_filters_by_status_format_and_created_date(staff, owner):
    make_invoice(owner, "INV-PDF-READY")
    make_invoice(owner, "INV-CSV-FAILED", format="csv", status=InvoiceStatus.FAILED)
    old = make_invoice(owner, "INV-OLD", format="xlsx")
    backdate(Invoice, old.pk, created_at=timezone.now() - timedelta(days=40))
    midnight = today_start()

    assert rows(staff.get(LIST, {"status__exact": "failed"})) == ["INV-CSV-FAILED"]
    assert rows(staff.get(LIST, {"format__exact": "xlsx"})) == ["INV-OLD"]
    assert rows(staff.get(LIST, {"renditions__format__exact": "csv"})) == ["INV-CSV-FAILED"]
    today = {"created_at__gte": str(midnight), "created_at__lt": str(midnight + timedelta(days=1))}
    assert sorted(rows(staff.get(LIST, today))) == ["INV-CSV-FAILED", "INV-PDF-READY"]


def test_the_list_costs_the_same_queries_for_many_invoices_and_reads_no_stored_input(
    staff, owner, django_assert_max_num_queries
):
    make_invoice(owner, "INV-0")
    with CaptureQueriesContext(connection) as few:
        staff.get(LIST)
    for n in range(1, 30):
        make_invoice(owner, f"INV-{n}", status=InvoiceStatus.READY if n % 2 else InvoiceStatus.FAILED)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = staff.get(LIST)

    assert len(rows(response)) == 30
    assert all("input" in invoice.get_deferred_fields() for invoice in response.context["cl"].result_list)


# --- The invoice page ---------------------------------------------------------------------------------


def test_the_invoice_page_is_read_only(staff, owner):
    invoice = make_invoice(owner, "INV-RO")
    url = f"{LIST}{invoice.pk}/change/"

    html = staff.get(url).content.decode()

    for button in ("_save", "_continue", "_addanother", "_saveasnew"):
        assert f'name="{button}"' not in html
    assert f"{LIST}{invoice.pk}/delete/" not in html  # issued invoices are kept: no delete either
    assert "1,250.00 EUR" in html
    assert "Müller &amp; Söhne GmbH" in html
    assert f'href="/admin/invoices/invoice/{invoice.pk}/download/pdf/"' in html


def test_the_invoice_page_lists_every_rendition_read_only(staff, owner):
    invoice = make_invoice(owner, "INV-R", renditions=[("csv", "ready"), ("xlsx", "failed")])
    Rendition.objects.filter(invoice=invoice, format="xlsx").update(failure_reason="The renderer crashed.")

    html = staff.get(f"{LIST}{invoice.pk}/change/").content.decode()

    assert "download INV-R.pdf" in html
    assert f'href="/admin/invoices/invoice/{invoice.pk}/download/csv/"' in html
    assert "The renderer crashed." in html
    assert 'name="renditions-0-format"' not in html  # no form input: the inline is read-only


def test_a_post_to_the_invoice_page_is_refused_and_changes_nothing(staff, owner):
    invoice = make_invoice(owner, "INV-RO")

    response = staff.post(f"{LIST}{invoice.pk}/change/", {"number": "CHANGED", "status": "queued"})

    assert response.status_code == 403
    invoice.refresh_from_db()
    assert (invoice.number, invoice.status) == ("INV-RO", InvoiceStatus.READY)
    assert staff.post(f"{LIST}{invoice.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Invoice.objects.filter(pk=invoice.pk).exists()


def test_the_notifications_inline_shows_a_short_error_with_the_whole_text_on_hover(staff, owner):
    invoice = make_invoice(owner, "INV-MAIL")
    error = "SMTP 451 4.7.1 greylisted, try again later; " + "x" * 300
    notification = Notification.objects.create(
        invoice=invoice, kind=NotificationKind.READY, recipient=owner.email, attempts=3, last_error=error
    )

    html = staff.get(f"{LIST}{invoice.pk}/change/").content.decode()

    assert f'title="{error}"' in html
    assert error not in re.sub(r'title="[^"]*"', "", html)  # the cell itself shows only the start
    assert "SMTP 451 4.7.1 greylisted" in html
    assert f'href="/admin/invoices/notification/{notification.pk}/change/"' in html
    assert "provider_message_id" not in html  # one of the columns moved to the details page


# --- The dashboard ------------------------------------------------------------------------------------


@pytest.fixture
def busy_day(owner):
    """Invoices in each status today, one from yesterday, jobs and emails waiting or given up on."""
    now = timezone.now()
    for n, status in enumerate(["queued", "rendering", "rendering", "ready", "ready", "ready", "failed"]):
        make_invoice(owner, f"INV-TODAY-{n}", status=status)
    stuck = Invoice.objects.get(number="INV-TODAY-0")
    backdate(Invoice, stuck.pk, updated_at=now - timedelta(hours=2, minutes=5))
    failed = make_invoice(owner, "INV-YESTERDAY", status=InvoiceStatus.FAILED,
                          failure_reason="stored input no longer validates: currency XYZ")  # fmt: skip
    backdate(Invoice, failed.pk, created_at=today_start() - timedelta(hours=1))

    old = OutboxMessage.objects.create(queue="render", payload={"invoice_id": "a"})
    backdate(OutboxMessage, old.pk, created_at=now - timedelta(minutes=45))
    OutboxMessage.objects.create(queue="render", payload={"invoice_id": "b"})
    OutboxMessage.objects.create(queue="notify", payload={"invoice_id": "c"}, sent_at=now)

    ready = Invoice.objects.filter(status=InvoiceStatus.READY).order_by("number")
    Notification.objects.create(invoice=ready[0], kind="ready", recipient=owner.email)
    Notification.objects.create(invoice=ready[1], kind="ready", recipient=owner.email, sent_at=now)
    Notification.objects.create(invoice=ready[2], kind="ready", recipient=owner.email, failed_at=now,
                                last_error="550 mailbox unavailable")  # fmt: skip
    return failed


def dashboard_row(html: str, row_id: str) -> str:
    match = re.search(rf'<tr id="{row_id}">(.*?)</tr>', html, re.S)
    assert match, f"no row {row_id}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def test_the_admin_index_shows_todays_invoices_waiting_work_and_failures(staff, busy_day):
    response = staff.get("/admin/")
    html = response.content.decode()

    counts = {
        row.status: row.count for row in response.context["board"].today_by_status
    }  # yesterday's failure is not today's
    assert counts == {"queued": 1, "rendering": 2, "ready": 3, "failed": 1}
    for status, count in counts.items():
        cell = rf'dashboard-status-{status}">.*?<td class="dashboard-count">{count}</td>'
        assert re.search(cell, html, re.S), status
    in_flight = dashboard_row(html, "dashboard-in-flight")
    assert in_flight.startswith("Invoices queued or rendering 3 oldest waiting 2 hours, 5 minutes")
    outbox = dashboard_row(html, "dashboard-outbox")
    assert outbox.startswith("Jobs not yet published (outbox) 2 oldest waiting 45 minutes")
    assert dashboard_row(html, "dashboard-emails-unsent").startswith("Emails not sent yet 1 oldest waiting")
    assert dashboard_row(html, "dashboard-emails-failed") == "Emails given up on 1"
    assert "stored input no longer validates: currency XYZ" in html
    assert f'href="/admin/invoices/invoice/{busy_day.pk}/change/"' in html
    assert "Recent actions" in html  # the stock index is still there underneath


def test_the_dashboard_counts_the_renditions_waiting_per_format_and_names_the_failed_ones(
    staff, busy_day, owner
):
    make_invoice(owner, "INV-TWO", status=InvoiceStatus.FAILED, renditions=[("ubl", "queued")])

    html = staff.get("/admin/").content.decode()

    assert dashboard_row(html, "dashboard-renditions-pdf").startswith(
        "PDF files queued or rendering 3 oldest"
    )
    assert dashboard_row(html, "dashboard-renditions-ubl").startswith("UBL 2.1 files queued or rendering 1")
    failures = re.search(r'id="dashboard-failures">(.*?)</div>', html, re.S)
    assert failures
    assert re.search(r'dashboard-formats nowrap">\s*pdf\s*<', failures.group(1))


def test_the_dashboards_links_open_the_matching_admin_lists(staff, busy_day):
    html = staff.get("/admin/").content.decode()
    links = dict(re.findall(r'<a href="([^"]+)">([^<]+)</a>', html.replace("&amp;", "&")))
    by_text = {text: href for href, text in links.items()}

    assert len(rows(staff.get(by_text["Rendering"]))) == 2
    assert len(rows(staff.get(by_text["Invoices queued or rendering"]))) == 3
    assert staff.get(by_text["Emails not sent yet"]).context["cl"].result_count == 1
    assert staff.get(by_text["Emails given up on"]).context["cl"].result_count == 1
    assert staff.get(by_text["Jobs not yet published (outbox)"]).context["cl"].result_count == 2


def test_the_dashboard_is_a_fixed_handful_of_queries(staff, owner, busy_day, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as before:
        staff.get("/admin/")
    for n in range(20):
        make_invoice(owner, f"INV-MORE-{n}", status=InvoiceStatus.FAILED, failure_reason="boom")

    with django_assert_max_num_queries(len(before.captured_queries)):
        staff.get("/admin/")


def test_staff_without_invoice_permission_see_no_dashboard(client, make_user, busy_day):
    client.force_login(make_user("helpdesk@example.com", is_staff=True))

    response = client.get("/admin/")

    assert response.status_code == 200
    assert "invoices-dashboard" not in response.content.decode()
    assert "stored input no longer validates" not in response.content.decode()


def test_the_dashboard_is_empty_but_shown_on_a_quiet_day(staff):
    html = staff.get("/admin/").content.decode()

    assert 'id="invoices-dashboard"' in html
    assert dashboard_row(html, "dashboard-outbox") == "Jobs not yet published (outbox) 0 none"
    assert "No failed invoice." in html


def test_an_invoice_is_named_with_every_format_asked_for(user, local_invoice_storage):
    payload = sample_payload()
    payload.pop("format", None)
    payload["formats"] = ["pdf", "xlsx", "csv"]

    invoice = services.invoice_submit(owner=user, payload=payload).invoice

    assert str(invoice) == f"{invoice.number} (pdf, xlsx, csv; queued)"
