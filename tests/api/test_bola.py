"""docs/security.md case 1 (BOLA): another user's invoice, asked for by any handle, is 404 like one that
does not exist.

The invoice is real: uploaded through the API and rendered into a fresh GridFS database on the
MongoDB-compatible server, so every handle a client could learn or guess exists (the invoice id, the GridFS
file id, the stored file name, the download name). The attacker is an ordinary user with a valid token; the
staff user has one too, and sees other people's invoices only in the admin.
"""

import json
import uuid

import pytest
from bson import ObjectId

from invoices import services
from invoices.models import Invoice, InvoiceStatus, Rendition
from tests.payloads import sample_payload
from workers.models import OutboxMessage

pytestmark = pytest.mark.security


def upload(client, payload) -> str:
    response = client.post("/api/invoices/", data=json.dumps(payload), content_type="application/json")
    assert response.status_code == 202, response.content
    return response.json()["id"]


@pytest.fixture
def ann(make_user):
    return make_user("ann@example.com")


@pytest.fixture
def ann_invoice(invoices_gridfs_storage, client_for, ann) -> Invoice:
    """Ann's PDF, uploaded through the API and rendered in-process into GridFS (the render job's service)."""
    invoice_id = upload(client_for(ann), sample_payload(fmt="pdf"))
    services.invoice_render(invoice_id=uuid.UUID(invoice_id))
    invoice = Invoice.objects.get(id=invoice_id)
    assert invoice.status == InvoiceStatus.READY, invoice.failure_reason
    assert invoices_gridfs_storage.exists(file_of(invoice).file_name)
    return invoice


def file_of(invoice: Invoice) -> Rendition:
    return invoice.renditions.get()


def gridfs_id(storage, invoice: Invoice) -> ObjectId:
    files = storage.database()[f"{storage.bucket_name}.files"]
    return files.find_one({"filename": file_of(invoice).file_name})["_id"]


def handles(storage, invoice: Invoice) -> dict[str, str]:
    """Every handle of the invoice a client could hold, and a made-up handle of the same shape."""
    return {
        str(invoice.id): str(uuid.uuid4()),
        str(gridfs_id(storage, invoice)): str(ObjectId()),
        file_of(invoice).file_name: f"{uuid.uuid4()}/{uuid.uuid4().hex}.pdf",
        file_of(invoice).download_name: "INV-0000-0000.pdf",
    }


def urls_for(handle: str) -> list[str]:
    return [
        f"/api/invoices/{handle}/",
        f"/api/invoices/{handle}/download/",
        f"/api/invoices/{handle}/download/?format=pdf",
        f"/download?fid={handle}",
    ]


def answer(client, url: str) -> tuple[int, bytes]:
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body


def test_every_handle_of_anothers_invoice_is_the_404_of_a_missing_one(
    ann_invoice, invoices_gridfs_storage, client_for, make_user
):
    eve = client_for(make_user("eve@example.com"))
    file_bytes = b"".join(invoices_gridfs_storage.open(file_of(ann_invoice).file_name, "rb").chunks())

    for handle, made_up in handles(invoices_gridfs_storage, ann_invoice).items():
        for url, decoy in zip(urls_for(handle), urls_for(made_up), strict=True):
            status, body = answer(eve, url)
            assert status == 404, url
            assert (status, body) == answer(eve, decoy), url  # nothing tells "exists" from "missing"
            assert ann_invoice.number.encode() not in body
            assert file_bytes[:1024] not in body


def test_the_owner_reaches_the_file_by_its_id_only(ann_invoice, invoices_gridfs_storage, client_for, ann):
    # The handles are not ignored by accident: the same requests work for the owner with the invoice id,
    # and no other handle (GridFS id, file names) opens anything, even for the owner.
    owner = client_for(ann)
    by_id = [answer(owner, url)[0] for url in urls_for(str(ann_invoice.id))]
    others = [
        answer(owner, url)[0]
        for handle in list(handles(invoices_gridfs_storage, ann_invoice))[1:]
        for url in urls_for(handle)
    ]

    assert by_id == [200, 200, 200, 200]
    assert set(others) == {404}


def test_lists_show_only_the_requesters_own_invoices_whatever_the_filter(ann_invoice, client_for, make_user):
    eve_user = make_user("eve@example.com")
    eve = client_for(eve_user)
    eve_invoice = upload(eve, sample_payload(fmt="csv"))

    for query in ("", "?status=ready", "?format=pdf", "?page_size=200"):
        listed = [item["id"] for item in eve.get(f"/api/invoices/{query}").json()["results"]]
        assert str(ann_invoice.id) not in listed, query
    # An owner filter is no parameter of the list: refused by name, never read.
    refused = eve.get(f"/api/invoices/?owner={ann_invoice.owner_id}")
    assert list(refused.json()["error"]["fields"]) == ["owner"]
    assert [item["id"] for item in eve.get("/api/invoices/").json()["results"]] == [eve_invoice]


def test_staff_see_only_their_own_invoices_through_the_api(ann_invoice, client_for, make_user):
    staff = client_for(make_user("staff@example.com", is_staff=True, is_superuser=True))

    assert staff.get("/api/invoices/").json()["results"] == []
    assert [answer(staff, url)[0] for url in urls_for(str(ann_invoice.id))] == [404, 404, 404, 404]


def test_staff_see_every_invoice_and_its_file_in_the_admin(
    ann_invoice, invoices_gridfs_storage, client, make_user, password
):
    make_user("staff@example.com", is_staff=True, is_superuser=True)
    assert client.login(username="staff@example.com", password=password)

    listing = client.get("/admin/invoices/invoice/")
    status, body = answer(client, f"/admin/invoices/invoice/{ann_invoice.id}/download/")

    assert listing.status_code == 200
    assert ann_invoice.number in listing.content.decode()
    assert status == 200
    assert body == b"".join(invoices_gridfs_storage.open(file_of(ann_invoice).file_name, "rb").chunks())


@pytest.mark.parametrize(
    "who",
    [
        {"email": "user@example.com"},  # signed in, but not staff
        {"email": "clerk@example.com", "is_staff": True},  # staff without the permission to view invoices
    ],
)
def test_the_admin_gives_no_file_to_anyone_else(ann_invoice, client, make_user, password, who):
    make_user(**who)
    client.login(username=who["email"], password=password)

    status, body = answer(client, f"/admin/invoices/invoice/{ann_invoice.id}/download/")
    listing = client.get("/admin/invoices/invoice/")

    assert status in (302, 403, 404)
    assert not body.startswith(b"%PDF")
    assert ann_invoice.number not in listing.content.decode()


def add_rendition(client, handle: str, body: object) -> tuple[int, bytes]:
    response = client.post(
        f"/api/invoices/{handle}/renditions/", data=json.dumps(body), content_type="application/json"
    )
    return response.status_code, response.content


@pytest.mark.parametrize(
    "body", [{"format": "csv"}, {"format": "pdf"}, {"format": "docx"}, {"format": "csv", "x": 1}, []]
)
def test_adding_a_rendition_to_anothers_invoice_is_the_404_of_a_missing_one_and_queues_nothing(
    ann_invoice, client_for, make_user, body
):
    # Ownership is checked before the body is read: even a bad body answers the 404 of a missing invoice,
    # so the answer never tells an existing invoice from a missing one.
    eve = client_for(make_user("eve@example.com"))
    staff = client_for(make_user("staff@example.com", is_staff=True, is_superuser=True))
    jobs_before = OutboxMessage.objects.count()

    for client in (eve, staff):
        status, content = add_rendition(client, str(ann_invoice.id), body)
        assert status == 404
        assert (status, content) == add_rendition(client, str(uuid.uuid4()), body)
        assert ann_invoice.number.encode() not in content

    assert list(ann_invoice.renditions.values_list("format", flat=True)) == ["pdf"]
    assert OutboxMessage.objects.count() == jobs_before


def test_a_download_of_anothers_invoice_in_any_format_is_the_404_of_a_missing_one(
    ann_invoice, client_for, make_user
):
    eve = client_for(make_user("eve@example.com"))

    for query in ("?format=pdf", "?format=csv", "?format=docx", "?format=ubl"):
        status, body = answer(eve, f"/api/invoices/{ann_invoice.id}/download/{query}")
        assert status == 404, query
        assert (status, body) == answer(eve, f"/api/invoices/{uuid.uuid4()}/download/{query}"), query
