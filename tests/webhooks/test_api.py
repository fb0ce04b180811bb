"""The webhook endpoints API: register, list, change, rotate, delete, the deliveries log; its errors; and
docs/security.md cases 16 (BOLA, secrets shown once) and 17 (SSRF refused at registration)."""

import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from webhooks import endpoints
from webhooks.models import (
    SUBSCRIBABLE_EVENTS,
    DeliveryStatus,
    EventType,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from workers.models import OutboxMessage

PUBLIC = "93.184.215.14"
URL = "https://hooks.example.com/in"


@pytest.fixture(autouse=True)
def public_name(fake_dns):
    fake_dns.set("hooks.example.com", [PUBLIC])
    fake_dns.set("other.example.com", [PUBLIC])


@pytest.fixture
def ann(client_for, make_user):
    return client_for(make_user("ann@example.com"))


@pytest.fixture
def bob(client_for, make_user):
    return client_for(make_user("bob@example.com"))


def create(client, **body):
    body = {"url": URL, "event_types": ["invoice.ready"], **body}
    return client.post("/api/webhooks/", data=json.dumps(body), content_type="application/json")


def patch(client, endpoint_id, **body):
    return client.patch(
        f"/api/webhooks/{endpoint_id}/", data=json.dumps(body), content_type="application/json"
    )


def fields_of(response):
    return response.json()["error"]["fields"]


def test_register_shows_the_secret_once(ann):
    response = create(
        ann, description="ERP", event_types=["invoice.ready", "invoice.failed", "invoice.ready"]
    )
    assert response.status_code == 201, response.content
    body = response.json()
    secret = body["secret"]
    assert secret.startswith("whsec_")
    assert body["event_types"] == ["invoice.ready", "invoice.failed"]
    assert body["enabled"] is True
    assert body["links"]["deliveries"].endswith(f"/api/webhooks/{body['id']}/deliveries/")
    # Never again: not in the list, not in the detail.
    listed = ann.get("/api/webhooks/")
    detail = ann.get(f"/api/webhooks/{body['id']}/")
    assert listed.status_code == detail.status_code == 200
    assert secret not in listed.content.decode()
    assert secret not in detail.content.decode()
    assert "secret" not in detail.json()
    assert WebhookEndpoint.objects.get(pk=body["id"]).secret == secret


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"url": "http://hooks.example.com/"}, "url", "must start with https://"),
        ({"url": "https://hooks.example.com/" + "a" * 2000}, "url", "no more than 2000"),
        ({"url": "https://user:pw@hooks.example.com/"}, "url", "user name or password"),
        ({"event_types": []}, "event_types", "may not be empty"),
        ({"event_types": ["invoice.paid", "x"]}, "event_types", "Unknown event types: invoice.paid, x"),
        ({"event_types": "invoice.ready"}, "event_types", "Expected a list"),
        ({"description": "d" * 201}, "description", "no more than 200"),
        ({"secret": "whsec_mine"}, "secret", "Unknown field"),
    ],
)
def test_bad_input_names_the_field(ann, body, field, words):
    response = create(ann, **body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert words in " ".join(fields_of(response)[field])


def test_unknown_event_types_are_listed_with_the_allowed_ones(ann):
    message = fields_of(create(ann, event_types=["invoice.paid"]))["event_types"][0]
    for allowed in SUBSCRIBABLE_EVENTS:
        assert allowed in message
    assert EventType.WEBHOOK_TEST not in message


def test_the_test_event_is_never_subscribed_to(ann):
    message = fields_of(create(ann, event_types=["invoice.ready", "webhook.test"]))["event_types"][0]
    assert "sent only when asked for" in message
    assert "/test/" in message
    assert not WebhookEndpoint.objects.exists()


def test_missing_fields_are_named(ann):
    response = ann.post("/api/webhooks/", data="{}", content_type="application/json")
    assert response.status_code == 400
    assert set(fields_of(response)) == {"url", "event_types"}


def test_not_an_object_is_a_clear_400(ann):
    response = ann.post("/api/webhooks/", data="[1]", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_the_number_of_endpoints_is_limited(ann, settings):
    settings.WEBHOOK_MAX_ENDPOINTS = 2
    assert create(ann).status_code == 201
    assert create(ann).status_code == 201
    response = create(ann)
    assert response.status_code == 400
    assert "at most 2 webhook endpoints" in response.json()["error"]["message"]


def test_patch_changes_fields_and_reenabling_clears_the_failure_state(ann):
    endpoint_id = create(ann).json()["id"]
    WebhookEndpoint.objects.filter(pk=endpoint_id).update(
        enabled=False,
        disabled_at=timezone.now(),
        disabled_reason="every delivery failed",
        failing_since=timezone.now() - timedelta(days=6),
        disabled_email_due=True,
    )
    response = patch(ann, endpoint_id, url="https://other.example.com/x", event_types=["batch.completed"])
    assert response.status_code == 200, response.content
    assert response.json()["url"] == "https://other.example.com/x"
    assert response.json()["enabled"] is False
    response = patch(ann, endpoint_id, enabled=True)
    body = response.json()
    assert (body["enabled"], body["disabled_at"], body["disabled_reason"], body["failing_since"]) == (
        True,
        None,
        "",
        None,
    )
    assert not WebhookEndpoint.objects.get(pk=endpoint_id).disabled_email_due
    assert patch(ann, endpoint_id, enabled=False).json()["enabled"] is False
    assert "url" in fields_of(patch(ann, endpoint_id, url="https://10.0.0.1/"))


def test_rotate_shows_the_new_secret_once_and_keeps_the_old_for_the_grace(ann, settings):
    settings.WEBHOOK_SECRET_GRACE_SECONDS = 3600
    made = create(ann).json()
    response = ann.post(f"/api/webhooks/{made['id']}/rotate-secret/")
    assert response.status_code == 200
    body = response.json()
    assert body["secret"].startswith("whsec_")
    assert body["secret"] != made["secret"]
    assert body["previous_secret_expires_at"] is not None
    endpoint = WebhookEndpoint.objects.get(pk=made["id"])
    assert (endpoint.secret, endpoint.previous_secret) == (body["secret"], made["secret"])
    expires = endpoint.previous_secret_expires_at
    assert expires is not None
    assert timedelta(minutes=59) < expires - timezone.now() <= timedelta(hours=1)
    detail = ann.get(f"/api/webhooks/{made['id']}/").content.decode()
    assert body["secret"] not in detail
    assert made["secret"] not in detail


def test_delete(ann):
    endpoint_id = create(ann).json()["id"]
    assert ann.delete(f"/api/webhooks/{endpoint_id}/").status_code == 204
    assert ann.get(f"/api/webhooks/{endpoint_id}/").status_code == 404
    assert not WebhookEndpoint.objects.filter(pk=endpoint_id).exists()


def _delivery(endpoint_id, key, status=DeliveryStatus.PENDING, attempts=()):
    delivery = WebhookDelivery.objects.create(
        endpoint_id=endpoint_id,
        event_type=EventType.INVOICE_READY,
        event_key=f"invoice.ready:{key}",
        payload={"type": "invoice.ready", "data": {"id": key}},
        status=status,
        attempts=len(attempts),
    )
    for index, (code, error) in enumerate(attempts):
        WebhookAttempt.objects.create(
            delivery=delivery,
            started_at=timezone.now() + timedelta(seconds=index),
            duration_ms=10 + index,
            status_code=code,
            error=error,
        )
    return delivery


def test_the_deliveries_log(ann):
    endpoint_id = create(ann).json()["id"]
    old = _delivery(endpoint_id, "a", DeliveryStatus.SUCCEEDED, [(500, "HTTP 500"), (204, "")])
    new = _delivery(
        endpoint_id,
        "b",
        DeliveryStatus.FAILED,
        [(None, "Refused: x resolves to 127.0.0.1, a loopback address")],
    )
    response = ann.get(f"/api/webhooks/{endpoint_id}/deliveries/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["id"] for r in results] == [str(new.id), str(old.id)]
    assert results[0]["webhook_id"] == new.webhook_id
    assert results[0]["recent_attempts"][0]["error"].startswith("Refused: x resolves to 127.0.0.1")
    assert results[1]["last_duration_ms"] == 11
    assert [a["status_code"] for a in results[1]["recent_attempts"]] == [204, 500]
    assert "payload" not in results[0]
    only = ann.get(f"/api/webhooks/{endpoint_id}/deliveries/?status=failed").json()["results"]
    assert [r["id"] for r in only] == [str(new.id)]
    bad = ann.get(f"/api/webhooks/{endpoint_id}/deliveries/?status=nope")
    assert bad.status_code == 400
    assert "status" in fields_of(bad)


# --- docs/security.md case 16: SSRF refused at registration ----------------------------------------


@pytest.mark.security
@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://127.0.0.1/", "127.0.0.1, a loopback address"),
        ("http://[::1]/", "::1, a loopback address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254, a cloud metadata address"),
        ("http://10.0.0.1/", "10.0.0.1, a private address"),
        ("http://localhost:8000/", "a loopback address"),
        ("http://2130706433/", "127.0.0.1, a loopback address"),
        ("http://0177.0.0.1/", "127.0.0.1, a loopback address"),
        ("http://0x7f.1/", "127.0.0.1, a loopback address"),
        ("http://[::ffff:169.254.169.254]/", "a cloud metadata address"),
        ("http://100.100.100.200/", "a cloud metadata address"),
        # An IPv6 literal with a zone id: an interface of this server (docs/security.md case 16).
        ("https://[::1%25lo]/", "an IPv6 address with a zone id"),
        ("https://[::1%lo]/", "an IPv6 address with a zone id"),
        ("https://[fe80::1%25eth0]/", "an IPv6 address with a zone id"),
        ("https://[fd00:ec2::254%25lo]/", "an IPv6 address with a zone id"),
    ],
)
def test_internal_addresses_are_refused_at_registration(ann, settings, url, words, blocked_connects):
    # http allowed here, so that it is the address, not the scheme, that is refused.
    settings.WEBHOOK_ALLOW_HTTP = True
    response = create(ann, url=url)
    assert response.status_code == 400
    assert words in fields_of(response)["url"][0]
    assert not WebhookEndpoint.objects.exists()
    assert blocked_connects == []


@pytest.mark.security
def test_plain_http_is_refused_unless_allowed(ann, settings):
    assert "https://" in fields_of(create(ann, url="http://hooks.example.com/"))["url"][0]
    settings.WEBHOOK_ALLOW_HTTP = True
    assert create(ann, url="http://hooks.example.com/").status_code == 201


# --- docs/security.md case 17: BOLA, secrets -------------------------------------------------------


@pytest.mark.security
def test_another_accounts_endpoint_is_the_404_of_a_made_up_id(ann, bob):
    made = create(ann).json()
    _delivery(made["id"], "a", DeliveryStatus.SUCCEEDED, [(204, "")])
    theirs, made_up = made["id"], str(uuid.uuid4())
    requests = [
        ("get", "/api/webhooks/{}/", None),
        ("patch", "/api/webhooks/{}/", {"description": "mine now", "url": "https://other.example.com/"}),
        ("delete", "/api/webhooks/{}/", None),
        ("post", "/api/webhooks/{}/rotate-secret/", None),
        ("get", "/api/webhooks/{}/deliveries/", None),
        ("post", "/api/webhooks/{}/test/", None),
    ]
    for method, path, body in requests:
        kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body else {}
        foreign = getattr(bob, method)(path.format(theirs), **kwargs)
        missing = getattr(bob, method)(path.format(made_up), **kwargs)
        assert foreign.status_code == missing.status_code == 404, (method, path)
        assert foreign.content == missing.content, (method, path)
    # Nothing changed, nothing leaked, nothing sent.
    assert not WebhookDelivery.objects.filter(event_type=EventType.WEBHOOK_TEST).exists()
    endpoint = WebhookEndpoint.objects.get(pk=theirs)
    assert (endpoint.description, endpoint.url, endpoint.secret) == ("", URL, made["secret"])
    assert bob.get("/api/webhooks/").json() == []
    assert [e["id"] for e in ann.get("/api/webhooks/").json()] == [theirs]


@pytest.mark.security
def test_lists_show_only_ones_own(ann, bob):
    mine = create(ann).json()["id"]
    theirs = create(bob).json()["id"]
    _delivery(mine, "a")
    _delivery(theirs, "b")
    assert [e["id"] for e in ann.get("/api/webhooks/").json()] == [mine]
    assert [e["id"] for e in bob.get("/api/webhooks/").json()] == [theirs]
    keys = [d["id"] for d in ann.get(f"/api/webhooks/{mine}/deliveries/").json()["results"]]
    assert keys == [str(WebhookDelivery.objects.get(endpoint_id=mine).id)]


@pytest.mark.security
def test_secrets_never_appear_in_a_get_a_list_or_a_log_line(ann, caplog):
    caplog.set_level("DEBUG")
    made = create(ann).json()
    rotated = ann.post(f"/api/webhooks/{made['id']}/rotate-secret/").json()
    for path in ["/api/webhooks/", f"/api/webhooks/{made['id']}/", f"/api/webhooks/{made['id']}/deliveries/"]:
        content = ann.get(path).content.decode()
        assert made["secret"] not in content
        assert rotated["secret"] not in content
    assert made["secret"] not in caplog.text
    assert rotated["secret"] not in caplog.text


@pytest.mark.security
def test_unauthenticated_is_401(api):
    assert api.get("/api/webhooks/").status_code == 401
    assert api.post("/api/webhooks/", data="{}", content_type="application/json").status_code == 401
    assert api.get(f"/api/webhooks/{uuid.uuid4()}/deliveries/").status_code == 401


# --- A test event on request: POST /api/webhooks/{id}/test/ ----------------------------------------------


def test_a_test_event_is_queued_for_the_endpoint_alone_and_shown_in_its_deliveries(ann):
    made = create(ann).json()
    other = create(ann, url="https://other.example.com/in").json()
    assert made["links"]["test"].endswith(f"/api/webhooks/{made['id']}/test/")

    response = ann.post(made["links"]["test"])

    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["event_type"], body["status"], body["attempts"]) == ("webhook.test", "pending", 0)
    assert response["Location"].endswith(f"/api/webhooks/{made['id']}/deliveries/")
    delivery = WebhookDelivery.objects.get()
    assert (str(delivery.endpoint_id), str(delivery.id)) == (made["id"], body["id"])
    assert delivery.payload["type"] == "webhook.test"
    assert delivery.payload["data"] == {"endpoint_id": made["id"], "message": endpoints.TEST_MESSAGE}
    assert OutboxMessage.objects.count() == 1  # its job, committed with it
    listed = ann.get(f"/api/webhooks/{made['id']}/deliveries/").json()["results"]
    assert [row["id"] for row in listed] == [body["id"]]
    assert ann.get(f"/api/webhooks/{other['id']}/deliveries/").json()["results"] == []


def test_one_test_at_a_time_and_another_once_it_has_settled(ann):
    made = create(ann).json()
    first = ann.post(f"/api/webhooks/{made['id']}/test/")

    again = ann.post(f"/api/webhooks/{made['id']}/test/")

    assert again.status_code == 409
    assert again.json()["error"]["code"] == "test_not_sent"
    assert "still on its way" in again.json()["error"]["message"]
    assert WebhookDelivery.objects.count() == 1
    WebhookDelivery.objects.filter(pk=first.json()["id"]).update(status=DeliveryStatus.SUCCEEDED)
    assert ann.post(f"/api/webhooks/{made['id']}/test/").status_code == 202


def test_a_disabled_endpoint_gets_no_test_until_it_is_enabled(ann):
    made = create(ann).json()
    patch(ann, made["id"], enabled=False)

    refused = ann.post(f"/api/webhooks/{made['id']}/test/")

    assert refused.status_code == 409
    assert "enable it" in refused.json()["error"]["message"]
    assert not WebhookDelivery.objects.exists()
    patch(ann, made["id"], enabled=True)
    assert ann.post(f"/api/webhooks/{made['id']}/test/").status_code == 202
