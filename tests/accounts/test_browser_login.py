"""The browser's way in (docs/security.md cases 3 and 4): the browsable API's login page gives a session,
the session works for the API only with its CSRF token on unsafe methods, and the page (and the admin's
login, whose session the API accepts too) is under the same login guard as the token endpoints."""

import json

import pytest
from django.test import Client
from rest_framework.throttling import ScopedRateThrottle

from invoices.models import Invoice
from tests.conftest import basic
from tests.payloads import sample_payload

pytestmark = pytest.mark.security

LOGIN_PAGE = "/api-auth/login/"


def page_login(client: Client, email: str, password: str, **extra):
    return client.post(LOGIN_PAGE, {"username": email, "password": password}, **extra)


def fail_token_login(api, email: str):
    return api.post("/login", HTTP_AUTHORIZATION=basic(email, "wrong guess"))


def test_the_login_page_gives_a_session_the_browsable_api_accepts(client, user, password):
    page = client.get(f"{LOGIN_PAGE}?next=/api/invoices/")
    assert page.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()

    response = client.post(
        LOGIN_PAGE, {"username": user.email, "password": password, "next": "/api/invoices/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/api/invoices/"
    listing = client.get("/api/invoices/", HTTP_ACCEPT="application/json")
    assert listing.status_code == 200
    assert listing.json()["count"] == 0


def test_the_login_page_refuses_a_wrong_password_without_a_session(client, user):
    response = page_login(client, user.email, "wrong guess")

    assert response.status_code == 200  # the form again, with the reason
    assert "Wrong email or password" in response.content.decode()
    assert client.get("/api/invoices/", HTTP_ACCEPT="application/json").status_code == 401


def test_a_session_post_without_the_csrf_token_is_refused(user, password):
    browser = Client(enforce_csrf_checks=True)
    browser.get(LOGIN_PAGE)
    token = browser.cookies["csrftoken"].value
    assert page_login(browser, user.email, password, HTTP_X_CSRFTOKEN=token).status_code == 302

    body = json.dumps(sample_payload())
    forged = browser.post("/api/invoices/", data=body, content_type="application/json")

    assert forged.status_code == 403
    assert "CSRF" in forged.json()["error"]["message"]
    assert not Invoice.objects.exists()

    # The control: the same session with its token uploads.
    token = browser.cookies["csrftoken"].value  # rotated at login
    sent = browser.post("/api/invoices/", data=body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert sent.status_code == 202
    assert Invoice.objects.count() == 1


def test_a_session_from_the_admin_login_is_accepted_with_the_same_csrf_rule(make_user, password):
    staff = make_user("staff@example.com", is_staff=True)
    browser = Client(enforce_csrf_checks=True)
    browser.get("/admin/login/")
    token = browser.cookies["csrftoken"].value
    browser.post(
        "/admin/login/?next=/admin/",
        {"username": staff.email, "password": password},
        HTTP_X_CSRFTOKEN=token,
    )

    assert browser.get("/api/me/").json()["email"] == staff.email
    forged = browser.post(
        "/api/invoices/", data=json.dumps(sample_payload()), content_type="application/json"
    )
    assert forged.status_code == 403


def test_a_bearer_token_needs_no_csrf_token(client_for, user):
    api = client_for(user)
    api.enforce_csrf_checks = True

    response = api.post("/api/invoices/", data=json.dumps(sample_payload()), content_type="application/json")

    assert response.status_code == 202


def test_the_login_page_is_under_the_guard_429_even_for_the_right_password(client, user, password, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert page_login(client, user.email, "wrong guess").status_code == 200

    blocked = page_login(client, user.email, password)

    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    assert "Too many failed logins" in blocked.content.decode()
    assert client.get("/api/invoices/", HTTP_ACCEPT="application/json").status_code == 401


def test_the_login_page_and_the_token_endpoints_share_the_failure_count(
    api, client, user, password, settings
):
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        fail_token_login(api, user.email)
    page_login(client, user.email, "wrong guess")  # the limit-th failure, through the page

    assert fail_token_login(api, user.email).status_code == 429
    assert api.post("/login", HTTP_AUTHORIZATION=basic(user.email, password)).status_code == 429


def test_the_login_page_shares_the_login_rate(client, user, password):
    rates = ScopedRateThrottle.THROTTLE_RATES
    ScopedRateThrottle.THROTTLE_RATES = {"login": "2/min"}  # DRF reads its rates once, at import
    try:
        assert page_login(client, user.email, "wrong guess").status_code == 200
        assert page_login(client, "other@example.com", "wrong guess").status_code == 200
        blocked = page_login(client, user.email, password)
    finally:
        ScopedRateThrottle.THROTTLE_RATES = rates

    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0


def test_the_admin_login_is_under_the_guard(api, client, make_user, password, settings):
    staff = make_user("staff@example.com", is_staff=True, is_superuser=True)
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        fail_token_login(api, staff.email)

    response = client.post("/admin/login/?next=/admin/", {"username": staff.email, "password": password})

    assert response.status_code == 200  # the admin's form again, saying why
    assert "Too many failed logins" in response.content.decode()
    assert client.get("/admin/").status_code == 302  # no session


def test_the_legacy_file_form_uploads_with_the_sessions_csrf_field(user, password):
    from django.core.files.uploadedfile import SimpleUploadedFile

    browser = Client(enforce_csrf_checks=True)
    browser.get(LOGIN_PAGE)
    assert page_login(browser, user.email, password, HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value)
    token = browser.cookies["csrftoken"].value
    payload = sample_payload()
    payload.pop("format", None)  # the query's format applies
    upload = SimpleUploadedFile("invoice.json", json.dumps(payload).encode(), "application/json")

    # What the browsable API's file form posts: multipart, the token as a form field (no header).
    response = browser.post("/upload?format=csv", {"file": upload, "csrfmiddlewaretoken": token})

    assert response.status_code == 202
    assert Invoice.objects.get().format == "csv"
