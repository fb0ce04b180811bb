"""docs/security.md case 18 (BOLA): another account's invoice, and its links, through every link endpoint,
are the 404 of a made-up id; nothing is made, listed or revoked."""

import uuid

import pytest

from invoices import links
from invoices.models import DownloadLink
from tests.links.conftest import path_of

pytestmark = pytest.mark.security


def answers(api, invoice_id, link_id) -> list[tuple[int, bytes]]:
    base = f"/api/invoices/{invoice_id}/links/"
    return [
        (response.status_code, response.content)
        for response in (
            api.post(base, data={"format": "csv", "expires_in": 3600}, format="json"),
            api.get(base),
            api.delete(base),
            api.delete(f"{base}?id={link_id}"),
        )
    ]


def test_anothers_invoice_is_the_404_of_a_missing_one_on_every_link_endpoint(bob_api, ann_invoice, client):
    link = links.link_create(invoice=ann_invoice, fmt="csv", expires_in=3600)

    theirs = answers(bob_api, ann_invoice.id, link.id)
    made_up = answers(bob_api, uuid.uuid4(), uuid.uuid4())

    assert [status for status, _ in theirs] == [404, 404, 404, 404]
    assert theirs == made_up  # byte for byte
    assert DownloadLink.objects.count() == 1
    assert client.get(path_of(links.link_url(link))).status_code == 200  # still working


def test_anothers_link_id_on_ones_own_invoice_is_not_found(ann_api, make_invoice, ann, bob, client):
    mine = make_invoice(ann, ("csv",))
    bobs_link = links.link_create(invoice=make_invoice(bob, ("csv",)), fmt="csv", expires_in=3600)

    theirs = ann_api.delete(f"/api/invoices/{mine.id}/links/?id={bobs_link.id}")
    made_up = ann_api.delete(f"/api/invoices/{mine.id}/links/?id={uuid.uuid4()}")

    assert theirs.status_code == 404
    assert theirs.content == made_up.content
    assert client.get(path_of(links.link_url(bobs_link))).status_code == 200


def test_revoking_all_ones_links_touches_no_other_account(bob_api, ann_invoice, client):
    link = links.link_create(invoice=ann_invoice, fmt="csv", expires_in=3600)

    assert bob_api.delete("/api/links/").json() == {"revoked": 0}
    assert client.get(path_of(links.link_url(link))).status_code == 200


def test_the_account_s_list_shows_no_other_account_s_link(bob_api, ann_invoice):
    links.link_create(invoice=ann_invoice, fmt="csv", expires_in=3600)

    assert bob_api.get("/api/links/").json()["count"] == 0


def test_the_list_of_an_invoice_shows_only_its_own_links(ann_api, make_invoice, ann):
    first, second = make_invoice(ann, ("csv",)), make_invoice(ann, ("csv",))
    links.link_create(invoice=second, fmt="csv", expires_in=3600)

    assert ann_api.get(f"/api/invoices/{first.id}/links/").json()["count"] == 0


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_without_a_token_every_link_endpoint_is_401(api, ann_invoice, method):
    for path in (f"/api/invoices/{ann_invoice.id}/links/", "/api/links/"):
        if path == "/api/links/" and method == "post":
            continue
        assert getattr(api, method)(path).status_code == 401
    assert not DownloadLink.objects.exists()
