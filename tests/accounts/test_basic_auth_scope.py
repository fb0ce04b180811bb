"""docs/security.md case 3: HTTP Basic credentials open /login and nothing else.

Every route of the site is listed below (a new route fails the completeness test until it is placed), and
each protected one is called with the right Basic credentials of an active user: the answer is the same
401 Bearer challenge as with no credentials, and nothing is done on the caller's behalf.
"""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from invoices.models import Invoice
from tests.conftest import basic
from tests.payloads import sample_payload

pytestmark = pytest.mark.security

SOME_ID = uuid.UUID("1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b")  # fixed: stable test ids

# (method, path) of every route that needs a caller.
PROTECTED = [
    ("get", "/api/me/"),
    ("patch", "/api/me/"),
    ("get", "/api/invoices/"),
    ("post", "/api/invoices/"),
    ("get", f"/api/invoices/{SOME_ID}/"),
    ("get", f"/api/invoices/{SOME_ID}/download/"),
    ("post", f"/api/invoices/{SOME_ID}/renditions/"),
    ("get", "/api/invoice-batches/"),
    ("post", "/api/invoice-batches/"),
    ("get", f"/api/invoice-batches/{SOME_ID}/"),
    ("get", f"/api/invoice-batches/{SOME_ID}/download/"),
    ("get", f"/api/invoice-batches/{SOME_ID}/links/"),
    ("post", f"/api/invoice-batches/{SOME_ID}/links/"),
    ("delete", f"/api/invoice-batches/{SOME_ID}/links/"),
    ("get", f"/api/invoices/{SOME_ID}/links/"),
    ("post", f"/api/invoices/{SOME_ID}/links/"),
    ("delete", f"/api/invoices/{SOME_ID}/links/"),
    ("get", "/api/links/"),
    ("delete", "/api/links/"),
    ("post", "/upload?format=pdf"),
    ("get", f"/download?fid={SOME_ID}"),
    ("post", "/api/auth/logout/"),
    ("get", "/api/webhooks/"),
    ("post", "/api/webhooks/"),
    ("get", f"/api/webhooks/{SOME_ID}/"),
    ("patch", f"/api/webhooks/{SOME_ID}/"),
    ("delete", f"/api/webhooks/{SOME_ID}/"),
    ("post", f"/api/webhooks/{SOME_ID}/rotate-secret/"),
    ("get", f"/api/webhooks/{SOME_ID}/deliveries/"),
    ("post", f"/api/webhooks/{SOME_ID}/test/"),
    ("get", "/api/brands/"),
    ("post", "/api/brands/"),
    ("get", f"/api/brands/{SOME_ID}/"),
    ("patch", f"/api/brands/{SOME_ID}/"),
    ("put", f"/api/brands/{SOME_ID}/"),
    ("delete", f"/api/brands/{SOME_ID}/"),
    ("get", f"/api/brands/{SOME_ID}/versions/"),
    ("get", f"/api/brands/{SOME_ID}/logo/"),
    ("get", f"/api/brands/{SOME_ID}/preview/"),
    ("get", "/api/number-series/"),
    ("post", "/api/number-series/"),
    ("get", f"/api/number-series/{SOME_ID}/"),
    ("patch", f"/api/number-series/{SOME_ID}/"),
    ("delete", f"/api/number-series/{SOME_ID}/"),
    ("get", f"/api/invoices/{SOME_ID}/proof/"),
]
# Routes that take no caller, each with the reason; a Basic header gives them nothing to use.
PUBLIC = {
    "login": "the login door itself, the one place Basic credentials are read",
    "token-obtain": "takes the email and password in a JSON body",
    "token-refresh": "authenticated by the refresh token in the body",
    "api-root": "a list of links",
    "schema": "the OpenAPI document",
    "swagger-ui": "the API's documentation page",
    "landing": "the landing page: links only, no user data",
    "link-download": "a signed download link: its token is the credential, and no header is read",
    "rest_framework:login": "the browsable API's login page: a form under the login guard, never Basic",
    "rest_framework:logout": "ends the browser's session; nothing to authenticate",
}
ADMIN = "admin"  # session sign-in only: checked by test_basic_credentials_do_not_open_the_admin


def route_names(patterns: list | None = None, namespace: str = "") -> set[str]:
    """Every route's name, at any depth; a namespaced include's as ``namespace:name``."""
    names: set[str] = set()
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == ADMIN:
                names.add(ADMIN)
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names.update(route_names(entry.url_patterns, inner))
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def test_every_route_is_checked_here():
    from django.urls import resolve

    checked = {resolve(path.split("?")[0]).view_name for _, path in PROTECTED} | set(PUBLIC) | {ADMIN}

    assert route_names() == checked


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_basic_credentials_are_refused_everywhere_but_login(api, user, password, method, path):
    credentials = basic(user.email, password)
    assert api.post("/login", HTTP_AUTHORIZATION=credentials).status_code == 200  # they are right

    with_basic = getattr(api, method)(
        path, data=sample_payload(), format="json", HTTP_AUTHORIZATION=credentials
    )
    without = getattr(api, method)(path, data=sample_payload(), format="json")

    assert with_basic.status_code == 401
    assert with_basic["WWW-Authenticate"].startswith("Bearer")
    assert with_basic.json() == without.json()
    assert not Invoice.objects.exists()


def test_basic_credentials_do_not_open_the_admin(client, make_user, password):
    staff = make_user("staff@example.com", is_staff=True, is_superuser=True)

    response = client.get("/admin/invoices/invoice/", HTTP_AUTHORIZATION=basic(staff.email, password))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
