"""The owner's link API: make a link (format and life checked, never adjusted), list them, revoke one, an
invoice's, or all of an account's; a revoked link answers 410 at once (docs/security.md case 18)."""

import json
from datetime import timedelta

import pytest
from django.utils.dateparse import parse_datetime

from invoices import links
from invoices.models import DownloadLink, LinkPurpose
from tests.links.conftest import body_of, path_of

pytestmark = pytest.mark.security


def post_link(api, invoice, body: object = None, raw: str | None = None):
    data = raw if raw is not None else json.dumps(body if body is not None else {})
    return api.post(f"/api/invoices/{invoice.id}/links/", data=data, content_type="application/json")


def test_a_link_is_made_for_24_hours_in_the_first_format_by_default(ann_api, ann_invoice, client, clock):
    response = post_link(ann_api, ann_invoice)

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "url", "format", "expires_at", "purpose"}
    assert (body["format"], body["purpose"]) == ("csv", "shared")
    assert parse_datetime(body["expires_at"]) == (clock.now + timedelta(hours=24)).replace(microsecond=0)
    assert body["url"].startswith("http")
    assert "/files/1." in body["url"]
    assert client.get(path_of(body["url"])).status_code == 200


def test_a_link_for_another_format_and_life(ann_api, ann_invoice, client, settings, clock):
    response = post_link(
        ann_api, ann_invoice, {"format": "pdf", "expires_in": settings.DOWNLOAD_LINK_MAX_SECONDS}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["format"] == "pdf"
    expected = clock.now + timedelta(seconds=settings.DOWNLOAD_LINK_MAX_SECONDS)
    assert parse_datetime(body["expires_at"]) == expected.replace(microsecond=0)
    assert body_of(client.get(path_of(body["url"]))).startswith(b"%PDF")


def test_a_life_over_the_maximum_is_refused_naming_the_maximum(ann_api, ann_invoice, settings):
    maximum = settings.DOWNLOAD_LINK_MAX_SECONDS

    response = post_link(ann_api, ann_invoice, {"expires_in": maximum + 1})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == ["expires_in"]
    assert str(maximum) in error["fields"]["expires_in"][0]
    assert not DownloadLink.objects.exists()  # never made shorter instead


@pytest.mark.parametrize(
    "raw",
    [
        '{"expires_in": 59}',
        '{"expires_in": 0}',
        '{"expires_in": -60}',
        '{"expires_in": 3600.5}',
        '{"expires_in": "3600"}',
        '{"expires_in": true}',
        '{"expires_in": null}',
        '{"expires_in": 1e999999}',
        '{"expires_in": [3600]}',
    ],
)
def test_a_life_that_is_not_a_whole_number_in_range_is_refused(ann_api, ann_invoice, raw):
    response = post_link(ann_api, ann_invoice, raw=raw)

    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["fields"]) == ["expires_in"]
    assert not DownloadLink.objects.exists()


def test_a_format_the_invoice_lacks_is_refused_listing_those_it_has(ann_api, ann_invoice):
    response = post_link(ann_api, ann_invoice, {"format": "ubl"})

    assert response.status_code == 400
    [message] = response.json()["error"]["fields"]["format"]
    assert "no ubl file" in message
    assert "csv, pdf" in message


@pytest.mark.parametrize(
    ("body", "field"),
    [({"format": "docx"}, "format"), ({"format": 1}, "format"), ({"expiry": 60}, "expiry")],
)
def test_an_unknown_format_or_field_is_refused_by_name(ann_api, ann_invoice, body, field):
    response = post_link(ann_api, ann_invoice, body)

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]


@pytest.mark.parametrize("raw", ["[]", '"pdf"', "{", "\xff"])
def test_a_body_that_is_not_an_object_is_refused(ann_api, ann_invoice, raw):
    response = post_link(ann_api, ann_invoice, raw=raw)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_excel_is_the_xlsx(ann_api, make_invoice, ann):
    invoice = make_invoice(ann, ("xlsx",))

    assert post_link(ann_api, invoice, {"format": "excel"}).json()["format"] == "xlsx"


def test_a_failed_file_gets_no_link(ann_api, make_invoice, ann):
    invoice = make_invoice(ann, ("csv",), ready=())
    invoice.renditions.update(status="failed")

    response = post_link(ann_api, invoice, {"format": "csv"})

    assert response.status_code == 400
    assert "failed" in response.json()["error"]["fields"]["format"][0]


def test_the_list_shows_every_link_newest_first_with_state_and_uses(ann_api, ann_invoice, client, clock):
    expired = links.link_create(invoice=ann_invoice, fmt="csv", expires_in=60)
    revoked = links.link_create(invoice=ann_invoice, fmt="pdf", expires_in=3600)
    active = links.link_create(invoice=ann_invoice, fmt="csv", expires_in=3600)
    body_of(client.get(path_of(links.link_url(active))))
    body_of(client.get(path_of(links.link_url(active))))
    links.links_revoke_for_invoice(invoice=ann_invoice, link_id=revoked.id)
    clock.advance(120)

    response = ann_api.get(f"/api/invoices/{ann_invoice.id}/links/")

    assert response.status_code == 200
    page = response.json()
    assert page["count"] == 3
    rows = {row["id"]: row for row in page["results"]}
    assert [row["id"] for row in page["results"]] == [str(active.id), str(revoked.id), str(expired.id)]
    assert rows[str(active.id)]["state"] == "active"
    assert rows[str(active.id)]["url"] == links.link_url(active)
    assert rows[str(active.id)]["uses"] == 2
    assert rows[str(active.id)]["last_used_at"] is not None
    assert (rows[str(revoked.id)]["state"], rows[str(revoked.id)]["url"]) == ("revoked", None)
    assert rows[str(revoked.id)]["revoked_at"] is not None
    assert (rows[str(expired.id)]["state"], rows[str(expired.id)]["url"]) == ("expired", None)
    assert (rows[str(expired.id)]["uses"], rows[str(expired.id)]["last_used_at"]) == (0, None)
    assert {row["purpose"] for row in page["results"]} == {"shared"}


def test_revoking_one_link_leaves_the_others_working(ann_api, ann_invoice, client):
    one, other = (links.link_create(invoice=ann_invoice, fmt="csv", expires_in=3600) for _ in range(2))

    response = ann_api.delete(f"/api/invoices/{ann_invoice.id}/links/?id={one.id}")

    assert (response.status_code, response.json()) == (200, {"revoked": 1})
    assert client.get(path_of(links.link_url(one))).status_code == 410
    assert client.get(path_of(links.link_url(other))).status_code == 200
    # Again: nothing left to revoke, the same success.
    assert ann_api.delete(f"/api/invoices/{ann_invoice.id}/links/?id={one.id}").json() == {"revoked": 0}


def test_revoking_an_invoices_links_revokes_shared_and_emailed_ones(
    ann_api, ann_invoice, make_invoice, ann, client
):
    shared = links.link_create(invoice=ann_invoice, fmt="csv", expires_in=3600)
    made = links.links_for_email(ann_invoice.renditions.all())
    links.links_save(made)
    emailed = made[0]
    other_invoice = make_invoice(ann, ("csv",))
    untouched = links.link_create(invoice=other_invoice, fmt="csv", expires_in=3600)

    response = ann_api.delete(f"/api/invoices/{ann_invoice.id}/links/")

    assert (response.status_code, response.json()) == (200, {"revoked": 3})
    assert emailed.purpose == LinkPurpose.EMAIL
    for link in (shared, emailed):
        assert client.get(path_of(links.link_url(link))).status_code == 410
    assert client.get(path_of(links.link_url(untouched))).status_code == 200


def test_revoking_all_of_an_accounts_links(ann_api, ann_invoice, make_invoice, ann, bob, client):
    mine = [
        links.link_create(invoice=ann_invoice, fmt="csv", expires_in=3600),
        links.link_create(invoice=make_invoice(ann, ("csv",)), fmt="csv", expires_in=3600),
    ]
    bobs = links.link_create(invoice=make_invoice(bob, ("csv",)), fmt="csv", expires_in=3600)

    response = ann_api.delete("/api/links/")

    assert (response.status_code, response.json()) == (200, {"revoked": 2})
    assert [client.get(path_of(links.link_url(link))).status_code for link in mine] == [410, 410]
    assert client.get(path_of(links.link_url(bobs))).status_code == 200


def test_revoking_all_links_with_a_parameter_is_refused_and_revokes_nothing(ann_api, ann_invoice, client):
    link = links.link_create(invoice=ann_invoice, fmt="csv", expires_in=3600)

    # ?id= works on an invoice's links; here it would have been ignored and every link revoked.
    response = ann_api.delete(f"/api/links/?id={link.id}")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["id"]
    assert "nothing was revoked" in response.json()["error"]["fields"]["id"][0]
    assert client.get(path_of(links.link_url(link))).status_code == 200


def test_a_malformed_link_id_is_refused_by_name(ann_api, ann_invoice):
    response = ann_api.delete(f"/api/invoices/{ann_invoice.id}/links/?id=nope")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["id"]


# --- Every link of the account: GET /api/links/ ------------------------------------------------------------


def test_the_account_s_links_are_listed_with_what_each_opens_and_no_one_else_s(
    ann_api, ann_invoice, make_invoice, ann, bob, client, clock
):
    # The API root listed /api/links/, and a GET there was a 405: only DELETE existed.
    other = make_invoice(ann, ("csv",), number="INV-OTHER")
    first = links.link_create(invoice=ann_invoice, fmt="pdf", expires_in=3600)
    clock.advance(1)
    second = links.link_create(invoice=other, fmt="csv", expires_in=3600)
    body_of(client.get(path_of(links.link_url(second))))
    links.link_create(invoice=make_invoice(bob, ("csv",)), fmt="csv", expires_in=3600)

    response = ann_api.get("/api/links/")

    assert response.status_code == 200, response.content
    page = response.json()
    assert page["count"] == 2
    newest, oldest = page["results"]
    assert (newest["id"], oldest["id"]) == (str(second.id), str(first.id))
    assert newest["invoice"]["number"] == "INV-OTHER"
    assert newest["invoice"]["id"] == str(other.id)
    assert newest["invoice"]["url"].endswith(f"/api/invoices/{other.id}/")
    assert (newest["batch"], newest["uses"], newest["state"]) == (None, 1, "active")
    assert newest["url"] == links.link_url(second)
    assert (oldest["format"], oldest["invoice"]["id"]) == ("pdf", str(ann_invoice.id))


def test_the_account_s_links_are_filtered_by_state(ann_api, ann_invoice, clock):
    expired = links.link_create(invoice=ann_invoice, fmt="csv", expires_in=60)
    revoked = links.link_create(invoice=ann_invoice, fmt="pdf", expires_in=3600)
    active = links.link_create(invoice=ann_invoice, fmt="csv", expires_in=3600)
    links.links_revoke_for_invoice(invoice=ann_invoice, link_id=revoked.id)
    clock.advance(120)

    listed = {
        state: [row["id"] for row in ann_api.get(f"/api/links/?state={state}").json()["results"]]
        for state in ("active", "expired", "revoked")
    }

    assert listed == {"active": [str(active.id)], "expired": [str(expired.id)], "revoked": [str(revoked.id)]}


@pytest.mark.parametrize("query", ["state=gone", "stat=active", "state=active&state=revoked", "page=0"])
def test_a_wrong_query_on_the_account_s_links_is_refused_by_name(ann_api, ann_invoice, query):
    response = ann_api.get(f"/api/links/?{query}")

    assert response.status_code == 400
    assert response.json()["error"]["fields"]
