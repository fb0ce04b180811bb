"""The OpenAPI schema: valid, without generator warnings, true to the API, and in step with docs/api.md.

The schema is generated in-process, as `/api/schema/` and `manage.py spectacular` generate it. Its JSON
Schemas are checked against real request bodies and real answers of the API with `jsonschema`.
"""

import json
import re
import uuid
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils import timezone
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from drf_spectacular.validation import validate_schema
from jsonschema import Draft4Validator, FormatChecker  # type: ignore[import-untyped, unused-ignore]  # no stubs pinned

from invoices.models import Invoice, InvoiceStatus, Rendition
from tests.conftest import PASSWORD, basic
from tests.payloads import credit_note_payload, einvoice_payload, legacy_payload, sample_payload

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# An endpoint's section in docs/api.md: ### `POST /api/invoices/`
DOC_HEADING = re.compile(r"^### `([A-Z]+) (/\S*)`\s*$", re.MULTILINE)
NOT_API = ("/admin", "/metrics", "/api/schema", "/api/docs", "/healthz", "/readyz", "/static")


def generate() -> tuple[dict[str, Any], dict[str, int]]:
    """The schema as plain JSON values, and the generator's warnings and errors."""
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    problems = {**GENERATOR_STATS._warn_cache, **GENERATOR_STATS._error_cache}
    return json.loads(OpenApiJsonRenderer().render(schema)), problems


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    schema, _problems = generate()
    return schema


def operations(openapi: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): operation
        for path, item in openapi["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


def as_json_schema(node: Any) -> Any:
    """OpenAPI 3.0's ``nullable: true`` as JSON Schema: the value or null."""
    if isinstance(node, list):
        return [as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: as_json_schema(value) for key, value in node.items() if key != "nullable"}
    return {"anyOf": [converted, {"type": "null"}]} if node.get("nullable") is True else converted


def validator(openapi: dict[str, Any], schema: dict[str, Any]) -> Draft4Validator:
    """A validator for one schema of the document, its ``$ref``s resolved against the components.

    OpenAPI 3.0 schema objects are a variant of JSON Schema draft 4 (boolean exclusiveMinimum/Maximum)."""
    document = as_json_schema({**schema, "components": openapi["components"]})
    return Draft4Validator(document, format_checker=FormatChecker())


def request_content(openapi: dict[str, Any], method: str, path: str, media_type: str = "application/json"):
    operation = openapi["paths"][path][method.lower()]
    return operation["requestBody"]["content"][media_type]


def response_schema(
    openapi: dict[str, Any], method: str, path: str, status: int, media_type: str = "application/json"
) -> dict[str, Any]:
    return openapi["paths"][path][method.lower()]["responses"][str(status)]["content"][media_type]["schema"]


def problems_of(validator: Draft4Validator, instance: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(instance)
    ]


# --- (1) A valid schema, generated without a warning ---------------------------------------------------


def test_the_schema_is_valid_openapi_and_generates_without_warnings_or_errors():
    schema, problems = generate()

    assert problems == {}
    validate_schema(schema)  # raises on any violation of the OpenAPI 3.0 specification


def test_the_schema_covers_exactly_the_api(openapi):
    assert set(openapi["paths"]) == {
        "/login",
        "/api/",
        "/api/auth/token/",
        "/api/auth/token/refresh/",
        "/api/auth/logout/",
        "/api/me/",
        "/api/invoices/",
        "/api/invoices/{id}/",
        "/api/invoices/{id}/download/",
        "/api/invoices/{id}/renditions/",
        "/api/invoices/{id}/proof/",
        "/api/invoice-batches/",
        "/api/invoice-batches/{id}/",
        "/api/invoice-batches/{id}/download/",
        "/api/invoice-batches/{id}/links/",
        "/api/invoices/{id}/links/",
        "/api/links/",
        "/upload",
        "/download",
        "/api/webhooks/",
        "/api/webhooks/{id}/",
        "/api/webhooks/{id}/rotate-secret/",
        "/api/webhooks/{id}/deliveries/",
        "/api/webhooks/{id}/test/",
        "/api/brands/",
        "/api/brands/{id}/",
        "/api/brands/{id}/versions/",
        "/api/brands/{id}/logo/",
        "/api/brands/{id}/preview/",
        "/api/number-series/",
        "/api/number-series/{id}/",
    }
    assert not [path for path in openapi["paths"] if path.startswith(NOT_API)]


def test_every_error_answer_is_the_one_error_shape(openapi):
    error_ref = {"$ref": "#/components/schemas/Error"}
    for (method, path), operation in operations(openapi).items():
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            json_body = response["content"]["application/json"]
            assert json_body["schema"] == error_ref, (method, path, status)
            assert json_body.get("examples"), f"{method} {path} {status} has no example"
            for example in json_body["examples"].values():
                assert problems_of(validator(openapi, error_ref), example["value"]) == []


def test_security_requirements_match_what_an_anonymous_caller_gets(openapi, api, db):
    for (method, path), operation in operations(openapi).items():
        url = path.replace("{id}", str(uuid.uuid4()))
        response = api.generic(method, url, b"{}", content_type="application/json")
        public = {} in operation["security"]

        assert (response.status_code != 401) == public, (method, path, response.status_code)
        if not public:
            schemes = {name for requirement in operation["security"] for name in requirement}
            expected = "Basic" if schemes == {"basicAuth"} else "Bearer"
            assert schemes in ({"basicAuth"}, {"jwtAuth"})
            assert response["WWW-Authenticate"].startswith(expected)


# --- (2) docs/api.md documents exactly the schema's endpoints, with all their answers ------------------


def documented_sections() -> dict[tuple[str, str], str]:
    text = DOCS.read_text()
    headings = list(DOC_HEADING.finditer(text))
    sections = {}
    for index, heading in enumerate(headings):
        end = headings[index + 1].start() if index + 1 < len(headings) else len(text)
        section = text[heading.end() : end].split("\n## ")[0]  # up to the next heading of any level
        sections[heading.group(1), heading.group(2)] = section
    return sections


def test_docs_document_every_endpoint_of_the_schema_and_no_other(openapi):
    documented = set(documented_sections())
    in_schema = set(operations(openapi))

    assert in_schema - documented == set(), "endpoints in the schema without a section in docs/api.md"
    assert documented - in_schema == set(), "endpoints in docs/api.md that the schema does not have"


def test_docs_name_every_answer_the_schema_lists(openapi):
    sections = documented_sections()
    missing = [
        f"{method} {path}: `{status}`"
        for (method, path), operation in operations(openapi).items()
        for status in operation["responses"]
        if f"`{status}`" not in sections.get((method, path), "")
    ]

    assert missing == []


def test_docs_list_every_error_code_the_schema_shows(openapi):
    text = DOCS.read_text()
    codes = {
        example["value"]["error"]["code"]
        for operation in operations(openapi).values()
        for status, response in operation["responses"].items()
        if int(status) >= 400
        for example in response["content"]["application/json"]["examples"].values()
    }

    assert sorted(code for code in codes if f"`{code}`" not in text) == []


# --- (3) The schema and Swagger UI are served, without auth and without a CDN --------------------------


def test_the_schema_is_served_without_auth(api, openapi):
    as_yaml = api.get("/api/schema/")
    as_json = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert as_yaml.status_code == as_json.status_code == 200
    assert yaml.safe_load(as_yaml.content)["paths"].keys() == openapi["paths"].keys()
    assert (
        json.loads(as_json.content)["components"]["schemas"].keys() == openapi["components"]["schemas"].keys()
    )


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"script": "src", "link": "href", "img": "src"}.get(tag)
        self.urls += [value for name, value in attrs if name == wanted and value]


def test_swagger_ui_is_served_without_auth_from_local_static_files_only(api):
    response = api.get("/api/docs/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assets = _Assets()
    assets.feed(page)
    static_url = "/" + settings.STATIC_URL.lstrip("/")
    assert len(assets.urls) >= 3  # the stylesheet, the bundle, the standalone preset
    for url in assets.urls:
        assert url.startswith(static_url), url
        assert finders.find(url.removeprefix(static_url)), f"{url} is not a shipped static file"
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert '"/api/schema/"' in page


# --- (4) The request-body schema accepts the real payloads and refuses what the API refuses ------------


def upload_validator(openapi: dict[str, Any], path: str = "/api/invoices/") -> Draft4Validator:
    return validator(openapi, request_content(openapi, "POST", path)["schema"])


def test_the_request_body_schema_accepts_the_sample_and_the_legacy_payloads(openapi):
    body = upload_validator(openapi)

    assert problems_of(body, sample_payload()) == []
    assert problems_of(body, einvoice_payload()) == []
    assert problems_of(body, credit_note_payload()) == []
    assert problems_of(body, json.loads(json.dumps(legacy_payload(), default=float))) == []
    assert problems_of(upload_validator(openapi, "/upload"), sample_payload()) == []


def test_the_request_body_schema_rejects_unknown_fields_at_every_level(openapi):
    body = upload_validator(openapi)
    top, invoice, line = sample_payload(), sample_payload(), sample_payload()
    top["colour"] = "red"
    invoice["invoice"]["colour"] = "red"
    line["invoice"]["lines"][0]["colour"] = "red"

    for payload in (top, invoice, line):
        assert not body.is_valid(payload)


def _mutations() -> dict[str, tuple[dict[str, Any], str]]:
    """Payloads the schema can tell are wrong, and the field path the API names."""

    def changed(change) -> dict[str, Any]:
        payload = sample_payload()
        change(payload)
        return payload

    return {
        "unknown top-level field": (changed(lambda p: p.update(colour="red")), "colour"),
        "unknown invoice field": (changed(lambda p: p["invoice"].update(colour="red")), "invoice.colour"),
        "no lines": (changed(lambda p: p["invoice"].update(lines=[])), "invoice.lines"),
        "too many lines": (sample_payload(lines=1001), "invoice.lines"),
        "negative quantity": (
            changed(lambda p: p["invoice"]["lines"][0].update(quantity="-1")),
            "invoice.lines[0].quantity",
        ),
        "NaN price": (
            changed(lambda p: p["invoice"]["lines"][1].update(unit_price="NaN")),
            "invoice.lines[1].unit_price",
        ),
        "unknown currency": (changed(lambda p: p["invoice"].update(currency="XXY")), "invoice.currency"),
        "lower-case country": (
            changed(lambda p: p["invoice"]["seller"].update(country="fr")),
            "invoice.seller.country",
        ),
        "number too long": (changed(lambda p: p["invoice"].update(number="N" * 65)), "invoice.number"),
        "no buyer": (changed(lambda p: p["invoice"].pop("buyer")), "invoice.buyer"),
        "unknown format": (changed(lambda p: p.update(format="docx")), "format"),
        "percent over 100 as a number": (
            changed(lambda p: p["invoice"]["lines"][0].update(tax_rate=101)),
            "invoice.lines[0].tax_rate",
        ),
    }


@pytest.mark.parametrize("case", list(_mutations()))
def test_what_the_schema_refuses_the_api_refuses(openapi, client_for, user, case):
    payload, field = _mutations()[case]

    assert not upload_validator(openapi).is_valid(payload)
    response = client_for(user).post(
        "/api/invoices/", data=json.dumps(payload), content_type="application/json"
    )
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_every_request_example_in_the_schema_is_valid_and_accepted_by_the_api(openapi, client_for, make_user):
    for path in ("/api/invoices/", "/upload"):
        # A user per path: the same example again would be the same invoice number, a replay.
        auth = client_for(make_user(f"{path.strip('/').replace('/', '-')}@example.com"))
        content = request_content(openapi, "POST", path)
        assert content["examples"]
        for name, example in content["examples"].items():
            assert problems_of(validator(openapi, content["schema"]), example["value"]) == [], name
            response = auth.post(path, data=json.dumps(example["value"]), content_type="application/json")
            assert response.status_code == 202, (path, name, response.content)


# --- (5) Real answers of the API match the response schemas -------------------------------------------


def test_real_answers_match_the_response_schemas(openapi, client_for, user, api):
    auth = client_for(user)

    def check(method: str, path: str, status: int, response, media_type: str = "application/json") -> None:
        assert response.status_code == status, response.content
        schema = response_schema(openapi, method, path, status, media_type)
        assert problems_of(validator(openapi, schema), response.json()) == [], (method, path, status)

    created = auth.post("/api/invoices/", data=json.dumps(sample_payload()), content_type="application/json")
    check("POST", "/api/invoices/", 202, created)
    assert "Location" in openapi["paths"]["/api/invoices/"]["post"]["responses"]["202"]["headers"]
    assert created["Location"] == created.json()["links"]["self"]
    invoice_id = created.json()["id"]

    check("GET", "/api/invoices/{id}/", 200, auth.get(f"/api/invoices/{invoice_id}/"))
    check("GET", "/api/invoices/", 200, auth.get("/api/invoices/?page_size=1"))
    check("GET", "/api/invoices/{id}/download/", 409, auth.get(f"/api/invoices/{invoice_id}/download/"))
    check("GET", "/api/invoices/{id}/", 404, auth.get(f"/api/invoices/{uuid.uuid4()}/"))
    check("GET", "/api/invoices/{id}/proof/", 200, auth.get(f"/api/invoices/{invoice_id}/proof/"))
    check("GET", "/api/invoices/{id}/proof/", 404, auth.get(f"/api/invoices/{uuid.uuid4()}/proof/"))
    check(
        "POST", "/api/invoices/", 400, auth.post("/api/invoices/", data="{", content_type="application/json")
    )
    check("GET", "/download", 400, auth.get("/download"))
    check("GET", "/api/me/", 200, auth.get("/api/me/"))
    check("GET", "/api/me/", 401, api.get("/api/me/"))
    set_profile = {"language": "de", "locale": "de_ch"}
    check("PATCH", "/api/me/", 200, auth.patch("/api/me/", data=set_profile, format="json"))
    check("PATCH", "/api/me/", 400, auth.patch("/api/me/", data={"locale": "xx-YY"}, format="json"))
    check("PATCH", "/api/me/", 401, api.patch("/api/me/", data=set_profile, format="json"))
    check("GET", "/api/", 200, api.get("/api/"))
    check("POST", "/login", 200, api.post("/login", HTTP_AUTHORIZATION=basic(user.email, PASSWORD)))
    check("POST", "/login", 401, api.post("/login", HTTP_AUTHORIZATION=basic(user.email, "wrong")))

    # A finished invoice: the file, its timestamps and a failure_reason stay in the schema too.
    Rendition.objects.filter(invoice_id=invoice_id).update(
        status=InvoiceStatus.READY,
        file_name="x",
        download_name="INV-2026-0042.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        rendered_at=timezone.now(),
    )
    Invoice.objects.filter(id=invoice_id).update(status=InvoiceStatus.READY, rendered_at=timezone.now())
    ready = auth.get(f"/api/invoices/{invoice_id}/")
    check("GET", "/api/invoices/{id}/", 200, ready)
    assert ready.json()["file"] is not None
    Invoice.objects.filter(id=invoice_id).update(status=InvoiceStatus.FAILED, failure_reason="Broken.")
    check("GET", "/api/invoices/{id}/", 200, auth.get(f"/api/invoices/{invoice_id}/"))

    # The same number again: the same content is the invoice (200), other content a conflict (409).
    again = auth.post("/api/invoices/", data=json.dumps(sample_payload()), content_type="application/json")
    check("POST", "/api/invoices/", 200, again)
    assert {"Content-Location", "Idempotent-Replayed"} <= set(
        openapi["paths"]["/api/invoices/"]["post"]["responses"]["200"]["headers"]
    )
    other = auth.post(
        "/api/invoices/", data=json.dumps(sample_payload(fmt="csv")), content_type="application/json"
    )
    check("POST", "/api/invoices/", 409, other)
    assert other.json()["error"]["invoice_id"] == invoice_id

    # Renditions: added (202), there already (200), an unknown format (400); downloads by format.
    renditions = f"/api/invoices/{invoice_id}/renditions/"
    path = "/api/invoices/{id}/renditions/"
    check("POST", path, 202, auth.post(renditions, {"format": "csv"}, format="json"))
    check("POST", path, 200, auth.post(renditions, {"format": "csv"}, format="json"))
    check("POST", path, 400, auth.post(renditions, {"format": "docx"}, format="json"))
    check(
        "POST",
        path,
        404,
        auth.post(f"/api/invoices/{uuid.uuid4()}/renditions/", {"format": "csv"}, format="json"),
    )
    download = "/api/invoices/{id}/download/"
    check("GET", download, 409, auth.get(f"/api/invoices/{invoice_id}/download/?format=csv"))
    check("GET", download, 404, auth.get(f"/api/invoices/{invoice_id}/download/?format=xlsx"))
    check("GET", download, 400, auth.get(f"/api/invoices/{invoice_id}/download/?format=docx"))


def test_the_plain_text_login_answers_the_documented_media_type(openapi, api, user):
    responses = openapi["paths"]["/login"]["post"]["responses"]
    answer = api.post("/login", HTTP_AUTHORIZATION=basic(user.email, PASSWORD), HTTP_ACCEPT="text/plain")

    assert answer.status_code == 200
    assert answer["Content-Type"].split(";")[0] in responses["200"]["content"]
    assert answer["Content-Type"].startswith("text/plain")
    assert responses["200"]["content"]["text/plain"]["schema"] == {"type": "string"}
