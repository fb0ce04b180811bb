"""The reads written as fixed SQL give the very instances the ORM gives: every field, converted the same
way (JSON documents as dicts, times aware, decimals exact), the related instances attached."""

import uuid

from django.forms.models import model_to_dict

from invoices import selectors, services
from invoices.models import Invoice, Notification
from invoices.notifications import _locked
from tests.payloads import sample_payload


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


def test_the_render_reads_the_renditions_as_the_orm_does(
    user, local_invoice_storage, django_assert_num_queries
):
    payload = sample_payload()
    payload.pop("format", None)
    payload["formats"] = ["pdf", "csv", "xlsx"]
    invoice = services.invoice_submit(owner=user, payload=payload).invoice
    ours = selectors.renditions_of(invoice)
    orms = list(invoice.renditions.all())
    assert [rendition.pk for rendition in ours] == [rendition.pk for rendition in orms]
    assert [rendition.format for rendition in ours] == ["pdf", "csv", "xlsx"]
    for mine, theirs in zip(ours, orms, strict=True):
        _same(mine, theirs)
    with django_assert_num_queries(0):  # each knows its invoice, as the related manager's do
        assert all(rendition.invoice is invoice for rendition in ours)


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
