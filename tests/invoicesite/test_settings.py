"""Production safety of the one settings module (docs/security.md case 15)."""

import json
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from invoicesite.env import env_bool, env_secret

pytestmark = pytest.mark.security

ROOT = Path(__file__).resolve().parents[2]
CONFIG_VARS = (
    "DEBUG",
    "AMQP_URL",
    "WEBHOOK_ALLOWED_NETWORKS",
    "WEBHOOK_ALLOW_HTTP",
    "SECRET_KEY",
    "SECRET_KEY_FILE",
    "JWT_SIGNING_KEY",
    "JWT_SIGNING_KEY_FILE",
    "DOWNLOAD_LINK_KEY",
    "DOWNLOAD_LINK_KEY_FILE",
    "SECURE_SSL_REDIRECT",
)


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in CONFIG_VARS}
    # An empty VAR_DIR: manage.py would otherwise fill what these tests unset from the var/dev.env that
    # `make run` leaves in a working copy.
    with tempfile.TemporaryDirectory() as var_dir:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**clean, "VAR_DIR": var_dir, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )


def production_env(**overrides: str) -> dict[str, str]:
    env = {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "JWT_SIGNING_KEY": secrets.token_urlsafe(48),
        "DOWNLOAD_LINK_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "invoices.example.com",
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v != "<unset>"}


def test_the_app_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = manage("check", **production_env(SECRET_KEY="<unset>"))

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("SECRET_KEY", "dev-only-insecure-secret-key-never-use-in-production", "SECRET_KEY is not set"),
        ("SECRET_KEY", "short", "at least 32 characters"),
        ("JWT_SIGNING_KEY", "<unset>", "JWT_SIGNING_KEY is not set"),
        ("DOWNLOAD_LINK_KEY", "<unset>", "DOWNLOAD_LINK_KEY is not set"),
        ("DOWNLOAD_LINK_KEY", "", "DOWNLOAD_LINK_KEY is not set"),
        (
            "DOWNLOAD_LINK_KEY",
            "dev-only-insecure-download-link-key-never-use-in-production",
            "DOWNLOAD_LINK_KEY is not set",
        ),
        ("DOWNLOAD_LINK_KEY", "x" * 31, "DOWNLOAD_LINK_KEY must be at least 32 characters long"),
    ],
)
def test_the_app_refuses_default_short_or_missing_secrets(name, value, reason):
    result = manage("check", **production_env(**{name: value}))

    assert result.returncode != 0
    assert reason in result.stderr


@pytest.mark.parametrize("seconds", ["901", "86400", "0", "-5"])
def test_an_access_token_lifetime_over_15_minutes_or_not_positive_is_refused(seconds):
    result = manage("check", **production_env(JWT_ACCESS_TOKEN_SECONDS=seconds))

    assert result.returncode != 0
    assert "JWT_ACCESS_TOKEN_SECONDS must be between 1 and 900" in result.stderr


def test_an_access_token_lifetime_of_15_minutes_is_accepted():
    result = manage("check", **production_env(JWT_ACCESS_TOKEN_SECONDS="900"))

    assert result.returncode == 0, result.stderr


def test_a_bad_amqp_url_entry_stops_the_app_naming_its_position_not_its_password():
    nodes = "amqp://app:hunter2-secret@mq-1:5672/%2F,amqp://app:hunter2-secret@mq-2:5672/%2F"
    result = manage("check", **production_env(AMQP_URL=f"{nodes},mq-3:5672"))

    assert result.returncode != 0
    assert "AMQP_URL entry 3 of 3 must start with amqp:// or amqps://" in result.stderr
    assert "hunter2" not in result.stderr + result.stdout


def test_an_amqp_url_naming_each_node_of_a_cluster_is_accepted():
    nodes = "amqp://app:pw@mq-1:5672/%2F, amqp://app:pw@mq-2:5672/%2F, amqp://app:pw@mq-3:5672/%2F"
    result = manage("check", **production_env(AMQP_URL=nodes))

    assert result.returncode == 0, result.stderr


def test_the_jwt_signing_key_must_differ_from_the_secret_key():
    key = secrets.token_urlsafe(48)

    result = manage("check", **production_env(SECRET_KEY=key, JWT_SIGNING_KEY=key))

    assert result.returncode != 0
    assert "must differ" in result.stderr


@pytest.mark.parametrize("shared_with", ["SECRET_KEY", "JWT_SIGNING_KEY"])
def test_the_download_link_key_must_differ_from_the_other_keys(shared_with):
    # A link signed with the session or JWT key could be minted by whoever holds that key (case 18).
    key = secrets.token_urlsafe(48)

    result = manage("check", **production_env(**{shared_with: key, "DOWNLOAD_LINK_KEY": key}))

    assert result.returncode != 0
    assert "SECRET_KEY, JWT_SIGNING_KEY and DOWNLOAD_LINK_KEY must differ from one another" in result.stderr


def test_a_download_link_key_of_32_characters_from_a_file_is_accepted(tmp_path):
    key_file = tmp_path / "download-link-key"
    key_file.write_text(secrets.token_hex(16) + "\n")  # 32 characters, the minimum

    env = production_env(DOWNLOAD_LINK_KEY="<unset>")
    result = manage("check", **env, DOWNLOAD_LINK_KEY_FILE=str(key_file))

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "check_id"),
    [
        ("WEBHOOK_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128", "webhooks.W001"),
        ("WEBHOOK_ALLOW_HTTP", "1", "webhooks.W002"),
    ],
)
def test_check_deploy_fails_a_config_that_kept_the_webhook_test_allowance(variable, value, check_id):
    # make check-deploy's --fail-level WARNING: a production release with the tests' allowance does not pass.
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production_env(**{variable: value}))

    assert result.returncode != 0
    assert check_id in result.stderr
    assert variable in result.stderr


def test_the_webhook_allowances_are_not_reported_outside_check_deploy():
    # Tests and development run with them on: a plain `check` (runserver, migrate) stays quiet.
    env = production_env(WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8", WEBHOOK_ALLOW_HTTP="1")

    result = manage("check", "--fail-level", "WARNING", **env)

    assert result.returncode == 0, result.stderr
    assert "webhooks.W00" not in result.stdout + result.stderr


def test_check_deploy_is_clean_under_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production_env())

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_secrets_can_come_from_files(tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text(secrets.token_urlsafe(48) + "\n")
    jwt_file = tmp_path / "jwt"
    jwt_file.write_text(secrets.token_urlsafe(48))
    link_file = tmp_path / "link"
    link_file.write_text(secrets.token_urlsafe(48))

    env = production_env(SECRET_KEY="<unset>", JWT_SIGNING_KEY="<unset>", DOWNLOAD_LINK_KEY="<unset>")
    result = manage(
        "check",
        **env,
        SECRET_KEY_FILE=str(secret_file),
        JWT_SIGNING_KEY_FILE=str(jwt_file),
        DOWNLOAD_LINK_KEY_FILE=str(link_file),
    )

    assert result.returncode == 0, result.stderr


def test_debug_mode_runs_with_the_development_defaults():
    result = manage("check", DEBUG="1")

    assert result.returncode == 0, result.stderr


def test_env_secret_prefers_the_file(monkeypatch, tmp_path):
    path = tmp_path / "value"
    path.write_text("from-file\n")
    monkeypatch.setenv("SOME_SECRET", "from-env")
    monkeypatch.setenv("SOME_SECRET_FILE", str(path))

    assert env_secret("SOME_SECRET") == "from-file"


def test_env_secret_with_an_unreadable_file_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("SOME_SECRET_FILE", str(tmp_path / "missing"))

    with pytest.raises(ImproperlyConfigured, match="SOME_SECRET_FILE"):
        env_secret("SOME_SECRET")


def test_env_bool_rejects_nonsense(monkeypatch):
    monkeypatch.setenv("A_FLAG", "maybe")

    with pytest.raises(ImproperlyConfigured, match="A_FLAG"):
        env_bool("A_FLAG")


def test_the_login_guard_cache_is_redis_when_configured():
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"

    with_redis = manage("shell", "-v", "0", "-c", code, DEBUG="1", REDIS_URL="redis://127.0.0.1:6379/0")
    without = manage("shell", "-v", "0", "-c", code, DEBUG="1")

    assert with_redis.stdout.strip() == "django.core.cache.backends.redis.RedisCache"
    assert without.stdout.strip() == "django.core.cache.backends.db.DatabaseCache"


PRODUCTION_FACTS = (
    "import json; from django.conf import settings as s; print(json.dumps({"
    "'debug': s.DEBUG, 'hashers': s.PASSWORD_HASHERS, "
    "'access_seconds': s.SIMPLE_JWT['ACCESS_TOKEN_LIFETIME'].total_seconds(), "
    "'jwt_key_is_secret_key': s.SIMPLE_JWT['SIGNING_KEY'] == s.SECRET_KEY, "
    "'link_key_is_another_key': s.DOWNLOAD_LINK_KEY in (s.SECRET_KEY, s.JWT_SIGNING_KEY), "
    "'webhook_allowances': [s.WEBHOOK_ALLOWED_NETWORKS, s.WEBHOOK_ALLOW_HTTP]}))"
)


@pytest.fixture(scope="module")
def production_facts() -> dict:
    """What the settings module decides when only the required variables are set (DEBUG unset)."""
    env = production_env(DEBUG="<unset>")
    result = manage("shell", "-v", "0", "-c", PRODUCTION_FACTS, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_debug_is_off_unless_asked_for(production_facts):
    assert production_facts["debug"] is False


def test_production_hashes_passwords_with_a_slow_hasher(production_facts):
    hashers = production_facts["hashers"]

    assert hashers[0].rsplit(".", 1)[-1] in {
        "PBKDF2PasswordHasher",
        "Argon2PasswordHasher",
        "ScryptPasswordHasher",
    }
    assert not [name for name in hashers if "MD5" in name or "Unsalted" in name]


def test_a_password_is_stored_as_a_production_hash_never_in_plain_text(db, settings, production_facts):
    from accounts.models import User

    settings.PASSWORD_HASHERS = production_facts["hashers"]  # the suite's fast MD5 hasher is test-only
    User.objects.create_user("plain@example.com", "Plain text must not be stored 42")

    stored = User.objects.values_list("password", flat=True).get(email="plain@example.com")
    assert "Plain text must not be stored 42" not in stored
    assert stored.startswith(("pbkdf2_sha256$", "argon2$", "scrypt$"))


def test_access_tokens_live_15_minutes_or_less_by_default(production_facts):
    assert 0 < production_facts["access_seconds"] <= 15 * 60


def test_the_jwt_signing_key_is_not_the_secret_key_in_production(production_facts):
    assert production_facts["jwt_key_is_secret_key"] is False


def test_the_download_link_key_is_its_own_key_in_production(production_facts):
    assert production_facts["link_key_is_another_key"] is False


def test_webhooks_get_no_outbound_allowance_by_default(production_facts):
    # Only https endpoints at public addresses unless an operator asks otherwise (docs/security.md case 16).
    assert production_facts["webhook_allowances"] == [[], False]
