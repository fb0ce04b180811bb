"""docs/security.md cases 6-9, 12, 14 and 47 at the API: hostile bodies meet a 400 (or 413) naming the field,
before anything is stored or queued; hostile invoice numbers meet a safe download.

The schema's own tests (tests/invoices/test_schema.py, test_jsonio.py) go through every rule; these send
each attack over HTTP, as a client would, to the real views on PostgreSQL, and check that the worker never
sees it: no invoice row and no outbox message.
"""

import base64
import csv
import io
import json
import uuid

import pytest
from openpyxl import load_workbook

from invoices import services
from invoices.models import Invoice, InvoiceStatus
from tests.payloads import sample_payload
from workers.models import OutboxMessage

pytestmark = pytest.mark.security

RAW = "__raw_json_literal__"  # a placeholder string replaced by a raw JSON literal in the body


@pytest.fixture
def auth(client_for, user):
    return client_for(user)


def body_with(path: str, value: object, raw: str | None = None) -> str:
    """The sample body with ``value`` at ``path`` ("invoice.lines.0.unit_price"); ``raw`` is written into
    the JSON text as it is (1e308, NaN), where no Python value would serialise to it."""
    payload = sample_payload()
    payload["invoice"].pop("totals")
    *parents, key = path.split(".")
    target: object = payload
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]  # type: ignore[index]
    if isinstance(target, list):
        target[int(key)] = RAW if raw is not None else value
    else:
        target[key] = RAW if raw is not None else value  # type: ignore[index]
    text = json.dumps(payload)
    return text.replace(f'"{RAW}"', raw) if raw is not None else text


def post(client, body: str | bytes, url: str = "/api/invoices/"):
    return client.post(url, data=body, content_type="application/json")


def assert_refused_before_the_queue(response, status: int = 400) -> dict:
    assert response.status_code == status, response.content
    assert not Invoice.objects.exists()
    assert not OutboxMessage.objects.exists()
    return response.json()["error"]


# --- 6: oversized requests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/invoices/", "/upload?format=pdf"])
def test_a_body_over_the_default_limit_is_413_naming_the_limit(auth, settings, url):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert 1024 * 1024 <= limit <= 10 * 1024 * 1024  # "a few MB"
    body = body_with("invoice.notes", "x" * (limit + 1))

    error = assert_refused_before_the_queue(post(auth, body, url), 413)

    assert error["code"] == "request_too_large"
    assert error["message"] == f"The request body is larger than {limit:,} bytes."


def test_an_oversized_multipart_file_is_413(auth, settings):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    file = ("invoice.json", body_with("invoice.notes", "x" * (limit + 1)).encode(), "application/json")
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = auth.post("/upload?format=pdf", {"file": SimpleUploadedFile(*file)}, format="multipart")

    assert assert_refused_before_the_queue(response, 413)["code"] == "request_too_large"


# --- 7-9, 12: bad values, each named by its field --------------------------------------------------------

ATTACKS = [
    # (test id, field path in the body, value or None, raw JSON literal or None, the path in the answer, a
    # piece of the reason)
    ("float-overflow", "invoice.lines.0.unit_price", None, "1e308", "invoice.lines[0].unit_price", "exceed"),
    ("huge-integer", "invoice.lines.0.quantity", None, "9" * 500, "invoice.lines[0].quantity", "exceed"),
    ("nan-string", "invoice.lines.0.unit_price", "NaN", None, "invoice.lines[0].unit_price", "Not a number"),
    ("infinity", "invoice.lines.0.quantity", "Infinity", None, "invoice.lines[0].quantity", "Not a number"),
    ("negative", "invoice.lines.0.quantity", "-3", None, "invoice.lines[0].quantity", "negative"),
    ("decimals", "invoice.shipping.amount", "15.001", None, "invoice.shipping.amount", "2 decimal places"),
    (
        "total-decimals",
        "invoice.totals",
        {"gross": "1.001"},
        None,
        "invoice.totals.gross",
        "2 decimal places",
    ),
    ("too-big", "invoice.lines.0.unit_price", "1000000000000", None, "invoice.lines[0].unit_price", "exceed"),
    ("date", "invoice.issue_date", "2026-02-30", None, "invoice.issue_date", "YYYY-MM-DD"),
    ("currency", "invoice.currency", "XYZ", None, "invoice.currency", "EUR, USD or JPY"),
    ("format", "format", "docx", None, "format", "pdf, xlsx (or its synonym excel), csv"),
    ("page-size", "page_size", "A3", None, "page_size", "A4, letter"),
    ("logo", "invoice.logo", "data:image/png;base64," + "A" * 64, None, "invoice.logo", ""),
    ("top-logo", "logo", "http://169.254.169.254/logo.png", None, "logo", ""),
    # 21: a bidirectional control in a code
    ("bidi-iban", "invoice.payment.iban", "FR76\u202e3000 6000 0112 3456 7890 189", None,
     "invoice.payment.iban", "bidirectional control U+202E"),
    ("bidi-number", "invoice.number", "INV-\u2067042", None, "invoice.number",
     "bidirectional control U+2067"),
    ("bidi-sku", "invoice.lines.0.sku", "Z\u200f345", None, "invoice.lines[0].sku",
     "bidirectional control U+200F"),
    # codes that are not what they claim to be
    ("country", "invoice.buyer.country", "ZZ", None, "invoice.buyer.country", "not an assigned ISO 3166-1"),
    ("iban", "invoice.payment.iban", "NOT AN IBAN", None, "invoice.payment.iban", "Not an IBAN (ISO 13616)"),
    ("iban-checksum", "invoice.payment.iban", "FR76 3000 6000 0112 3456 7890 188", None,
     "invoice.payment.iban", "check digits"),
    ("bic", "invoice.payment.bic", "AGRIF2PP", None, "invoice.payment.bic", "ISO 9362"),
    ("vat", "invoice.seller.tax_id", "FR12345678901", None, "invoice.seller.tax_id", "check digits"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "value", "raw", "field", "reason"), [a[1:] for a in ATTACKS], ids=[a[0] for a in ATTACKS]
)
def test_a_bad_value_is_400_naming_its_field(auth, path, value, raw, field, reason):
    error = assert_refused_before_the_queue(post(auth, body_with(path, value, raw)))

    assert field in error["fields"], error
    assert reason in " ".join(error["fields"][field])


def test_the_longest_descriptions_on_every_line_are_400_naming_the_text_budget(auth):
    # 1,000 lines of 1,000 characters took 27 s of CPU and made a 2,004-page PDF.
    payload = sample_payload(lines=1000)
    for line in payload["invoice"]["lines"]:
        line["description"] = "d" * 1000

    error = assert_refused_before_the_queue(post(auth, json.dumps(payload)))

    message = " ".join(error["fields"]["invoice.lines"])
    assert "the limit is 200,000, the sum of every text field" in message


def test_more_lines_than_the_limit_is_400_naming_the_limit(auth):
    payload = sample_payload(lines=1001)

    error = assert_refused_before_the_queue(post(auth, json.dumps(payload)))

    assert "1,000" in " ".join(error["fields"]["invoice.lines"])


@pytest.mark.parametrize(
    "body",
    [
        b'{"format": "pdf", "invoice": {"lines": [{"unit_price": NaN}]}}',
        b'{"format": "pdf", "invoice": {"lines": [{"unit_price": -Infinity}]}}',
        b'{"format": "pdf", "format": "csv", "invoice": {}}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"invoice": ' * 2000 + b"{}" + b"}" * 2000,
        b'{"invoice": {"lines": [',
        b"\x00\x01\x02",
    ],
    ids=["nan-literal", "infinity-literal", "duplicate-key", "deep-array", "deep-object", "cut", "binary"],
)
def test_malformed_or_nested_json_is_400_never_500(auth, body):
    error = assert_refused_before_the_queue(post(auth, body))

    assert error["code"] == "invalid"


# --- 14: a hostile invoice number on download ------------------------------------------------------------


@pytest.mark.parametrize("number", ["INV\r\nX-Injected: 1", "INV\nSet-Cookie: a=b", "INV\u2028x"])
def test_an_invoice_number_with_a_line_break_is_400(auth, number):
    error = assert_refused_before_the_queue(post(auth, body_with("invoice.number", number)))

    assert "invoice.number" in error["fields"]


@pytest.mark.parametrize(
    "number",
    ['INV"; filename="evil.html', "../../etc/passwd", "..\\..\\boot.ini", "a;b=c; filename*=UTF-8''x.exe"],
)
def test_a_hostile_invoice_number_downloads_under_a_safe_name(
    auth, invoices_gridfs_storage, client_for, user, number
):
    accepted = post(auth, body_with("invoice.number", number))
    assert accepted.status_code == 202, accepted.content
    invoice_id = accepted.json()["id"]
    services.invoice_render(invoice_id=uuid.UUID(invoice_id))
    assert Invoice.objects.get(id=invoice_id).status == InvoiceStatus.READY

    for url in (f"/api/invoices/{invoice_id}/download/", f"/download?fid={invoice_id}"):
        response = auth.get(url)
        assert response.status_code == 200
        disposition = response["Content-Disposition"]
        assert disposition.startswith('attachment; filename="')
        name = disposition.removeprefix('attachment; filename="').removesuffix('"')
        assert name.endswith(".pdf")
        assert not set(name) & set("\"'/\\;\r\n=*"), disposition
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_logo_in_a_multipart_upload_is_not_taken_as_a_second_file(auth):
    # /upload takes exactly one file, the invoice JSON: an image sent beside it is refused, never decoded.
    from django.core.files.uploadedfile import SimpleUploadedFile

    invoice = SimpleUploadedFile("invoice.json", json.dumps(sample_payload()).encode(), "application/json")
    logo = SimpleUploadedFile("logo.png", base64.b64decode("iVBORw0KGgo="), "image/png")

    response = auth.post("/upload?format=pdf", {"file": invoice, "logo": logo}, format="multipart")

    assert "file" in assert_refused_before_the_queue(response)["fields"]


# --- 13: spreadsheet formulas through the API ------------------------------------------------------------

TRIGGERS = ["=1+2", "+SUM(A1:A2)", "-2+3", "@SUM(A1)", "\t=1+2", "\r=1+2"]


def downloaded_cells(client, fmt: str, invoice_id: str) -> list[str]:
    services.invoice_render(invoice_id=uuid.UUID(invoice_id))
    response = client.get(f"/api/invoices/{invoice_id}/download/")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    if fmt == "csv":
        return [cell for row in csv.reader(io.StringIO(content.decode())) for cell in row]
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.lstrip("\t\r")[:1] in "=+-@":
                assert cell.data_type == "s", cell.coordinate
                assert cell.quotePrefix, cell.coordinate  # Excel keeps it text even when edited
    return [cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("text", TRIGGERS, ids=["eq", "plus", "minus", "at", "tab", "cr"])
def test_a_formula_in_a_description_is_refused_or_downloaded_as_inert_text(
    auth, invoices_gridfs_storage, fmt, text
):
    payload = json.loads(body_with("invoice.lines.0.description", text))
    payload["format"] = fmt
    response = post(auth, json.dumps(payload))

    if response.status_code == 400:  # a control character the schema refuses: never stored
        assert "invoice.lines[0].description" in assert_refused_before_the_queue(response)["fields"]
        return
    assert response.status_code == 202, response.content
    cells = downloaded_cells(auth, fmt, response.json()["id"])
    stored = text.strip()  # the schema trims surrounding white space: "\t=1+2" is kept as "=1+2"
    if fmt == "csv":
        assert "'" + stored in cells
        assert stored not in cells
    else:
        assert stored in cells  # as a text cell with Excel's quote prefix (checked in downloaded_cells)


# --- Unreadable JSON: one answer on every endpoint that takes a JSON body -----------------------------------

JSON_ENDPOINTS = ["/api/invoices/", "/upload?format=pdf", "/api/auth/token/", "/api/auth/token/refresh/",
                  "/api/auth/logout/"]  # fmt: skip


def upload_file(client, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile("invoice.json", content, "application/json")
    return client.post("/upload?format=pdf", {"file": file}, format="multipart")


@pytest.mark.parametrize("url", JSON_ENDPOINTS)
def test_malformed_json_is_the_same_400_on_every_endpoint(auth, url):
    response = post(auth, b'{"a": tru}', url)

    assert response.status_code == 400, response.content
    assert response.json() == {
        "error": {"code": "invalid", "message": "Invalid JSON: Expecting value at line 1, column 7."}
    }


def test_malformed_json_in_an_uploaded_file_is_the_same_400(auth):
    response = upload_file(auth, b'{"a": tru}')

    assert assert_refused_before_the_queue(response) == {
        "code": "invalid",
        "message": "Invalid JSON: Expecting value at line 1, column 7.",
    }


@pytest.mark.parametrize("url", JSON_ENDPOINTS)
def test_a_body_that_is_not_utf8_is_the_same_400_on_every_endpoint(auth, url):
    response = post(auth, b'{"a": "\xff"}', url)

    assert response.status_code == 400, response.content
    message = "The body is not valid UTF-8 (byte 7)."
    assert response.json() == {"error": {"code": "invalid", "message": message}}


@pytest.mark.parametrize("url", ["/api/invoices/", "/upload?format=pdf"])
def test_a_utf8_byte_order_mark_is_ignored_on_upload(auth, url):
    response = post(auth, b"\xef\xbb\xbf" + json.dumps(sample_payload()).encode(), url)

    assert response.status_code == 202, response.content


def test_a_utf8_byte_order_mark_is_ignored_in_an_uploaded_file(auth):
    assert upload_file(auth, b"\xef\xbb\xbf" + json.dumps(sample_payload()).encode()).status_code == 202


def test_a_utf8_byte_order_mark_is_ignored_at_login(api, user, password):
    body = b"\xef\xbb\xbf" + json.dumps({"email": user.email, "password": password}).encode()

    response = api.post("/api/auth/token/", data=body, content_type="application/json")

    assert response.status_code == 200, response.content


def test_a_control_character_in_a_json_string_is_reported_once_with_its_position(auth):
    error = assert_refused_before_the_queue(post(auth, b'{"invoice": "a\x01"}'))

    assert error["message"] == "Invalid JSON: Invalid control character at line 1, column 15."


# --- A Content-Length that is not a number: 400 on every path, before anything reads it -------------------

BAD_LENGTHS = ["1x", "-5", "+5", "5_0", "1 2", "0x10", "\u0665"]  # "\u0665" is int()'s 5 (Arabic-Indic)
EVERY_KIND_OF_PATH = ["/api/invoices/", "/api/", "/login", "/upload?format=pdf", "/", "/files/x",
                      "/admin/login/"]  # fmt: skip


@pytest.mark.parametrize("length", BAD_LENGTHS)
@pytest.mark.parametrize("url", EVERY_KIND_OF_PATH)
def test_a_content_length_that_is_not_a_whole_number_is_400_on_every_path(auth, settings, url, length):
    # Through the whole middleware stack, with DEBUG's traceback page as the one a 500 would show.
    settings.DEBUG = True

    response = auth.post(url, data=b"a", content_type="application/json", CONTENT_LENGTH=length)

    assert response.status_code == 400, response.content
    assert b"Traceback" not in response.content
    if url.startswith(("/api/", "/login", "/upload")):
        message = f"Invalid Content-Length header: {length!r} is not a whole number of bytes."
        assert response.json() == {"error": {"code": "invalid", "message": message}}
    else:
        assert b"<h1>Bad Request (400)</h1>" in response.content  # the site's 400 page, as for a bad Host
        assert response["Referrer-Policy"] == "no-referrer"
        assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert not Invoice.objects.exists()
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize("method", ["get", "head"])
def test_a_content_length_that_is_not_a_number_on_a_get_is_400_too(auth, method):
    response = getattr(auth, method)("/api/invoices/", CONTENT_LENGTH="1x")

    assert response.status_code == 400


def test_a_well_formed_content_length_is_let_through(auth):
    body = json.dumps(sample_payload()).encode()

    response = auth.post("/api/invoices/", data=body, content_type="application/json",
                         CONTENT_LENGTH=f"00{len(body)}")  # fmt: skip

    assert response.status_code == 202, response.content


@pytest.mark.parametrize("url", ["/api/invoices/", "/login"])
@pytest.mark.django_db
def test_a_host_the_service_does_not_answer_to_is_the_documented_400(api, url):
    # docs/api.md "Errors" names the code; a probe met it undocumented.
    response = api.post(url, data=b"{}", content_type="application/json", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"
    assert not Invoice.objects.exists()
