"""POST /login (HTTP Basic, the original contract) and POST /api/auth/token/ (JSON)."""

import pytest

from tests.conftest import basic


def test_basic_login_returns_a_token_pair_that_opens_me(api, user, password):
    response = api.post("/login", HTTP_AUTHORIZATION=basic(user.email, password))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "refresh", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 15 * 60
    me = api.get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert me.status_code == 200
    assert me.json()["email"] == user.email


def test_basic_login_with_accept_text_plain_returns_the_bare_access_token(api, user, password):
    response = api.post("/login", HTTP_AUTHORIZATION=basic(user.email, password), HTTP_ACCEPT="text/plain")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    token = response.content.decode()
    assert token.count(".") == 2
    assert api.get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


def test_login_email_is_case_insensitive(api, user, password):
    response = api.post("/login", HTTP_AUTHORIZATION=basic("ANN@Example.COM", password))

    assert response.status_code == 200


def test_wrong_password_is_401_with_a_basic_challenge(api, user):
    response = api.post("/login", HTTP_AUTHORIZATION=basic(user.email, "wrong password"))

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith('Basic realm="')
    assert response.json()["error"]["code"] == "authentication_failed"


def test_missing_credentials_is_401_with_a_basic_challenge(api, db):
    response = api.post("/login")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic ")


@pytest.mark.security
def test_garbled_basic_header_is_401_not_500(api, db):
    response = api.post("/login", HTTP_AUTHORIZATION="Basic %%%not-base64")

    assert response.status_code == 401


@pytest.mark.security
def test_unknown_user_gets_the_same_answer_as_a_wrong_password(api, user):
    unknown = api.post("/login", HTTP_AUTHORIZATION=basic("nobody@example.com", "x"))
    wrong = api.post("/login", HTTP_AUTHORIZATION=basic(user.email, "x"))

    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()


@pytest.mark.security
def test_inactive_user_cannot_log_in(api, make_user, password):
    inactive = make_user("gone@example.com", is_active=False)

    response = api.post("/login", HTTP_AUTHORIZATION=basic(inactive.email, password))

    assert response.status_code == 401


def test_json_token_endpoint_gives_the_same_answer(api, user, password):
    response = api.post("/api/auth/token/", {"email": user.email, "password": password}, format="json")

    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh", "token_type", "expires_in"}


def test_json_token_endpoint_wrong_password_is_401(api, user):
    response = api.post("/api/auth/token/", {"email": user.email, "password": "nope"}, format="json")

    assert response.status_code == 401


def test_json_token_endpoint_missing_field_is_400_naming_it(api, db):
    response = api.post("/api/auth/token/", {"email": "a@example.com"}, format="json")

    assert response.status_code == 400
    assert "password" in response.json()["error"]["fields"]


def test_login_records_last_login(api, user, password):
    api.post("/login", HTTP_AUTHORIZATION=basic(user.email, password))

    user.refresh_from_db()
    assert user.last_login is not None


def test_a_nul_character_in_the_basic_email_is_401_not_500(api, user):
    # Found by tests/fuzz/test_api_schema*.py: PostgreSQL refuses NUL in a query parameter (ValueError).
    response = api.post("/login", HTTP_AUTHORIZATION=basic("ann\x00@example.com", "x"))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_a_nul_character_in_the_basic_password_is_401_not_500(api, user, password):
    response = api.post("/login", HTTP_AUTHORIZATION=basic(user.email, password + "\x00"))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
