"""The reads written as fixed SQL give the very instances the ORM gives: every field, converted the same
way (JSON documents as dicts, times aware, decimals exact), the related instances attached."""

import uuid

import pytest
from django.db import connection
from django.forms.models import model_to_dict

from invoices import render_sql, selectors, services
from invoices.models import Invoice, Notification, NumberSeries
from invoices.notifications import _locked
from tests.payloads import sample_payload


@pytest.fixture
def three_formats(user, local_invoice_storage):
    """An invoice uploaded with three formats: three renditions, queued."""
    payload = sample_payload()
    payload.pop("format", None)
    payload["formats"] = ["pdf", "csv", "xlsx"]
    return services.invoice_submit(owner=user, payload=payload).invoice


@pytest.fixture
def postgresql(db):
    """The claim goes with the read in one message on PostgreSQL only (elsewhere the caller claims)."""
    if connection.vendor != "postgresql":
        pytest.fail("this test needs PostgreSQL (DATABASE_URL=postgres://...)", pytrace=False)


def _same(ours, orms) -> None:
    assert type(ours) is type(orms)
    assert model_to_dict(ours) == model_to_dict(orms)
    for field in type(ours)._meta.concrete_fields:
        if field.attname in ours.get_deferred_fields():
            continue
        assert getattr(ours, field.attname) == getattr(orms, field.attname), field.name


def test_the_render_reads_the_invoice_and_its_owner_as_the_orm_does(user, local_invoice_storage):
    invoice = services.invoice_submit(owner=user, payload=sample_payload(fmt="csv")).invoice
    ours = services._invoice_with_owner(invoice.id)
    assert ours is not None
    orms = Invoice.objects.select_related("owner").get(id=invoice.id)
    _same(ours, orms)
    assert isinstance(ours.input, dict)
    assert ours.input == orms.input
    assert Invoice.owner.is_cached(ours)
    _same(ours.owner, orms.owner)


def test_the_render_reads_the_renditions_as_the_orm_does(three_formats, django_assert_num_queries):
    invoice = three_formats
    ours = selectors.renditions_of(invoice)
    orms = list(invoice.renditions.all())
    assert [rendition.pk for rendition in ours] == [rendition.pk for rendition in orms]
    assert [rendition.format for rendition in ours] == ["pdf", "csv", "xlsx"]
    for mine, theirs in zip(ours, orms, strict=True):
        _same(mine, theirs)
    with django_assert_num_queries(0):  # each knows its invoice, as the related manager's do
        assert all(rendition.invoice is invoice for rendition in ours)


def test_the_claim_s_read_gives_the_invoice_its_owner_and_renditions_as_the_orm_does(
    postgresql, three_formats, django_assert_num_queries
):
    invoice = three_formats

    with django_assert_num_queries(1):  # the claim and the read: one message
        ours, renditions, claimed = services._read_and_claim(invoice.id, "csv")

    assert claimed
    assert ours is not None
    orms = Invoice.objects.select_related("owner").get(id=invoice.id)
    _same(ours, orms)
    assert ours.status == "rendering"  # read after the claim
    assert ours.input == orms.input
    _same(ours.owner, orms.owner)
    theirs = list(orms.renditions.all())
    assert [rendition.format for rendition in renditions] == ["pdf", "csv", "xlsx"]
    for mine, orm in zip(renditions, theirs, strict=True):
        _same(mine, orm)
        assert mine.invoice is ours
    assert [rendition.attempts for rendition in renditions] == [0, 1, 0]  # only csv claimed


def test_the_claim_s_read_sends_the_stored_input_once(postgresql, three_formats):
    invoice = three_formats
    with connection.cursor() as cursor:
        cursor.execute(render_sql.claimed_invoice_sql(), [invoice.id])
        rows = cursor.fetchall()
    at = [field.name for field in render_sql.invoice_with_owner_fields()[0]].index("input")
    assert len(rows) == 3
    assert rows[0][at] is not None
    assert [row[at] for row in rows[1:]] == [None, None]


def test_an_invoice_without_renditions_reads_with_none(user, local_invoice_storage):
    invoice = services.invoice_submit(owner=user, payload=sample_payload(fmt="csv")).invoice
    invoice.renditions.all().delete()
    ours, renditions, _claimed = services._read_and_claim(invoice.id, "csv")
    assert ours is not None
    assert ours.id == invoice.id
    assert renditions == []


def test_an_unknown_invoice_reads_as_none_with_its_claim(db):
    assert services._read_and_claim(uuid.UUID(int=0), "pdf")[:2] == (None, [])


def test_an_unknown_invoice_reads_as_none(db):
    assert services._invoice_with_owner(uuid.UUID(int=0)) is None


def test_the_email_reads_its_notification_invoice_and_owner_as_the_orm_does(user, local_invoice_storage):
    invoice = services.invoice_submit(owner=user, payload=sample_payload(fmt="csv")).invoice
    services.invoice_render(invoice_id=invoice.id)
    ours = _locked(invoice.id, "ready")
    orms = Notification.objects.select_related("invoice__owner").get(invoice_id=invoice.id, kind="ready")
    _same(ours, orms)
    assert ours.invoice.get_deferred_fields() == {"input"}  # the document is never read for an email
    _same(ours.invoice, orms.invoice)
    _same(ours.invoice.owner, orms.invoice.owner)


@pytest.fixture
def listed(user, make_user, local_invoice_storage):
    """Five invoices of ``user`` in mixed formats and statuses, two numbered by a series, and one of another
    owner; the ORM's query for the list as it was before the fixed statements."""
    NumberSeries.objects.create(owner=user, code="INV", pattern="INV-{YYYY}-{seq:05}")
    for index, formats in enumerate((["pdf"], ["csv", "xlsx"], ["xlsx"], ["pdf", "csv"], ["csv"])):
        payload = sample_payload()
        payload.pop("format", None)
        payload["formats"] = formats
        if index in (1, 3):
            del payload["invoice"]["number"]
            payload["invoice"]["series"] = "INV"
            payload["invoice"].pop("due_date", None)
        else:
            payload["invoice"]["number"] = f"LIST-{index}"
        services.invoice_submit(owner=user, payload=payload)
    services.invoice_submit(owner=make_user("other@example.com"), payload=sample_payload(fmt="csv"))
    Invoice.objects.filter(owner=user, number__in=["LIST-0", "LIST-4"]).update(status="ready")

    def orm(status=None, fmt=None):
        queryset = Invoice.objects.filter(owner=user).defer("input").order_by("-created_at", "-id")
        queryset = queryset.select_related("series").prefetch_related("renditions")
        if status:
            queryset = queryset.filter(status=status)
        return queryset.filter(renditions__format=fmt) if fmt else queryset

    return user, orm


@pytest.mark.parametrize(
    ("status", "fmt"), [(None, None), ("ready", None), (None, "csv"), ("ready", "csv"), ("failed", "pdf")]
)
def test_the_list_reads_each_page_as_the_orm_does(listed, status, fmt, django_assert_num_queries):
    user, orm = listed
    listing = selectors.InvoiceListing(owner=user, status=status, fmt=fmt)
    expected = list(orm(status, fmt))
    assert listing.count() == len(expected) == orm(status, fmt).count()
    for start, stop in ((0, 2), (2, 4), (4, 50)):
        with django_assert_num_queries(2 if expected[start:stop] else 1):  # the page, then its renditions
            page = listing[start:stop]
        assert [invoice.pk for invoice in page] == [invoice.pk for invoice in expected[start:stop]]
        with django_assert_num_queries(0):  # the series and the renditions came with the page
            for mine, theirs in zip(page, expected[start:stop], strict=True):
                assert mine.get_deferred_fields() == theirs.get_deferred_fields() == {"input"}
                for field in Invoice._meta.concrete_fields:  # all but the deferred input, never loaded here
                    if field.name != "input":
                        assert getattr(mine, field.attname) == getattr(theirs, field.attname), field.name
                assert (mine.series.code if mine.series else None) == (
                    theirs.series.code if theirs.series else None
                )
                renditions = listing.renditions[mine.id]
                assert [r.pk for r in renditions] == [r.pk for r in theirs.renditions.all()]
                for rendition, orms in zip(renditions, theirs.renditions.all(), strict=True):
                    _same(rendition, orms)
                    assert rendition.invoice is mine
    assert set(listing.renditions) == {invoice.pk for invoice in page}
    if page:  # the deferred input loads on demand, as the ORM's instances' does
        assert page[0].input == Invoice.objects.get(pk=page[0].pk).input
