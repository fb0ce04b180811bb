"""docs/security.md case 4: password guessing meets 429, counted in the shared cache."""

import pytest
from django.core.cache import cache

from tests.conftest import basic

pytestmark = pytest.mark.security


def fail_login(api, email: str, **extra):
    return api.post("/login", HTTP_AUTHORIZATION=basic(email, "wrong guess"), **extra)


def test_repeated_failures_for_one_account_answer_429(api, user, password, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert fail_login(api, user.email).status_code == 401

    blocked = fail_login(api, user.email)
    # Even the right password is refused while the account is blocked: a block must not confirm a guess.
    right = api.post("/login", HTTP_AUTHORIZATION=basic(user.email, password))

    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    assert blocked.json()["error"]["code"] == "throttled"
    assert right.status_code == 429


def test_account_block_applies_from_another_client_address(api, user, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        fail_login(api, user.email, REMOTE_ADDR="10.0.0.1")

    response = fail_login(api, user.email, REMOTE_ADDR="10.0.0.2")

    assert response.status_code == 429


def test_repeated_failures_from_one_client_across_accounts_answer_429(api, db, settings):
    for n in range(settings.LOGIN_CLIENT_FAILURE_LIMIT):
        assert fail_login(api, f"user{n}@example.com").status_code == 401

    response = fail_login(api, "someone-new@example.com")

    assert response.status_code == 429


def test_a_forged_x_forwarded_for_does_not_reset_the_client_count(api, db, settings):
    for n in range(settings.LOGIN_CLIENT_FAILURE_LIMIT):
        fail_login(api, f"user{n}@example.com", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")

    response = fail_login(api, "fresh@example.com", HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert response.status_code == 429


def test_the_json_token_endpoint_shares_the_count(api, user, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        fail_login(api, user.email)

    response = api.post("/api/auth/token/", {"email": user.email, "password": "x"}, format="json")

    assert response.status_code == 429


def test_failures_are_counted_in_the_shared_cache(api, user, settings):
    assert settings.CACHES["default"]["BACKEND"].endswith(("DatabaseCache", "RedisCache"))

    fail_login(api, user.email)

    assert any(key.startswith("login-fail:") for key in _cache_keys())


def _cache_keys() -> list[str]:
    from django.db import connection

    table = connection.ops.quote_name(cache._table)  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cache_key FROM {table}")  # noqa: S608 - table name from settings
        return [row[0].split(":", 2)[-1] for row in cursor.fetchall()]


def test_the_block_ends_when_retry_after_says(api, user, password, settings, monkeypatch):
    import time as real_time

    clock = [real_time.time()]
    monkeypatch.setattr("accounts.services.time.time", lambda: clock[0])
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        fail_login(api, user.email)
    blocked = api.post("/login", HTTP_AUTHORIZATION=basic(user.email, password))
    wait = int(blocked["Retry-After"])

    clock[0] += wait - 1
    still = api.post("/login", HTTP_AUTHORIZATION=basic(user.email, password))
    clock[0] += 1
    after = api.post("/login", HTTP_AUTHORIZATION=basic(user.email, password))

    assert blocked.status_code == 429
    assert wait == settings.LOGIN_FAILURE_WINDOW_SECONDS
    assert still.status_code == 429
    assert int(still["Retry-After"]) == 1
    assert after.status_code == 200


def test_the_block_is_stored_for_its_window_not_the_caches_default_timeout(api, user, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        fail_login(api, user.email)

    expiries = _cache_expiries()

    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    assert expiries
    assert all(seconds <= window + 1 for seconds in expiries.values()), expiries


def test_the_throttle_message_says_when_once(api, user, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        fail_login(api, user.email)

    message = fail_login(api, user.email).json()["error"]["message"]

    assert message == f"Too many failed logins. Try again in {settings.LOGIN_FAILURE_WINDOW_SECONDS} seconds."


def _cache_expiries() -> dict[str, float]:
    from django.db import connection
    from django.utils import timezone

    table = connection.ops.quote_name(cache._table)  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cache_key, expires FROM {table}")  # noqa: S608 - table name from settings
        now = timezone.now()
        return {row[0]: (row[1] - now).total_seconds() for row in cursor.fetchall() if "login-fail" in row[0]}
