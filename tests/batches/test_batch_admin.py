"""The admin lists batches read-only, with their counts and email state, and links each to its invoices."""

import pytest

from invoices import services
from invoices.models import Invoice
from tests.batches.conftest import documents, post_batch


@pytest.fixture
def staff(client, make_user):
    client.force_login(make_user("staff@example.com", is_staff=True, is_superuser=True))
    return client


def test_the_list_shows_owner_counts_and_a_link_to_the_batchs_invoices(staff, auth, owner):
    body = post_batch(auth, documents(3)).json()
    services.invoice_fail(invoice_id=body["items"][0]["id"], reason="no")
    other = post_batch(auth, documents(2, prefix="OTHER")).json()

    page = staff.get("/admin/invoices/invoicebatch/")

    assert page.status_code == 200
    html = page.content.decode()
    assert owner.email in html
    assert "2 queued, 1 failed" in html
    assert f"?batch__id__exact={body['id']}" in html

    invoices = staff.get(f"/admin/invoices/invoice/?batch__id__exact={body['id']}")
    assert invoices.status_code == 200
    listed = invoices.content.decode()
    assert all(f"B-000{index}" in listed for index in range(3))
    assert "OTHER-" not in listed
    assert Invoice.objects.filter(batch_id=other["id"]).count() == 2


def test_a_batch_page_is_read_only(staff, auth):
    body = post_batch(auth, documents(1)).json()
    url = f"/admin/invoices/invoicebatch/{body['id']}/change/"

    page = staff.get(url)

    assert page.status_code == 200
    assert "1 queued" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert staff.post(url, {"atomic": "on"}).status_code == 403
    assert staff.get("/admin/invoices/invoicebatch/add/").status_code == 403
