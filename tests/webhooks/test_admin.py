"""The admin's webhook pages: endpoints without their secrets, deliveries with their attempts (a refusal by
the address check among them), the search by webhook id, and the staff's replay."""

import pytest
from django.utils import timezone

from webhooks.models import DeliveryStatus, EventType, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.signing import secret_new
from workers.models import OutboxMessage

REFUSAL = "Refused: evil.test resolves to 127.0.0.1, a loopback address; nothing was sent."


@pytest.fixture
def staff(client, make_user, password):
    make_user("root@example.com", is_staff=True, is_superuser=True)
    client.login(username="root@example.com", password=password)
    return client


@pytest.fixture
def delivery(user):
    endpoint = WebhookEndpoint.objects.create(
        owner=user,
        url="https://evil.test/hook",
        event_types=[EventType.INVOICE_READY],
        secret=secret_new(),
        previous_secret=secret_new(),
        previous_secret_expires_at=timezone.now(),
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_type=EventType.INVOICE_READY,
        event_key="invoice.ready:1",
        payload={"type": "invoice.ready", "data": {"id": "1"}},
        status=DeliveryStatus.FAILED,
        attempts=1,
        last_error=REFUSAL,
    )
    WebhookAttempt.objects.create(delivery=delivery, started_at=timezone.now(), error=REFUSAL)
    return delivery


@pytest.mark.security
def test_endpoint_pages_never_show_a_secret(staff, delivery):
    endpoint = delivery.endpoint
    for path in [
        "/admin/webhooks/webhookendpoint/",
        f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/",
        f"/admin/webhooks/webhookdelivery/{delivery.pk}/change/",
    ]:
        response = staff.get(path)
        assert response.status_code == 200, path
        content = response.content.decode()
        assert endpoint.url in content
        assert endpoint.secret not in content
        assert endpoint.previous_secret not in content


@pytest.mark.security
def test_a_refused_attempt_is_shown_in_the_delivery_log(staff, delivery):
    content = staff.get(f"/admin/webhooks/webhookdelivery/{delivery.pk}/change/").content.decode()
    assert "Refused: evil.test resolves to 127.0.0.1, a loopback address" in content
    listed = staff.get("/admin/webhooks/webhookdelivery/?status__exact=failed").content.decode()
    assert delivery.webhook_id in listed


def test_search_by_webhook_id_and_url(staff, delivery):
    found = staff.get(f"/admin/webhooks/webhookdelivery/?q={delivery.webhook_id}").content.decode()
    assert delivery.webhook_id in found
    assert (
        delivery.webhook_id not in staff.get("/admin/webhooks/webhookdelivery/?q=msg_nothex").content.decode()
    )
    assert delivery.webhook_id in staff.get("/admin/webhooks/webhookdelivery/?q=evil.test").content.decode()


def test_records_are_read_only(staff, delivery):
    assert staff.get("/admin/webhooks/webhookendpoint/add/").status_code == 403
    response = staff.post(f"/admin/webhooks/webhookdelivery/{delivery.pk}/change/", {"status": "succeeded"})
    assert response.status_code == 403
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED


def test_staff_replay_queues_the_same_webhook_id_again(staff, delivery):
    response = staff.post(
        "/admin/webhooks/webhookdelivery/",
        {"action": "replay", "_selected_action": [str(delivery.pk)]},
        follow=True,
    )
    assert response.status_code == 200
    assert "1 delivery(ies) queued again." in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.next_attempt_at is None
    assert OutboxMessage.objects.filter(queue="webhook", payload={"delivery_id": str(delivery.pk)}).exists()
