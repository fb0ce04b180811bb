"""Token lifecycle and the bad tokens of docs/security.md case 2."""

import base64
import json
from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from tests.conftest import basic

pytestmark = pytest.mark.security


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def b64url(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def payload_of(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_access_token_carries_issuer_audience_and_a_short_life(tokens):
    claims = payload_of(tokens["access"])

    assert claims["iss"] == settings.SIMPLE_JWT["ISSUER"]
    assert claims["aud"] == settings.SIMPLE_JWT["AUDIENCE"]
    assert claims["exp"] - claims["iat"] <= 15 * 60


def test_refresh_rotates_and_blacklists_the_old_refresh_token(api, tokens):
    first = api.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert first.status_code == 200
    rotated = first.json()
    assert rotated["refresh"] != tokens["refresh"]
    assert api.get("/api/me/", **bearer(rotated["access"])).status_code == 200

    replay = api.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")

    assert replay.status_code == 401


def refresh(api, token: str):
    return api.post("/api/auth/token/refresh/", {"refresh": token}, format="json")


def test_reusing_a_rotated_refresh_token_revokes_every_token_descended_from_it(api, tokens, caplog):
    second = refresh(api, tokens["refresh"]).json()
    third = refresh(api, second["refresh"]).json()

    assert refresh(api, tokens["refresh"]).status_code == 401  # the reuse: a copy of a rotated token

    assert refresh(api, second["refresh"]).status_code == 401
    assert refresh(api, third["refresh"]).status_code == 401  # the newest of the chain stops working too
    assert "refresh token reuse" in caplog.text


def test_a_reuse_leaves_the_accounts_other_logins_alone(api, tokens, user, password):
    other = api.post("/login", HTTP_AUTHORIZATION=basic(user.email, password)).json()
    refresh(api, tokens["refresh"])

    refresh(api, tokens["refresh"])  # reuse in the first family

    assert refresh(api, other["refresh"]).status_code == 200


def test_a_forged_refresh_token_revokes_nothing(api, tokens):
    rotated = refresh(api, tokens["refresh"]).json()
    claims = payload_of(tokens["refresh"])
    forged = jwt.encode(claims, "not our key, but long enough for HS256 at least", algorithm="HS256")

    assert refresh(api, forged).status_code == 401

    assert refresh(api, rotated["refresh"]).status_code == 200


def test_logout_blacklists_the_refresh_token(api, tokens):
    out = api.post(
        "/api/auth/logout/", {"refresh": tokens["refresh"]}, format="json", **bearer(tokens["access"])
    )
    assert out.status_code == 204

    response = api.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")

    assert response.status_code == 401


USED = (
    "This refresh token was already used or revoked: each one works once (a refresh replaces it with a new "
    "one, a logout revokes it, and a reuse revokes its newer ones too); log in again with "
    "POST /api/auth/token/."
)


def test_a_refresh_token_used_twice_says_it_was_used_and_to_log_in_again(api, tokens):
    assert refresh(api, tokens["refresh"]).status_code == 200

    again = refresh(api, tokens["refresh"])

    assert again.status_code == 401
    assert again.json() == {"error": {"code": "token_not_valid", "message": USED}}


def test_a_refresh_token_after_logout_says_it_was_revoked_and_to_log_in_again(api, tokens):
    def logout():
        body = {"refresh": tokens["refresh"]}
        return api.post("/api/auth/logout/", body, format="json", **bearer(tokens["access"]))

    assert logout().status_code == 204

    again, twice = refresh(api, tokens["refresh"]), logout()

    assert again.status_code == 401
    assert again.json()["error"] == {"code": "token_not_valid", "message": USED}
    assert twice.status_code == 400  # the logout's refusals are its body's (docs/api.md)
    assert twice.json()["error"]["fields"] == {"refresh": [USED]}


def test_the_login_path_named_is_the_real_one(api, user, password):
    assert "POST /api/auth/token/." in USED
    response = api.post("/api/auth/token/", {"email": user.email, "password": password}, format="json")
    assert response.status_code == 200


def test_logout_needs_a_bearer_token(api, tokens):
    response = api.post("/api/auth/logout/", {"refresh": tokens["refresh"]}, format="json")

    assert response.status_code == 401


def test_logout_refuses_someone_elses_refresh_token(api, tokens, make_user, password):
    other = make_user("bob@example.com")
    other_tokens = api.post("/login", HTTP_AUTHORIZATION=basic(other.email, password)).json()

    response = api.post(
        "/api/auth/logout/", {"refresh": other_tokens["refresh"]}, format="json", **bearer(tokens["access"])
    )

    assert response.status_code == 400
    assert "refresh" in response.json()["error"]["fields"]
    still = api.post("/api/auth/token/refresh/", {"refresh": other_tokens["refresh"]}, format="json")
    assert still.status_code == 200


def test_expired_access_token_is_rejected(api, user):
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=-timedelta(seconds=1))

    response = api.get("/api/me/", **bearer(str(token)))

    assert response.status_code == 401
    assert response.json()["error"] == {
        "code": "token_not_valid",
        "message": "The access token has expired; get a new one from POST /api/auth/token/refresh/ with the "
        "refresh token.",
    }


def test_tampered_token_is_rejected(api, tokens, make_user):
    other = make_user("mallory@example.com")
    header, _payload, signature = tokens["access"].split(".")
    claims = payload_of(tokens["access"])
    claims["user_id"] = str(other.pk)

    response = api.get("/api/me/", **bearer(f"{header}.{b64url(claims)}.{signature}"))

    assert response.status_code == 401
    assert response.json()["error"]["message"] == "The token is malformed or was not issued by this service."


def test_alg_none_token_is_rejected(api, tokens):
    claims = payload_of(tokens["access"])
    unsigned = f"{b64url({'alg': 'none', 'typ': 'JWT'})}.{b64url(claims)}."

    response = api.get("/api/me/", **bearer(unsigned))

    assert response.status_code == 401


@pytest.mark.parametrize("alg", ["None", "NONE", "nOnE"])
def test_alg_none_in_any_case_is_rejected(api, tokens, alg):
    claims = payload_of(tokens["access"])
    unsigned = f"{b64url({'alg': alg, 'typ': 'JWT'})}.{b64url(claims)}."

    assert api.get("/api/me/", **bearer(unsigned)).status_code == 401


@pytest.mark.filterwarnings("ignore:The HMAC key is")  # the forger's key is short for HS512: irrelevant
def test_another_algorithm_with_the_right_key_is_rejected(api, tokens):
    # Only HS256 is accepted: a token that names HS512 is refused even when signed with our own key.
    claims = payload_of(tokens["access"])
    forged = jwt.encode(claims, settings.JWT_SIGNING_KEY, algorithm="HS512")

    assert api.get("/api/me/", **bearer(forged)).status_code == 401


def test_a_token_re_signed_with_our_key_and_claims_is_accepted(api, tokens):
    # The control for the forged tokens here: the forging itself yields a token the API takes.
    forged = jwt.encode(payload_of(tokens["access"]), settings.JWT_SIGNING_KEY, algorithm="HS256")

    assert api.get("/api/me/", **bearer(forged)).status_code == 200


def test_a_token_without_an_expiry_is_rejected(api, tokens):
    claims = payload_of(tokens["access"])
    del claims["exp"]
    forged = jwt.encode(claims, settings.JWT_SIGNING_KEY, algorithm="HS256")

    response = api.get("/api/me/", **bearer(forged))

    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Token has no 'exp' claim"


def test_token_signed_with_another_key_is_rejected(api, tokens):
    claims = payload_of(tokens["access"])
    forged = jwt.encode(claims, "some-other-key-of-sufficient-length-0123456789", algorithm="HS256")

    response = api.get("/api/me/", **bearer(forged))

    assert response.status_code == 401


def test_token_signed_with_the_django_secret_key_is_rejected(api, tokens):
    claims = payload_of(tokens["access"])
    forged = jwt.encode(claims, settings.SECRET_KEY, algorithm="HS256")

    response = api.get("/api/me/", **bearer(forged))

    assert response.status_code == 401


def test_refresh_token_used_as_access_token_is_rejected(api, tokens):
    response = api.get("/api/me/", **bearer(tokens["refresh"]))

    assert response.status_code == 401
    assert response.json()["error"] == {
        "code": "token_not_valid",
        "message": "This is a refresh token: exchange it at POST /api/auth/token/refresh/ for an access "
        "token, and send that as the Bearer token.",
    }


def test_access_token_used_as_refresh_token_is_rejected(api, tokens):
    response = api.post("/api/auth/token/refresh/", {"refresh": tokens["access"]}, format="json")

    assert response.status_code == 401
    assert response.json()["error"] == {
        "code": "token_not_valid",
        "message": "This is an access token: send the refresh token that POST /api/auth/token/ gave with it.",
    }


def test_an_expired_refresh_token_says_to_log_in_again(api, user):
    token = RefreshToken.for_user(user)
    token.set_exp(lifetime=-timedelta(seconds=1))

    response = api.post("/api/auth/token/refresh/", {"refresh": str(token)}, format="json")

    assert response.status_code == 401
    assert response.json()["error"]["message"] == (
        "The refresh token has expired; log in again with POST /api/auth/token/."
    )


def test_token_with_wrong_audience_is_rejected(api, tokens):
    claims = payload_of(tokens["access"]) | {"aud": "another-service"}
    forged = jwt.encode(claims, settings.JWT_SIGNING_KEY, algorithm="HS256")

    response = api.get("/api/me/", **bearer(forged))

    assert response.status_code == 401


@pytest.mark.parametrize("change", ["deactivate", "delete"])
def test_tokens_of_a_deactivated_or_deleted_user_are_rejected(api, user, tokens, change):
    if change == "deactivate":
        user.is_active = False
        user.save()
    else:
        user.delete()

    me = api.get("/api/me/", **bearer(tokens["access"]))
    refresh = api.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")

    assert me.status_code == 401
    assert refresh.status_code == 401


def test_password_change_revokes_earlier_tokens(api, user, tokens):
    user.set_password("a brand new passphrase 42")
    user.save()

    me = api.get("/api/me/", **bearer(tokens["access"]))
    refresh = api.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")

    assert me.status_code == 401
    assert refresh.status_code == 401


@pytest.mark.parametrize("scheme", ["bearer", "BEARER", "bEaReR"])
def test_the_bearer_scheme_name_is_case_insensitive(api, tokens, scheme):
    response = api.get("/api/me/", HTTP_AUTHORIZATION=f"{scheme} {tokens['access']}")

    assert response.status_code == 200


def test_basic_credentials_are_refused_on_the_api(api, user, password):
    response = api.get("/api/me/", HTTP_AUTHORIZATION=basic(user.email, password))

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_me_without_any_credentials_is_401(api, db):
    assert api.get("/api/me/").status_code == 401


def test_simplejwt_is_at_least_its_minimum_safe_version():
    # docs/security.md case 11: 5.5.1 fixed the handling of disabled users' tokens.
    from importlib.metadata import version

    from packaging.version import Version

    assert Version(version("djangorestframework-simplejwt")) >= Version("5.5.1")


@pytest.mark.django_db
def test_a_request_without_a_token_is_told_what_to_send(api):
    # DRF said "Authentication credentials were not provided.": not which credentials, nor where from.
    response = api.get("/api/invoices/")

    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "not_authenticated"
    assert "Authorization: Bearer" in error["message"]
    assert "POST /api/auth/token/" in error["message"]
