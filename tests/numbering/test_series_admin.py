"""The number series admin: staff see each account's series with its counters, and change nothing."""

import pytest

from invoices.models import NumberSeriesCounter
from tests.numbering.conftest import post_invoice, series_payload


@pytest.fixture
def staff(client, make_user):
    client.force_login(make_user("staff@example.com", is_staff=True, is_superuser=True))
    return client


def test_staff_see_the_series_and_its_counters(staff, auth, series):
    post_invoice(auth, series_payload(issue_date="2026-05-01"))
    post_invoice(auth, series_payload(issue_date="2027-05-01"))

    listing = staff.get("/admin/invoices/numberseries/").content.decode()
    page = staff.get(f"/admin/invoices/numberseries/{series.id}/change/").content.decode()

    assert "INV-{YYYY}-{seq:05}" in listing
    assert "owner@example.com" in listing
    assert "2026: 1, 2027: 1" in listing
    assert "Save" not in page  # a view page: nothing to change


def test_the_admin_neither_adds_changes_nor_deletes_a_series(staff, series):
    NumberSeriesCounter.objects.create(series=series, period=2026, last_value=7)

    add = staff.get("/admin/invoices/numberseries/add/")
    post = staff.post(f"/admin/invoices/numberseries/{series.id}/change/", {"pattern": "X-{seq}"})
    delete = staff.get(f"/admin/invoices/numberseries/{series.id}/delete/")

    assert add.status_code == 403
    assert post.status_code == 403
    assert delete.status_code == 403
    series.refresh_from_db()
    assert series.pattern == "INV-{YYYY}-{seq:05}"
