"""The admin's download links: staff see every link with its state and uses, each use's time, address and
browser, an invoice's links on its page, and revoke links; nothing else can be changed."""

import pytest

from invoices import links
from invoices.models import DownloadLink
from tests.links.conftest import body_of, path_of


@pytest.fixture
def staff(client, make_user):
    client.force_login(make_user("staff@example.com", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def used_link(ann_invoice, client) -> DownloadLink:
    link = links.link_create(invoice=ann_invoice, fmt="pdf", expires_in=3600)
    body_of(
        client.get(path_of(links.link_url(link)), REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Thunderbird/1")
    )
    client.logout()
    return link


def test_the_list_shows_the_invoice_format_state_and_uses(used_link, staff):
    page = staff.get("/admin/invoices/downloadlink/").content.decode()

    assert used_link.invoice.number in page
    assert "active" in page
    assert '<td class="field-uses">1</td>' in page


@pytest.mark.parametrize("term", ["number", "invoice id", "link id", "not-a-uuid"])
def test_search_by_number_or_id(used_link, staff, term):
    value = {
        "number": used_link.invoice.number,
        "invoice id": str(used_link.invoice_id),
        "link id": str(used_link.id),
        "not-a-uuid": "INV-none",
    }[term]

    page = staff.get("/admin/invoices/downloadlink/", {"q": value}).content.decode()

    found = used_link.invoice.number in page.split("<tbody>")[-1] if "<tbody>" in page else False
    assert found == (term != "not-a-uuid")


def test_a_links_page_lists_its_uses_with_address_and_agent(used_link, staff):
    page = staff.get(f"/admin/invoices/downloadlink/{used_link.id}/change/").content.decode()

    assert "203.0.113.7" in page
    assert "Thunderbird/1" in page


def test_the_invoice_page_shows_its_links(used_link, staff):
    page = staff.get(f"/admin/invoices/invoice/{used_link.invoice_id}/change/").content.decode()

    assert f"/admin/invoices/downloadlink/{used_link.id}/change/" in page


def test_staff_revoke_selected_links(used_link, ann_invoice, staff, client):
    other = links.link_create(invoice=ann_invoice, fmt="csv", expires_in=3600)

    response = staff.post(
        "/admin/invoices/downloadlink/",
        {"action": "revoke_selected", "_selected_action": [str(used_link.id)]},
        follow=True,
    )

    assert "1 link revoked." in response.content.decode()
    staff.logout()
    assert client.get(path_of(links.link_url(used_link))).status_code == 410
    assert client.get(path_of(links.link_url(other))).status_code == 200


def test_links_cannot_be_added_changed_or_deleted_in_the_admin(used_link, staff):
    assert staff.get("/admin/invoices/downloadlink/add/").status_code == 403
    assert (
        staff.post(f"/admin/invoices/downloadlink/{used_link.id}/change/", {"format": "csv"}).status_code
        == 403
    )
    assert staff.get(f"/admin/invoices/downloadlink/{used_link.id}/delete/").status_code == 403
    assert DownloadLink.objects.get(pk=used_link.pk).format == "pdf"
