"""Schemathesis against the running app: every operation of the served OpenAPI schema, fuzzed over HTTP.

The app runs as gunicorn on the real services (tests/fuzz/conftest.py); the schema is loaded from its
``/api/schema/``. Each operation gets ``FUZZ_EXAMPLES`` generated cases (default 300; an operation without
any input, ``GET /api/``, has only one distinct request; a batch upload gets a third of them, as each of
its cases carries many invoices), drawn from the schema's examples, from data that fits the schema and
from data that breaks it (schemathesis' positive and negative modes), and every answer must:

- never be a 5xx (``not_a_server_error``);
- have a status code the schema lists for the operation (``status_code_conformance``);
- have a content type the schema lists for that status (``content_type_conformance``);
- have a body and headers that validate against the schema (``response_schema_conformance``,
  ``response_headers_conformance``).

Random data mostly earns 400s and 404s, so the cases are steered part of the time to reach deep: uploads
carry a valid invoice from tests/fuzz/strategies.py (so some are accepted and stored: 202), ids name real
invoices (one ready file per format, one still queued), token endpoints get a real refresh token, the
token and /login endpoints the real credentials, batch ids a completed batch of the fuzz user, series ids a
series of the fuzz user (uploads of a batch a list of valid invoices). Steering only replaces values; the
generated request is otherwise sent as it is. Authenticated operations carry the fuzz user's real JWT, most
of the time; the rest keep whatever schemathesis generated (usually no or a bad Authorization: 401). A
logout revokes a refresh token of its own, drawn fresh for that case, so it never breaks the rest of the run.

Seeded (``FUZZ_SEED``, default 7) with the example database off: the same seed sends the same requests.
The terminal summary reports, per operation, the cases sent and the share answered 2xx, and each
operation must have been answered 2xx at least once.

    FUZZ_EXAMPLES=300 FUZZ_SEED=7 pytest tests/fuzz/test_api_schema*.py

The operations are run in three parts (``PARTS``), one test module each (tests/fuzz/test_api_schema*.py).
Each module has its own gunicorn and data (the module-scoped ``live_app``), so xdist runs the parts on
different workers at once: as one module, the run was the suite's longest chain by minutes. An operation
whose cases delete what a later one needs (a series, a brand, the webhook) stays in one part with it,
after it.
"""

import base64
import itertools
import os
from collections.abc import Callable
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.fuzz.conftest import FUZZ_WEBHOOK_URL, LiveApp
from tests.fuzz.strategies import valid_documents
from tests.fuzz.tally import TALLY

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))
# Operations whose every case is many requests' worth of work: a share of EXAMPLES.
EXAMPLE_SHARE = {"POST /api/invoice-batches/": 3}
SEED = int(os.environ.get("FUZZ_SEED", "7"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]

# A new series code for every steered create, the same sequence in every run.
_SERIES_CODES = itertools.count()

GUNICORN_REQUEST_LINE_LIMIT = 4094  # gunicorn's default limit_request_line (docker/gunicorn.conf.py keeps it)

# Every operation of the schema; test_the_fuzzed_operations_are_all_of_the_schema keeps this list honest.
OPERATIONS = [
    "POST /login",
    "GET /api/",
    "POST /api/auth/token/",
    "POST /api/auth/token/refresh/",
    "POST /api/auth/logout/",
    "GET /api/me/",
    "PATCH /api/me/",
    "GET /api/invoices/",
    "POST /api/invoices/",
    "GET /api/invoices/{id}/",
    "GET /api/invoices/{id}/download/",
    "POST /api/invoices/{id}/renditions/",
    "GET /api/invoices/{id}/proof/",
    "GET /api/invoices/{id}/links/",
    "POST /api/invoices/{id}/links/",
    "DELETE /api/invoices/{id}/links/",
    "GET /api/links/",
    "DELETE /api/links/",
    "GET /api/invoice-batches/",
    "POST /api/invoice-batches/",
    "GET /api/invoice-batches/{id}/",
    "GET /api/invoice-batches/{id}/download/",
    "GET /api/invoice-batches/{id}/links/",
    "POST /api/invoice-batches/{id}/links/",
    "DELETE /api/invoice-batches/{id}/links/",
    "POST /upload",
    "GET /download",
    "GET /api/number-series/",
    "POST /api/number-series/",
    "GET /api/number-series/{id}/",
    "PATCH /api/number-series/{id}/",
    "DELETE /api/number-series/{id}/",  # after GET and PATCH: its steered cases delete the seed series
    "GET /api/webhooks/",
    "POST /api/webhooks/",
    "GET /api/webhooks/{id}/",
    "PATCH /api/webhooks/{id}/",
    "POST /api/webhooks/{id}/rotate-secret/",
    "GET /api/webhooks/{id}/deliveries/",
    "POST /api/webhooks/{id}/test/",
    "GET /api/brands/",
    "POST /api/brands/",
    "GET /api/brands/{id}/",
    "GET /api/brands/{id}/versions/",
    "GET /api/brands/{id}/logo/",
    "GET /api/brands/{id}/preview/",
    "PATCH /api/brands/{id}/",
    "PUT /api/brands/{id}/",  # after the logo's: a steered PUT sends no logo, which removes it
    "DELETE /api/brands/{id}/",  # after the other brand operations: its steered cases delete the brand
    "DELETE /api/webhooks/{id}/",  # last: its steered cases delete the fuzz user's endpoint
]

# The parts, each a module of its own (tests/fuzz/test_api_schema*.py), balanced by their time in a run.
PARTS = {
    "accounts and invoices": OPERATIONS[: OPERATIONS.index("GET /api/invoice-batches/")],
    "batches, the flat API and series": OPERATIONS[
        OPERATIONS.index("GET /api/invoice-batches/") : OPERATIONS.index("GET /api/webhooks/")
    ],
    "webhooks and brands": OPERATIONS[OPERATIONS.index("GET /api/webhooks/") :],
}


@pytest.fixture(scope="module")
def api_schema(live_app: LiveApp) -> Any:
    config = schemathesis.Config.from_dict({"seed": SEED})
    schema = schemathesis.openapi.from_url(f"{live_app.base_url}/api/schema/", config=config, timeout=30)
    schema.config.update(base_url=live_app.base_url)
    return schema


def operation_of(schema: Any, label: str) -> Any:
    method, path = label.split(" ", 1)
    return schema[path][method]


def cases_of(operation: Any) -> st.SearchStrategy[Any]:
    """The schema's own examples (filled in where partial), data that fits the schema and data that breaks
    it: schemathesis' examples and fuzzing phases."""
    return st.one_of(
        *operation.get_strategies_from_examples(),
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )


# --- Steering: real values put into part of the generated cases ------------------------------------------


def steered(data: st.DataObject, label: str) -> bool:
    """Whether this case gets a real value: mostly yes. (Hypothesis favours the first choice, the simplest;
    ``integers(...) > 0`` would come out 0, "no", far more often than its share.)"""
    return bool(data.draw(st.sampled_from([True, True, False]), label=label))


def _basic(email: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{email}:{password}".encode()).decode()


def _steer_upload(case: Any, data: st.DataObject, app: LiveApp) -> None:
    if case.media_type == "application/json" and steered(data, "valid invoice"):
        case.body = data.draw(valid_documents(count=st.integers(1, 4)), label="invoice")


def _steer_invoice_id(case: Any, data: st.DataObject, app: LiveApp) -> None:
    if steered(data, "real id"):
        case.path_parameters["id"] = data.draw(st.sampled_from([*app.ready.values(), app.queued]))


def _steer_rendition(case: Any, data: st.DataObject, app: LiveApp) -> None:
    _steer_invoice_id(case, data, app)
    if case.media_type == "application/json" and steered(data, "a format"):
        formats = ["pdf", "xlsx", "excel", "csv", "ubl", "cii", "facturx"]
        case.body = {"format": data.draw(st.sampled_from(formats), label="format")}


def _steer_link(case: Any, data: st.DataObject, app: LiveApp) -> None:
    # Formats the invoices have and lack, lives in range and just outside it.
    _steer_invoice_id(case, data, app)
    if case.media_type == "application/json" and steered(data, "a format and a life"):
        case.body = {
            "format": data.draw(st.sampled_from(["pdf", "xlsx", "excel", "csv", "ubl"]), label="format"),
            "expires_in": data.draw(st.sampled_from([60, 3600, 86400, 604800, 59, 604801]), label="life"),
        }


def _steer_batch(case: Any, data: st.DataObject, app: LiveApp) -> None:
    # A list of valid invoices (a batch of one to three), or NDJSON of them.
    if case.media_type == "application/json" and steered(data, "valid invoices"):
        case.body = data.draw(st.lists(valid_documents(count=st.integers(1, 3)), min_size=1, max_size=3))


def _steer_batch_id(case: Any, data: st.DataObject, app: LiveApp) -> None:
    if steered(data, "real batch id"):
        case.path_parameters["id"] = app.batch


def _steer_batch_link(case: Any, data: st.DataObject, app: LiveApp) -> None:
    # Formats the batch has and lacks, lives in range and just outside it.
    _steer_batch_id(case, data, app)
    if case.media_type == "application/json" and steered(data, "a format and a life"):
        case.body = {
            "format": data.draw(st.sampled_from(["pdf", "xlsx", "excel", "csv", "ubl"]), label="format"),
            "expires_in": data.draw(st.sampled_from([60, 3600, 86400, 604800, 59, 604801]), label="life"),
        }


def _steer_fid(case: Any, data: st.DataObject, app: LiveApp) -> None:
    if steered(data, "real fid"):
        case.query = {
            **(case.query or {}),
            "fid": data.draw(st.sampled_from([*app.ready.values(), app.queued])),
        }


def _steer_credentials(case: Any, data: st.DataObject, app: LiveApp) -> None:
    if case.media_type == "application/json" and steered(data, "real credentials"):
        case.body = {"email": app.email, "password": app.password}


def _steer_refresh(case: Any, data: st.DataObject, app: LiveApp) -> None:
    # A refresh token of its own for this case: refreshing or revoking it touches no other case.
    if case.media_type == "application/json" and steered(data, "real refresh token"):
        case.body = {"refresh": app.login()["refresh"]}


def _steer_profile(case: Any, data: st.DataObject, app: LiveApp) -> None:
    # Languages and locales the API accepts, and a few it refuses: the schema cannot tell them apart.
    if case.media_type == "application/json" and steered(data, "a real language and locale"):
        case.body = {
            "language": data.draw(st.sampled_from(["en", "de", "zh-hans", "ar", "xx"]), label="language"),
            "locale": data.draw(
                st.sampled_from(["", "de-CH", "de_ch", "zh-Hant-TW", "xx-YY"]), label="locale"
            ),
        }


def _steer_login(case: Any, data: st.DataObject, app: LiveApp) -> None:
    if steered(data, "real Basic credentials"):
        case.headers = {**(case.headers or {}), "Authorization": _basic(app.email, app.password)}


def _steer_webhook_id(case: Any, data: st.DataObject, app: LiveApp) -> None:
    if steered(data, "real webhook id"):
        case.path_parameters["id"] = app.webhook


def _steer_webhook_body(case: Any, data: st.DataObject, app: LiveApp) -> None:
    if "id" in (case.path_parameters or {}):
        _steer_webhook_id(case, data, app)
    if case.media_type == "application/json" and steered(data, "a valid endpoint"):
        case.body = {
            "url": FUZZ_WEBHOOK_URL,
            "event_types": data.draw(
                st.lists(st.sampled_from(["batch.completed", "invoice.ready", "invoice.x"]), min_size=1),
                label="event types",
            ),
        }


def _steer_brand_id(case: Any, data: st.DataObject, app: LiveApp) -> None:
    if steered(data, "real brand id"):
        case.path_parameters["id"] = app.brand


def _steer_brand_body(case: Any, data: st.DataObject, app: LiveApp) -> None:
    # A fresh name each time (a repeated one is a 400 on name), a look the API accepts or just refuses.
    if "id" in (case.path_parameters or {}):
        _steer_brand_id(case, data, app)
    if case.media_type == "application/json" and steered(data, "a valid brand"):
        case.body = {
            "name": f"Fuzz {data.draw(st.uuids(), label='name')}",
            "layout": data.draw(st.sampled_from(["classic", "modern", "compact", "fancy"]), label="layout"),
            "accent_color": data.draw(st.sampled_from(["#1F4E79", "#000000", "red"]), label="accent"),
            "footer": data.draw(st.sampled_from(["", "Line 1\nLine 2", "1\n2\n3\n4"]), label="footer"),
        }


def _steer_preview(case: Any, data: st.DataObject, app: LiveApp) -> None:
    _steer_brand_id(case, data, app)
    if steered(data, "a layout"):
        layout = data.draw(st.sampled_from(["classic", "modern", "compact", "fancy"]), label="layout")
        case.query = {**(case.query or {}), "layout": layout}


def _steer_series_body(case: Any, data: st.DataObject, app: LiveApp) -> None:
    # Valid series (a new code each time on create: codes are unique per account) and patterns the schema
    # cannot tell from valid ones: an unknown token, a stray brace, a yearly series without a year.
    if "id" in (case.path_parameters or {}):
        _steer_series_id(case, data, app)
    if case.media_type == "application/json" and steered(data, "a real series"):
        body = {
            "pattern": data.draw(
                st.sampled_from(
                    ["R-{YYYY}-{seq:05}", "{YY}/{MM}/{seq}", "R-{seq}-{DD}", "R-{seq}}", "R-{seq}"]
                ),
                label="pattern",
            ),
            "reset": data.draw(st.sampled_from(["yearly", "never"]), label="reset"),
        }
        if case.method.upper() == "POST":
            body["code"] = f"S-{next(_SERIES_CODES)}"
        case.body = body


def _steer_series_id(case: Any, data: st.DataObject, app: LiveApp) -> None:
    if steered(data, "real series id"):
        case.path_parameters["id"] = app.series


STEERING: dict[str, Callable[[Any, st.DataObject, LiveApp], None]] = {
    "POST /login": _steer_login,
    "POST /api/auth/token/": _steer_credentials,
    "POST /api/auth/token/refresh/": _steer_refresh,
    "POST /api/auth/logout/": _steer_refresh,
    "PATCH /api/me/": _steer_profile,
    "POST /api/invoices/": _steer_upload,
    "POST /upload": _steer_upload,
    "GET /api/invoices/{id}/": _steer_invoice_id,
    "GET /api/invoices/{id}/download/": _steer_invoice_id,
    "POST /api/invoices/{id}/renditions/": _steer_rendition,
    "GET /api/invoices/{id}/proof/": _steer_invoice_id,
    "GET /api/invoices/{id}/links/": _steer_invoice_id,
    "POST /api/invoices/{id}/links/": _steer_link,
    "DELETE /api/invoices/{id}/links/": _steer_invoice_id,
    "POST /api/invoice-batches/": _steer_batch,
    "GET /api/invoice-batches/{id}/": _steer_batch_id,
    "GET /api/invoice-batches/{id}/download/": _steer_batch_id,
    "GET /api/invoice-batches/{id}/links/": _steer_batch_id,
    "POST /api/invoice-batches/{id}/links/": _steer_batch_link,
    "DELETE /api/invoice-batches/{id}/links/": _steer_batch_id,
    "GET /download": _steer_fid,
    "POST /api/number-series/": _steer_series_body,
    "GET /api/number-series/{id}/": _steer_series_id,
    "PATCH /api/number-series/{id}/": _steer_series_body,
    "DELETE /api/number-series/{id}/": _steer_series_id,
    "POST /api/webhooks/": _steer_webhook_body,
    "GET /api/webhooks/{id}/": _steer_webhook_id,
    "PATCH /api/webhooks/{id}/": _steer_webhook_body,
    "POST /api/webhooks/{id}/rotate-secret/": _steer_webhook_id,
    "GET /api/webhooks/{id}/deliveries/": _steer_webhook_id,
    "POST /api/webhooks/{id}/test/": _steer_webhook_id,
    "DELETE /api/webhooks/{id}/": _steer_webhook_id,
    "POST /api/brands/": _steer_brand_body,
    "GET /api/brands/{id}/": _steer_brand_id,
    "GET /api/brands/{id}/versions/": _steer_brand_id,
    "GET /api/brands/{id}/logo/": _steer_brand_id,
    "GET /api/brands/{id}/preview/": _steer_preview,
    "PATCH /api/brands/{id}/": _steer_brand_body,
    "PUT /api/brands/{id}/": _steer_brand_body,
    "DELETE /api/brands/{id}/": _steer_brand_id,
}


def _uses_jwt(operation: Any) -> bool:
    security = operation.definition.raw.get("security", [])
    return any("jwtAuth" in requirement for requirement in security)


def _authorize(case: Any, data: st.DataObject, access: str) -> None:
    if _uses_jwt(case.operation) and steered(data, "real JWT"):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {access}"}


# --- The run --------------------------------------------------------------------------------------------


def served_operations(api_schema: Any) -> set[str]:
    return {f"{result.ok().method.upper()} {result.ok().path}" for result in api_schema.get_all_operations()}


def conforms(api_schema: Any, live_app: LiveApp, label: str) -> None:
    """Fuzz one operation: every answer conforms, and at least one case got past validation."""
    operation = operation_of(api_schema, label)
    access = live_app.login()["access"]
    steer = STEERING.get(label)
    session = requests.Session()

    @settings(
        max_examples=max(1, EXAMPLES // EXAMPLE_SHARE.get(label, 1)),
        database=None,
        deadline=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    @seed(SEED)
    @given(case=cases_of(operation), data=st.data())
    def fuzz(case: Any, data: st.DataObject) -> None:
        if steer is not None:
            steer(case, data, live_app)
        _authorize(case, data, access)
        response = case.call(session=session, timeout=60)
        TALLY.record(label, response.status_code)
        if response.status_code == 414:
            assert_refused_by_gunicorn(response)
            return
        case.validate_response(response, checks=CHECKS)

    log_start = len(live_app.log())
    try:
        fuzz()
    finally:
        session.close()
    ok, total = TALLY.success_share(label)
    assert ok > 0, f"{label}: none of {total} cases was answered 2xx; the fuzzing never got past validation"
    # An exception the app caught and answered with a 4xx would still be logged by Django as an error.
    # (pika logs a traceback of its own when the broker drops an idle connection; the publisher reconnects.)
    new_log = live_app.log()[log_start:]
    assert "ERROR django.request" not in new_log, new_log[-5000:]


def assert_refused_by_gunicorn(response: Any) -> None:
    """A 414 comes from gunicorn itself, before the app (so not in the app's schema): only for a request line
    over its ``limit_request_line``. Noted in the report; the app never sees such a request."""
    request_line = f"{response.request.method} {response.request.path_url} HTTP/1.1"
    assert len(request_line.encode()) > GUNICORN_REQUEST_LINE_LIMIT, request_line
