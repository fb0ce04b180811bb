"""The admin's ledger: entries read-only (no add, change, delete), filterable by kind and owner; the invoice's
page lists its entries."""

import pytest

from invoices.models import LedgerEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, make_user):
    client.force_login(make_user("staff@example.com", is_staff=True, is_superuser=True))
    return client


def test_the_list_filters_by_kind_and_owner(user, make_user, issued, staff):
    ann_invoice = issued(user, ["csv"])
    bob = make_user("bob@example.com")
    bob_invoice = issued(bob, ["csv"])
    page = staff.get("/admin/invoices/ledgerentry/").content.decode()
    assert ann_invoice.number in page
    assert bob_invoice.number in page
    assert f"?owner__id__exact={user.pk}" in page  # the owner column opens that owner's chain
    anns = staff.get(f"/admin/invoices/ledgerentry/?owner__id__exact={user.pk}").content.decode()
    assert ann_invoice.number in anns
    assert bob_invoice.number not in anns
    issued_only = staff.get("/admin/invoices/ledgerentry/?kind__exact=issued").content.decode()
    assert issued_only.count('class="field-kind">Issued<') == 2
    assert 'class="field-kind">Rendition<' not in issued_only


def test_an_entry_cannot_be_added_changed_or_deleted(user, issued, staff):
    issued(user, ["csv"])
    entry = LedgerEntry.objects.get(owner=user, position=2)
    page = staff.get(f"/admin/invoices/ledgerentry/{entry.id}/change/")
    assert page.status_code == 200
    assert entry.entry_hash in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert staff.get("/admin/invoices/ledgerentry/add/").status_code == 403
    assert staff.post(f"/admin/invoices/ledgerentry/{entry.id}/change/", {"number": "X"}).status_code == 403
    assert staff.post(f"/admin/invoices/ledgerentry/{entry.id}/delete/", {"post": "yes"}).status_code == 403
    assert LedgerEntry.objects.get(id=entry.id).number == entry.number


def test_the_invoice_page_lists_its_entries(user, issued, staff):
    invoice = issued(user, ["csv", "xlsx"])
    page = staff.get(f"/admin/invoices/invoice/{invoice.id}/change/").content.decode()
    for entry in LedgerEntry.objects.filter(invoice=invoice):
        assert entry.entry_hash in page
    assert "ledger entries (get /api/invoices/{id}/proof/" in page.lower()
