"""webhooks/delivery.py in this process against the real HTTPS receiver: claim, send, record, retry, give
up, disable, the sweep and the replay. (The same through real worker processes: test_delivery_e2e.py.)"""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tests.webhooks.receiver import Answer
from webhooks import delivery as delivery_module
from webhooks import endpoints
from webhooks.delivery import (
    deliveries_requeue_due,
    delivery_attempt,
    delivery_give_up,
    delivery_replay,
    disabled_emails_send,
    retry_delay,
)
from webhooks.models import DeliveryStatus, EventType, WebhookDelivery, WebhookEndpoint
from webhooks.signing import body_of, secret_new
from workers.models import OutboxMessage


@pytest.fixture
def hook_settings(settings, receiver_ca):
    settings.WEBHOOK_CA_BUNDLE = str(receiver_ca[1])
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.WEBHOOK_READ_TIMEOUT_SECONDS = 1
    settings.WEBHOOK_CONNECT_TIMEOUT_SECONDS = 1
    return settings


@pytest.fixture
def receiver(make_receiver):
    return make_receiver()


@pytest.fixture
def endpoint(user, receiver):
    secret = secret_new()
    receiver.secrets["current"] = secret
    return WebhookEndpoint.objects.create(
        owner=user, url=receiver.url, event_types=[EventType.INVOICE_READY], secret=secret
    )


def make_delivery(endpoint, key="inv-1", **fields):
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_type=EventType.INVOICE_READY,
        event_key=f"invoice.ready:{key}",
        payload={"type": "invoice.ready", "timestamp": "2026-12-03T12:00:00Z", "data": {"id": key, "é": "ü"}},
        **fields,
    )


@pytest.mark.security
def test_a_delivery_is_signed_sent_and_recorded(hook_settings, endpoint, receiver):
    delivery = make_delivery(endpoint)
    delivery_attempt(delivery_id=delivery.id)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempts == 1
    assert delivery.delivered_at is not None
    assert delivery.next_attempt_at is None
    (received,) = receiver.received
    assert received.webhook_id == delivery.webhook_id
    assert received.verified_with == ["current"]
    assert received.body == body_of(delivery.payload).encode()
    assert received.headers["content-type"] == "application/json"
    assert "invoiceapp-webhooks" in received.headers["user-agent"]
    (attempt,) = delivery.attempt_log.all()
    assert attempt.status_code == 204
    assert attempt.error == ""


def test_a_failed_attempt_is_retried_later_with_the_same_webhook_id(hook_settings, endpoint, receiver):
    receiver.answer_next(Answer(status=500, body=b"oops"))
    delivery = make_delivery(endpoint)
    delivery_attempt(delivery_id=delivery.id)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_status_code == 500
    assert delivery.last_error == "HTTP 500"
    assert delivery.next_attempt_at > timezone.now()
    endpoint.refresh_from_db()
    assert endpoint.failing_since is not None
    # Not yet due: a job for it now is a duplicate and sends nothing.
    delivery_attempt(delivery_id=delivery.id)
    assert len(receiver.received) == 1
    # Due: the sweep queues it (through the outbox), and the attempt succeeds.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    assert deliveries_requeue_due() == 1
    assert OutboxMessage.objects.filter(queue="webhook", payload={"delivery_id": str(delivery.id)}).exists()
    delivery_attempt(delivery_id=delivery.id)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempts == 2
    assert [r.webhook_id for r in receiver.received] == [delivery.webhook_id] * 2
    assert [a.status_code for a in delivery.attempt_log.order_by("started_at")] == [500, 204]
    assert delivery.attempt_log.order_by("started_at")[0].response_body == "oops"
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None


def test_a_lease_holds_off_a_duplicate_job(hook_settings, endpoint, receiver):
    delivery = make_delivery(endpoint)
    claim = delivery_module._claim(delivery.id)
    assert claim is not None
    # The broker redelivers the job of a worker that died mid-request: the lease is live, nothing is sent.
    delivery_attempt(delivery_id=delivery.id)
    assert receiver.received == []
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    assert delivery.next_attempt_at > timezone.now()


def test_a_settled_delivery_is_never_sent_again(hook_settings, endpoint, receiver):
    delivery = make_delivery(endpoint)
    delivery_attempt(delivery_id=delivery.id)
    delivery_attempt(delivery_id=delivery.id)
    assert len(receiver.received) == 1


@pytest.mark.security
def test_a_redirect_is_a_failed_attempt_with_its_location(hook_settings, endpoint, receiver, listener):
    port, received = listener
    receiver.answer_next(Answer(status=302, location=f"http://127.0.0.1:{port}/admin"))
    delivery = make_delivery(endpoint)
    delivery_attempt(delivery_id=delivery.id)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_error == f"HTTP 302: redirect to http://127.0.0.1:{port}/admin not followed"
    assert received == []


def test_an_old_delivery_gives_up(hook_settings, endpoint, receiver):
    hook_settings.WEBHOOK_GIVE_UP_SECONDS = 60
    receiver.answer_next(Answer(status=503))
    delivery = make_delivery(endpoint)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(created_at=timezone.now() - timedelta(seconds=61))
    delivery_attempt(delivery_id=delivery.id)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error == "Gave up after 1 attempt: HTTP 503"
    assert delivery.next_attempt_at is None


def test_an_endpoint_failing_too_long_is_disabled_and_its_owner_told(hook_settings, endpoint, receiver, user):
    hook_settings.WEBHOOK_DISABLE_AFTER_SECONDS = 3600
    receiver.answer_next(Answer(status=500))
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=timezone.now() - timedelta(hours=2))
    first, other = make_delivery(endpoint, "a"), make_delivery(endpoint, "b")
    delivery_attempt(delivery_id=first.id)
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert endpoint.disabled_at is not None
    assert "HTTP 500" in endpoint.disabled_reason
    assert not endpoint.disabled_email_due  # sent at once
    (message,) = mail.outbox
    assert message.to == [user.email]
    assert endpoint.url in message.subject
    assert "HTTP 500" in message.body
    assert endpoint.secret not in message.body
    first.refresh_from_db()
    other.refresh_from_db()
    assert first.status == other.status == DeliveryStatus.FAILED
    assert "disabled" in other.last_error
    # Nothing more is sent to it.
    delivery_attempt(delivery_id=other.id)
    assert len(receiver.received) == 1


def test_the_disabled_email_is_retried_by_the_sweep_until_sent(hook_settings, endpoint, monkeypatch):
    now = timezone.now()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        enabled=False, disabled_email_due=True, disabled_at=now, failing_since=now - timedelta(days=5)
    )

    def refuse(self, *args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    assert disabled_emails_send() == 0
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).disabled_email_due
    monkeypatch.undo()
    delivery_module._email_failed_at.clear()  # the pause after a failure, over
    assert disabled_emails_send() == 1
    assert not WebhookEndpoint.objects.get(pk=endpoint.pk).disabled_email_due
    assert disabled_emails_send() == 0
    assert len(mail.outbox) == 1


def test_a_disabled_endpoints_delivery_fails_without_a_request(hook_settings, endpoint, receiver):
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(enabled=False)
    delivery = make_delivery(endpoint)
    delivery_attempt(delivery_id=delivery.id)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error == "Not sent: the endpoint was disabled by its owner"
    assert receiver.received == []


@pytest.mark.security
def test_during_a_rotation_both_secrets_sign(hook_settings, endpoint, receiver):
    new = secret_new()
    receiver.secrets["new"] = new
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        secret=new,
        previous_secret=endpoint.secret,
        previous_secret_expires_at=timezone.now() + timedelta(hours=1),
    )
    delivery_attempt(delivery_id=make_delivery(endpoint, "a").id)
    assert receiver.received[-1].verified_with == ["current", "new"]
    assert len(receiver.received[-1].signature.split(" ")) == 2
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(previous_secret_expires_at=timezone.now())
    delivery_attempt(delivery_id=make_delivery(endpoint, "b").id)
    assert receiver.received[-1].verified_with == ["new"]


def test_give_up_and_replay(hook_settings, endpoint, receiver):
    delivery = make_delivery(endpoint)
    delivery_give_up(delivery_id=delivery.id, reason="delivery limit reached")
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error == "Gave up: delivery limit reached"
    assert delivery_replay(delivery_ids=[delivery.id]) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    delivery_attempt(delivery_id=delivery.id)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert receiver.received[0].webhook_id == delivery.webhook_id


def test_retry_delay_doubles_with_equal_jitter_up_to_the_cap(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 10
    settings.WEBHOOK_RETRY_MAX_SECONDS = 100
    for attempts, ceiling in [(1, 10), (2, 20), (3, 40), (4, 80), (5, 100), (30, 100)]:
        delays = [retry_delay(attempts) for _ in range(50)]
        assert all(ceiling / 2 <= delay <= ceiling for delay in delays)
        assert len(set(delays)) > 1  # jittered


@pytest.mark.security
def test_secrets_are_whsec_and_32_random_bytes():
    import base64

    first, second = secret_new(), secret_new()
    assert first.startswith("whsec_")
    assert len(base64.b64decode(first.removeprefix("whsec_"))) == 32
    assert first != second


@pytest.mark.security
def test_a_test_event_reaches_the_receiver_signed_and_names_no_invoice(hook_settings, endpoint, receiver):
    delivery = endpoints.endpoint_test(endpoint=endpoint)

    delivery_attempt(delivery_id=delivery.id)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    (received,) = receiver.received
    assert received.verified_with == ["current"]
    sent = json.loads(received.body)
    assert sent["type"] == "webhook.test"
    assert sent["data"] == {"endpoint_id": str(endpoint.id), "message": endpoints.TEST_MESSAGE}
