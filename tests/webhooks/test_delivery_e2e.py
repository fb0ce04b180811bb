"""Webhooks end to end: real PostgreSQL, RabbitMQ, GridFS and SMTP, the real ``run_worker render``,
``notify`` and ``webhook`` processes, and a real local HTTPS receiver (tests/webhooks/receiver.py) that
verifies every request with the ``standardwebhooks`` package.

The workers run with the test-only allowance for 127.0.0.0/8 (``WEBHOOK_ALLOWED_NETWORKS``), the receiver's
CA as ``WEBHOOK_CA_BUNDLE``, and short timeouts and retry delays; ``test_ssrf_*`` runs them WITHOUT the
allowance, as production does.
"""

import json
import uuid
from collections import Counter
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from tests.e2e.conftest import Pipeline, wait_for
from tests.faults.crashing import CRASH_MARK
from tests.payloads import sample_payload
from tests.webhooks.receiver import Answer, Receiver
from webhooks.models import SUBSCRIBABLE_EVENTS, DeliveryStatus, EventType, WebhookDelivery, WebhookEndpoint
from webhooks.services import Event, events_emit
from webhooks.signing import secret_new

ALL_EVENTS = list(SUBSCRIBABLE_EVENTS)
TIMEOUT = 90.0


@pytest.fixture
def hooks(pipeline: Pipeline, receiver_ca: Any, settings: Any) -> Pipeline:
    """The pipeline's workers and this process configured for webhooks to the local receivers."""
    env = {
        "WEBHOOK_CA_BUNDLE": str(receiver_ca[1]),
        "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
        "WEBHOOK_CONNECT_TIMEOUT_SECONDS": "2",
        "WEBHOOK_READ_TIMEOUT_SECONDS": "2",
        "WEBHOOK_RETRY_BASE_SECONDS": "1",
        "WEBHOOK_RETRY_MAX_SECONDS": "2",
    }
    pipeline.env.update(env)
    settings.WEBHOOK_CA_BUNDLE = env["WEBHOOK_CA_BUNDLE"]
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    return pipeline


def register(client: Any, receiver: Receiver, event_types: list[str] = ALL_EVENTS) -> dict[str, Any]:
    response = client.post(
        "/api/webhooks/",
        data=json.dumps({"url": receiver.url, "event_types": event_types}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    receiver.secrets["current"] = body["secret"]
    return dict(body)


def upload(client: Any, fmt: str = "csv", number: str | None = None) -> str:
    payload = sample_payload(fmt=fmt)
    payload["invoice"]["number"] = number or f"INV-{uuid.uuid4().hex[:12]}"
    payload["invoice"]["payment"]["reference"] = payload["invoice"]["number"]
    response = client.post("/api/invoices/", data=json.dumps(payload), content_type="application/json")
    assert response.status_code == 202, response.content
    return str(response.json()["id"])


def emit(owner_id: int, event_type: str, key: str) -> None:
    with transaction.atomic():
        events_emit(
            owner_id=owner_id,
            events=[Event(type=EventType(event_type), key=key, data=lambda: {"id": key, "note": "ü"})],
        )


def settled(endpoint_id: str, count: int) -> list[WebhookDelivery]:
    """Wait for ``count`` deliveries of the endpoint, none of them pending."""

    def done() -> list[WebhookDelivery] | None:
        deliveries = list(WebhookDelivery.objects.filter(endpoint_id=uuid.UUID(endpoint_id)))
        if len(deliveries) >= count and all(d.status != DeliveryStatus.PENDING for d in deliveries):
            return deliveries
        return None

    return wait_for(done, f"{count} settled deliveries of {endpoint_id}", TIMEOUT)


@pytest.mark.security
def test_every_event_is_delivered_signed_retried_with_the_same_id_and_only_to_its_owner(
    hooks, client_for, make_user, make_receiver, listener
):
    loopback_port, loopback_received = listener
    ann, bob = make_user("ann@example.com"), make_user("bob@example.com")
    ann_client, bob_client = client_for(ann), client_for(bob)
    ann_hooks, bob_hooks = make_receiver(), make_receiver()
    # The first requests fail: two 500s, a redirect to a loopback listener, an answer slower than the
    # read timeout; everything after is accepted.
    ann_hooks.answer_next(
        Answer(status=500),
        Answer(status=500),
        Answer(status=302, location=f"http://127.0.0.1:{loopback_port}/admin"),
        Answer(sleep=4),
    )
    ann_endpoint = register(ann_client, ann_hooks)
    bob_endpoint = register(bob_client, bob_hooks)
    hooks.env["WORKER_TEST_CONSUMERS"] = "render=tests.faults.crashing.CrashingRenderConsumer"
    hooks.start_all()
    hooks.start("webhook")

    ready = upload(ann_client, "csv")
    failing = upload(ann_client, "csv", number=f"{CRASH_MARK}{uuid.uuid4().hex[:8]}")
    bobs = upload(bob_client, "csv")
    hooks.wait_status(ready, "ready", timeout=TIMEOUT)
    added = ann_client.post(
        f"/api/invoices/{ready}/renditions/",
        data=json.dumps({"format": "pdf"}),
        content_type="application/json",
    )
    assert added.status_code == 202, added.content
    hooks.wait_status(failing, "failed", timeout=TIMEOUT)
    hooks.wait_status(bobs, "ready", timeout=TIMEOUT)
    emit(ann.pk, EventType.BATCH_COMPLETED, "batch-1")  # the batches part's event, through the same path

    expected = {
        f"invoice.rendition.ready:{ready}:csv",
        f"invoice.rendition.ready:{ready}:pdf",
        f"invoice.ready:{ready}",
        f"invoice.failed:{failing}",
        "batch.completed:batch-1",
    }
    deliveries = settled(ann_endpoint["id"], len(expected))
    assert {d.event_key for d in deliveries} == expected
    assert all(d.status == DeliveryStatus.SUCCEEDED for d in deliveries), [
        (d.event_key, d.status, d.last_error) for d in deliveries
    ]

    # Every request verified; one distinct webhook-id per event, the delivery's own, whatever the retries.
    assert all(r.verified_with == ["current"] for r in ann_hooks.received)
    ids_by_type: dict[str, set[str]] = {}
    for received in ann_hooks.received:
        ids_by_type.setdefault(received.payload["type"] + ":" + _about(received.payload), set()).add(
            received.webhook_id
        )
    assert all(len(ids) == 1 for ids in ids_by_type.values()), ids_by_type
    assert set(ann_hooks.ids()) == {d.webhook_id for d in deliveries}
    repeats = Counter(ann_hooks.ids())
    assert sum(repeats.values()) >= len(expected) + 4  # the four failed requests were sent again
    assert max(repeats.values()) >= 2

    # The failures are in the deliveries log, the redirect recorded and never followed.
    errors = [a.error for d in deliveries for a in d.attempt_log.all()]
    assert errors.count("HTTP 500") == 2
    assert f"HTTP 302: redirect to http://127.0.0.1:{loopback_port}/admin not followed" in errors
    assert any("timed out" in error for error in errors)
    assert loopback_received == []

    # Each account's receiver got its own invoices' events only.
    assert {r.payload["data"]["id"] for r in bob_hooks.received} == {bobs}
    assert all(r.verified_with == ["current"] for r in bob_hooks.received)
    ann_ids = {r.payload["data"]["id"] for r in ann_hooks.received}
    assert ann_ids == {ready, failing, "batch-1"}
    assert bobs not in b"".join(r.body for r in ann_hooks.received).decode()
    assert len(settled(bob_endpoint["id"], 2)) == 2  # bob's csv rendition and invoice.ready

    # The payload: the invoice as its owner's API shows it.
    (failed,) = ann_hooks.of_type("invoice.failed")[-1:]
    assert failed.payload["data"]["status"] == "failed"
    assert "the renderer crashed" in failed.payload["data"]["renditions"][0]["failure_reason"]


def _about(payload: dict[str, Any]) -> str:
    data = payload["data"]
    formats = ",".join(r["format"] for r in data.get("renditions", []) if r.get("status") == "ready")
    return f"{data['id']}:{formats}" if payload["type"] == "invoice.rendition.ready" else str(data["id"])


@pytest.mark.security
def test_secret_rotation_both_secrets_during_the_grace_then_the_new_one(
    hooks, client_for, user, make_receiver
):
    client = client_for(user)
    receiver = make_receiver()
    endpoint = register(client, receiver)
    old = receiver.secrets.pop("current")
    receiver.secrets["old"] = old
    hooks.start("webhook")

    emit(user.pk, EventType.INVOICE_READY, "before")
    wait_for(lambda: len(receiver.received) == 1, "the first delivery", TIMEOUT)
    rotated = client.post(f"/api/webhooks/{endpoint['id']}/rotate-secret/").json()
    receiver.secrets["new"] = rotated["secret"]
    emit(user.pk, EventType.INVOICE_READY, "during")
    wait_for(lambda: len(receiver.received) == 2, "the delivery during the grace period", TIMEOUT)
    # The grace period is over.
    WebhookEndpoint.objects.filter(pk=endpoint["id"]).update(previous_secret_expires_at=timezone.now())
    emit(user.pk, EventType.INVOICE_READY, "after")
    wait_for(lambda: len(receiver.received) == 3, "the delivery after the grace period", TIMEOUT)

    assert [r.verified_with for r in receiver.received] == [["old"], ["old", "new"], ["new"]]


def email_marked_sent(endpoint_id: str) -> WebhookEndpoint | None:
    endpoint = WebhookEndpoint.objects.get(pk=endpoint_id)
    return None if endpoint.disabled_email_due else endpoint


def test_an_endpoint_failing_too_long_is_disabled_its_owner_emailed_and_sent_nothing_more(
    hooks, client_for, user, make_receiver
):
    receiver = make_receiver()
    receiver.default = Answer(status=500)
    endpoint = register(client_for(user), receiver)
    hooks.env["WEBHOOK_DISABLE_AFTER_SECONDS"] = "1"
    hooks.start("webhook")

    emit(user.pk, EventType.INVOICE_READY, "first")
    emit(user.pk, EventType.INVOICE_FAILED, "second")
    wait_for(
        lambda: not WebhookEndpoint.objects.get(pk=endpoint["id"]).enabled,
        "the endpoint to be disabled",
        TIMEOUT,
    )
    messages = wait_for(
        lambda: [m for m in hooks.inbox.messages if "was disabled" in m["Subject"]],
        "the owner's email",
        TIMEOUT,
    )
    # The worker marks the email sent after the SMTP server has it: the mark may trail the inbox a little.
    disabled = wait_for(lambda: email_marked_sent(endpoint["id"]), "the email marked sent", TIMEOUT)
    assert disabled.disabled_reason.startswith("every delivery failed since")
    assert "HTTP 500" in disabled.disabled_reason
    (message,) = messages
    assert message["To"] == user.email
    assert receiver.url in message["Subject"]
    body = message.get_body(("plain",)).get_content()
    assert "HTTP 500" in body
    assert disabled.secret not in body
    deliveries = settled(endpoint["id"], 2)
    assert all(d.status == DeliveryStatus.FAILED for d in deliveries)
    assert all(d.last_error for d in deliveries)

    requests_so_far = len(receiver.started)
    emit(user.pk, EventType.INVOICE_READY, "third")  # a disabled endpoint gets no delivery at all
    assert WebhookDelivery.objects.filter(endpoint_id=endpoint["id"]).count() == 2
    # Settled: a replayed old delivery of a disabled endpoint fails without a request.
    from webhooks.delivery import delivery_replay

    delivery_replay(delivery_ids=[deliveries[0].id])
    wait_for(
        lambda: WebhookDelivery.objects.get(pk=deliveries[0].id).status == DeliveryStatus.FAILED,
        "the replay to fail",
        TIMEOUT,
    )
    assert "disabled" in WebhookDelivery.objects.get(pk=deliveries[0].id).last_error
    assert len(receiver.started) == requests_so_far
    assert len([m for m in hooks.inbox.messages if "was disabled" in m["Subject"]]) == 1


# --- docs/security.md case 17 through the real worker: rows that slipped past registration -------------


@pytest.mark.security
def test_ssrf_a_delivery_to_an_internal_address_is_refused_and_logged(
    pipeline, receiver_ca, user, client_for, listener, fake_dns
):
    """Endpoints that passed registration and point inside now (created directly: DNS changed after the
    check, a row restored from a backup): the worker, without the test allowance, refuses every attempt
    before connecting; the loopback listener records no connection; the refusal is in the log."""
    port, received = listener
    pipeline.env.update({"WEBHOOK_ALLOW_HTTP": "1", "WEBHOOK_RETRY_BASE_SECONDS": "1"})
    urls = [
        f"http://127.0.0.1:{port}/",
        f"http://[::1]:{port}/",
        f"http://localhost:{port}/",
        f"http://2130706433:{port}/",
        f"http://0177.0.0.1:{port}/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
    ]
    endpoints = [
        WebhookEndpoint.objects.create(owner=user, url=url, event_types=ALL_EVENTS, secret=secret_new())
        for url in urls
    ]
    pipeline.start("webhook")
    emit(user.pk, EventType.INVOICE_READY, "x")

    def refused_everywhere() -> bool:
        return all(
            WebhookDelivery.objects.filter(endpoint=e, attempt_log__isnull=False).exists() for e in endpoints
        )

    wait_for(refused_everywhere, "an attempt at every endpoint", TIMEOUT)
    client = client_for(user)
    for endpoint in endpoints:
        log = client.get(f"/api/webhooks/{endpoint.id}/deliveries/").json()["results"]
        error = log[0]["recent_attempts"][-1]["error"]
        assert error.startswith("Refused:"), (endpoint.url, error)
        assert "nothing was sent" in error
        assert log[0]["status"] == "pending"  # retried later: the address may be public again by then
        assert log[0]["last_status_code"] is None
    assert received == []
