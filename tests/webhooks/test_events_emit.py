"""events_emit on real PostgreSQL: which endpoints an event reaches (the owner's enabled ones that want it),
read by the fixed, prepared statement of webhooks/services.py."""

import pytest
from django.db import transaction

from webhooks.models import EventType, WebhookDelivery, WebhookEndpoint
from webhooks.services import Event, events_emit
from webhooks.signing import secret_new

pytestmark = pytest.mark.django_db


def _endpoint(owner, *, enabled=True, types=(EventType.INVOICE_READY,)):
    return WebhookEndpoint.objects.create(
        owner=owner,
        url="https://hooks.example/in",
        event_types=[str(t) for t in types],
        secret=secret_new(),
        enabled=enabled,
    )


def test_an_event_reaches_the_owner_s_enabled_endpoints_that_want_it_and_no_other(user, make_user):
    wants = _endpoint(user)
    also = _endpoint(user, types=(EventType.INVOICE_READY, EventType.INVOICE_FAILED))
    _endpoint(user, enabled=False)
    _endpoint(user, types=(EventType.INVOICE_FAILED,))
    _endpoint(make_user("bob@example.com"))
    event = Event(EventType.INVOICE_READY, "inv-1", lambda: {"id": "inv-1"})

    with transaction.atomic():
        assert events_emit(owner_id=user.id, events=[event]) == 2
    with transaction.atomic():
        assert events_emit(owner_id=user.id, events=[event]) == 0  # recorded once per endpoint

    reached = set(WebhookDelivery.objects.values_list("endpoint_id", flat=True))
    assert reached == {wants.id, also.id}


def test_an_owner_without_endpoints_gets_no_delivery(user):
    event = Event(EventType.INVOICE_READY, "inv-2", lambda: {"id": "inv-2"})
    with transaction.atomic():
        assert events_emit(owner_id=user.id, events=[event]) == 0
    assert not WebhookDelivery.objects.exists()
