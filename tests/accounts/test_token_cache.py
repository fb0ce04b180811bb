"""The verified-token cache (accounts.authentication): it saves the signature check, never a refusal."""

import time
from datetime import timedelta
from typing import Any

import jwt
import pytest
from django.conf import settings
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.exceptions import AuthenticationFailed
from rest_framework_simplejwt.tokens import AccessToken

from accounts import authentication
from accounts.authentication import CachedJWTAuthentication

pytestmark = pytest.mark.security


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture(autouse=True)
def empty_cache():
    CachedJWTAuthentication._verified.clear()
    yield
    CachedJWTAuthentication._verified.clear()


@pytest.fixture
def decodes(monkeypatch):
    """Count the full token checks (signature, claims)."""
    calls: list[bytes] = []
    real = TokenBackend.decode

    def counting(self, token, verify=True):
        calls.append(token)
        return real(self, token, verify=verify)

    monkeypatch.setattr(TokenBackend, "decode", counting)
    return calls


def test_a_token_is_checked_in_full_once_per_process(api, tokens, decodes):
    for _ in range(3):
        assert api.get("/api/me/", **bearer(tokens["access"])).status_code == 200
    assert len(decodes) == 1


def test_a_cached_token_is_refused_once_it_expires(api, user):
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=timedelta(seconds=2))
    assert api.get("/api/me/", **bearer(str(token))).status_code == 200
    assert len(CachedJWTAuthentication._verified) == 1
    time.sleep(max(0.0, token["exp"] - time.time()) + 0.1)
    response = api.get("/api/me/", **bearer(str(token)))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_not_valid"


def test_a_password_change_revokes_a_cached_token(api, tokens, user):
    assert api.get("/api/me/", **bearer(tokens["access"])).status_code == 200
    user.set_password("another long passphrase 42")
    user.save()
    assert api.get("/api/me/", **bearer(tokens["access"])).status_code == 401


def test_a_deactivated_user_is_refused_with_a_cached_token(api, tokens, user):
    assert api.get("/api/me/", **bearer(tokens["access"])).status_code == 200
    user.is_active = False
    user.save()
    assert api.get("/api/me/", **bearer(tokens["access"])).status_code == 401


def test_a_tampered_token_is_refused_after_the_real_one_was_cached(api, tokens):
    assert api.get("/api/me/", **bearer(tokens["access"])).status_code == 200
    header, payload, signature = tokens["access"].split(".")
    forged = f"{header}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    assert api.get("/api/me/", **bearer(forged)).status_code == 401


def test_the_cache_is_bounded(monkeypatch, api, tokens):
    monkeypatch.setattr(authentication, "MAX_CACHED_TOKENS", 2)
    CachedJWTAuthentication._verified.update({b"a": (None, 0.0), b"b": (None, 0.0)})  # type: ignore[dict-item]
    assert api.get("/api/me/", **bearer(tokens["access"])).status_code == 200
    assert list(CachedJWTAuthentication._verified) == [tokens["access"].encode()]


def signed(claims: dict) -> str:
    return jwt.encode(claims, settings.JWT_SIGNING_KEY, algorithm="HS256")


def refusal_code(token: str) -> str:
    """The code get_user refuses ``token`` with (the API answers each one alike: authentication_failed)."""
    authentication = CachedJWTAuthentication()
    with pytest.raises(AuthenticationFailed) as refused:
        authentication.get_user(authentication.get_validated_token(token.encode()))
    detail: Any = refused.value.detail  # simplejwt's: {"detail": ..., "code": ...}
    return str(detail["code"])


@pytest.mark.parametrize(
    ("change", "code"),
    [("delete", "user_not_found"), ("deactivate", "user_inactive"), ("password", "password_changed")],
)
def test_the_user_is_read_on_every_request_and_refused_as_simplejwt_does(api, tokens, user, change, code):
    assert api.get("/api/me/", **bearer(tokens["access"])).status_code == 200
    if change == "delete":
        user.delete()
    elif change == "deactivate":
        user.is_active = False
        user.save()
    else:
        user.set_password("another long passphrase 42")
        user.save()

    assert api.get("/api/me/", **bearer(tokens["access"])).status_code == 401
    assert refusal_code(tokens["access"]) == code


@pytest.mark.parametrize("user_id", ["not-a-number", None, 10**30])
def test_a_signed_token_naming_no_possible_user_finds_no_user(api, tokens, user_id):
    token = signed({**AccessToken(tokens["access"]).payload, "user_id": user_id})

    assert api.get("/api/me/", **bearer(token)).status_code == 401
    assert refusal_code(token) == "user_not_found"


def test_a_signed_token_without_a_user_claim_is_refused(api, tokens):
    claims = dict(AccessToken(tokens["access"]).payload)
    del claims["user_id"]

    response = api.get("/api/me/", **bearer(signed(claims)))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_not_valid"
