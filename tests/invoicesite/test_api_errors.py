"""One JSON error shape under the API; never an HTML page or a stack trace."""

from django.test import override_settings
from django.urls import resolve
from rest_framework.permissions import AllowAny
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from invoicesite.api_errors import flatten_fields


class Crashes(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request):
        raise RuntimeError("secret internal detail")


def test_an_unhandled_error_in_a_view_is_a_json_500_without_details():
    request = APIRequestFactory().get("/api/crash/")

    response = Crashes.as_view()(request)
    response.render()

    assert response.status_code == 500
    assert response.data["error"]["code"] == "server_error"
    assert b"secret internal detail" not in response.content
    assert b"Traceback" not in response.content


def test_unknown_api_path_is_a_json_404(client, db):
    response = client.get("/api/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Not found."}}


@override_settings(DEBUG=True)
def test_unknown_api_path_is_json_even_with_debug_on(client, db):
    response = client.get("/api/no-such-thing/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_wrong_method_is_a_json_405(api, tokens):
    response = api.delete("/api/me/", HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_malformed_json_body_is_a_json_400(api, db):
    response = api.post("/api/auth/token/", data="{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid",
        "message": "Invalid JSON: Expecting property name enclosed in double quotes at line 1, column 2.",
    }


def test_nested_validation_errors_flatten_to_field_paths():
    detail = {"invoice": {"lines": [{}, {"unit_price": ["Not a number."]}]}, "non_field_errors": ["Bad."]}

    assert flatten_fields(detail) == {"invoice.lines[1].unit_price": ["Not a number."], "": ["Bad."]}


def test_api_root_lists_the_endpoints_without_a_token(api, db):
    response = api.get("/api/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    links = response.json()
    assert links["login"].endswith("/login")
    # Every collection a client starts from, so that the browsable API reaches them all.
    for name, path in [("invoices", "/api/invoices/"), ("invoice_batches", "/api/invoice-batches/"),
                       ("links", "/api/links/"), ("brands", "/api/brands/"),
                       ("number_series", "/api/number-series/"), ("webhooks", "/api/webhooks/")]:  # fmt: skip
        assert links[name] == f"http://testserver{path}", name
        assert resolve(path).url_name, path
