"""The outbox in the admin: visible to staff, never edited by hand."""

import pytest

from workers.models import OutboxMessage


@pytest.fixture
def staff_client(client, make_user):
    client.force_login(make_user("staff@example.com", is_staff=True, is_superuser=True))
    return client


def test_the_outbox_list_filters_pending_messages(staff_client):
    OutboxMessage.objects.create(queue="render", payload={"invoice_id": "pending-one"})
    sent = OutboxMessage.objects.create(queue="notify", payload={"invoice_id": "sent-one"})
    OutboxMessage.objects.filter(pk=sent.pk).update(sent_at="2030-01-01T00:00Z", last_error="broker away")

    pending = staff_client.get("/admin/workers/outboxmessage/?sent=no")
    everything = staff_client.get("/admin/workers/outboxmessage/")

    assert pending.status_code == 200
    assert pending.context["cl"].result_count == 1
    assert everything.context["cl"].result_count == 2
    assert b"broker away" in everything.content


def test_the_outbox_is_read_only(staff_client):
    row = OutboxMessage.objects.create(queue="render", payload={"invoice_id": "x"})

    assert staff_client.get("/admin/workers/outboxmessage/add/").status_code == 403
    assert staff_client.get(f"/admin/workers/outboxmessage/{row.pk}/delete/").status_code == 403
    view = staff_client.get(f"/admin/workers/outboxmessage/{row.pk}/change/")
    assert view.status_code == 200
    assert b'name="_save"' not in view.content
