"""The embedded default in a second terminal: manage.py with nothing exported, while `make run` serves.

`make run` writes ``$VAR_DIR/dev.env`` (``python -m invoicesite.devenv``) and every ``manage.py`` reads it,
so a newcomer's ``create_user``, ``render_invoice`` and ``run_worker`` start without DEBUG or secrets
exported. The web entry point (``invoicesite.wsgi``, what gunicorn loads) never reads the file, and
without it the production settings still refuse to start without real secrets.

The children get an environment built here, not the test process's: pytest-env sets DEBUG=0 and test
secrets for this process, and the suite's DATABASE_URL points at PostgreSQL.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LEGACY_SAMPLE = ROOT / "tests" / "invoices" / "data" / "legacy_sample_invoice.json"
# What a newcomer's shell does not have: the settings, the secrets and every service.
STRIPPED = (
    "DEBUG",
    "SECRET_KEY",
    "SECRET_KEY_FILE",
    "JWT_SIGNING_KEY",
    "JWT_SIGNING_KEY_FILE",
    "DATABASE_URL",
    "DATABASE_URL_FILE",
    "AMQP_URL",
    "AMQP_URL_FILE",
    "MONGODB_URL",
    "REDIS_URL",
    "EMAIL_HOST",
    "EMAIL_BACKEND",
    "SECURE_SSL_REDIRECT",
    "DJANGO_SETTINGS_MODULE",
)


def bare_env(var_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in STRIPPED}
    env.update({"VAR_DIR": str(var_dir), "PYTHONUNBUFFERED": "1"})
    return env


def run(args: list[str], env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def manage(*args: str, env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return run([sys.executable, str(ROOT / "manage.py"), *args], env, cwd)


@pytest.fixture
def var_dir(tmp_path) -> Path:
    """A VAR_DIR holding the dev.env `make run` writes, by the very command its recipe runs."""
    var = tmp_path / "var"
    written = run([sys.executable, "-m", "invoicesite.devenv"], bare_env(var))
    assert written.returncode == 0, written.stderr
    assert (var / "dev.env").is_file()
    return var


def test_a_second_terminal_runs_the_commands_with_nothing_exported(var_dir, tmp_path):
    env = bare_env(var_dir)
    # What `make run` did before serving.
    migrated = manage("migrate", "--no-input", "-v", "0", env=env)
    assert migrated.returncode == 0, migrated.stderr

    password_file = tmp_path / "password"
    password_file.write_text("a long enough passphrase for the demo\n")
    created = manage("create_user", "you@example.com", "--password-file", str(password_file), env=env)
    assert created.returncode == 0, created.stderr
    assert "Created user you@example.com." in created.stdout
    assert (var_dir / "db.sqlite3").is_file()  # SQLite under VAR_DIR: no DATABASE_URL reached it

    out = tmp_path / "invoice.csv"
    rendered = manage("render_invoice", str(LEGACY_SAMPLE), "--format", "csv", "--output", str(out), env=env)
    assert rendered.returncode == 0, rendered.stderr
    assert "INV-2026-001" in out.read_text(encoding="utf-8")

    for role in ("render", "relay"):
        # Embedded mode has no worker to run: it says why in one line and exits 0 by itself, promptly,
        # rather than failing or waiting for a signal.
        worker = manage("run_worker", role, env=env)
        assert worker.returncode == 0, worker.stderr
        assert "embedded mode (no AMQP_URL): jobs run inside the web process" in worker.stderr
        assert "Traceback" not in worker.stderr


def test_the_environment_wins_over_dev_env(var_dir):
    env = {**bare_env(var_dir), "DEBUG": "0", "JWT_SIGNING_KEY": "from-the-shell-" + "x" * 40}
    shown = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.DEBUG, settings.JWT_SIGNING_KEY)",
        env=env,
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split()[-2:] == ["False", env["JWT_SIGNING_KEY"]]


def test_without_dev_env_the_production_settings_still_refuse_to_start(tmp_path):
    env = bare_env(tmp_path / "empty-var")
    refused = manage("check", env=env)
    assert refused.returncode != 0
    assert "ImproperlyConfigured" in refused.stderr
    assert "SECRET_KEY is not set" in refused.stderr


def test_render_invoice_without_debug_or_secrets_says_so_in_one_line(tmp_path):
    # Issue "what a probe broke", item 11: it printed a traceback of Django's settings loader.
    env = bare_env(tmp_path / "empty-var")
    refused = manage("render_invoice", str(LEGACY_SAMPLE), "--output", str(tmp_path / "x.pdf"), env=env)
    assert refused.returncode == 1
    assert "Traceback" not in refused.stderr
    assert refused.stderr.strip().splitlines() == [
        "ImproperlyConfigured: SECRET_KEY is not set. With DEBUG off the app needs a real secret in "
        "SECRET_KEY or SECRET_KEY_FILE (at least 32 random characters), or DEBUG=1 for local development."
    ]
    assert not (tmp_path / "x.pdf").exists()


def test_the_web_entry_point_never_reads_dev_env(var_dir):
    # gunicorn loads invoicesite.wsgi: with only a dev.env to go on, it must refuse as in production.
    refused = run([sys.executable, "-c", "import invoicesite.wsgi"], bare_env(var_dir))
    assert refused.returncode != 0
    assert "SECRET_KEY is not set" in refused.stderr


def test_a_dev_env_others_may_write_is_ignored(var_dir):
    (var_dir / "dev.env").chmod(0o622)
    refused = manage("check", env=bare_env(var_dir))
    assert refused.returncode != 0
    assert "ignored: not owned by this user, or writable by others" in refused.stderr
    assert "SECRET_KEY is not set" in refused.stderr
