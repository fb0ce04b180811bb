"""The reads written as fixed SQL give the very instances the ORM gives: every field, converted the same
way (JSON documents as dicts, times aware, decimals exact), the related instances attached."""

import uuid

import pytest
from django.db import connection
from django.forms.models import model_to_dict

from invoices import render_sql, selectors, services
from invoices.models import Invoice, Notification
from invoices.notifications import _locked
from tests.payloads import sample_payload


@pytest.fixture
def three_formats(user, local_invoice_storage):
    """An invoice uploaded with three formats: three renditions, queued."""
    payload = sample_payload()
    payload.pop("format", None)
    payload["formats"] = ["pdf", "csv", "xlsx"]
    return services.invoice_submit(owner=user, payload=payload).invoice


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
    three_formats, django_assert_num_queries
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


def test_the_claim_s_read_sends_the_stored_input_once(three_formats):
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
