"""A body that is not a JSON object is refused in JSON's words, with an example of the object expected, not
DRF's "Invalid data. Expected a dictionary, but got list." (Python's type names)."""

import pytest

from invoices import services
from tests.payloads import sample_payload

JSON = "application/json"
SERIES_EXAMPLE = '{"code": "INV", "pattern": "INV-{YYYY}-{seq:05}"}'
WEBHOOK_EXAMPLE = '{"url": "https://example.com/hooks", "event_types": ["invoice.ready"]}'


@pytest.mark.parametrize(
    ("path", "method", "example"),
    [
        ("/api/me/", "patch", '{"language": "de"}'),
        ("/api/number-series/", "post", SERIES_EXAMPLE),
        ("/api/webhooks/", "post", WEBHOOK_EXAMPLE),
    ],
)
@pytest.mark.parametrize(("body", "kind"), [("[]", "a list"), ('"x"', "a string"), ("12", "a number")])
def test_a_body_that_is_not_an_object_is_named(client_for, user, path, method, example, body, kind):
    response = getattr(client_for(user), method)(path, data=body, content_type=JSON)

    assert response.status_code == 400
    assert response.json()["error"]["message"] == f"Send a JSON object, such as {example}, not {kind}."


def test_a_rendition_or_link_request_that_is_not_an_object_is_named(client_for, user, local_invoice_storage):
    api = client_for(user)
    invoice = services.invoice_submit(owner=user, payload=sample_payload()).invoice

    rendition = api.post(f"/api/invoices/{invoice.id}/renditions/", data="[]", content_type=JSON)
    link = api.post(f"/api/invoices/{invoice.id}/links/", data='"pdf"', content_type=JSON)

    assert rendition.json()["error"]["message"] == (
        'Send a JSON object, such as {"format": "xlsx"}, not a list.'
    )
    assert link.json()["error"]["message"] == (
        'Send a JSON object, such as {"format": "pdf", "expires_in": 86400}, not a string.'
    )


def test_an_unknown_field_is_refused_in_the_uploads_words_by_every_body(
    client_for, user, local_invoice_storage
):
    """One wording, the upload's, where there were three ("Unknown field; the fields are: ...", "...; a batch
    object has atomic and invoices.")."""
    api = client_for(user)
    invoice = services.invoice_submit(owner=user, payload=sample_payload()).invoice
    bodies = [
        ("/api/number-series/", '{"code": "INV", "sart": 5}', "code, pattern, reset"),
        ("/api/webhooks/", '{"urls": "https://example.com/hooks"}', "url, event_types, description"),
        (f"/api/invoices/{invoice.id}/renditions/", '{"fromat": "xlsx"}', "format"),
        (f"/api/invoices/{invoice.id}/links/", '{"expires": 60}', "format, expires_in"),
        ("/api/invoice-batches/", '{"invoices": [], "atomc": true}', "atomic, invoices"),
        ("/api/brands/", '{"name": "N", "colour": "#000000"}', None),
        ("/api/invoices/", '{"invoice": {}, "fromat": "pdf"}', None),
    ]
    for path, body, allowed in bodies:
        response = api.post(path, data=body, content_type=JSON)

        assert response.status_code == 400, path
        [(field, [message])] = [
            (name, found)
            for name, found in response.json()["error"]["fields"].items()
            if "Unknown" in found[0]
        ]
        assert field in body, path
        assert message.startswith("Unknown field. Allowed here: "), (path, message)
        if allowed:
            assert message == f"Unknown field. Allowed here: {allowed}.", path
