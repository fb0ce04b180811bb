"""The Helm charts, proven without a cluster: rendered by the real helm, asserted over the parsed YAML.

scripts/lint-helm.sh (make lint-deploy) adds helm lint, kubernetes-validate and trivy on the same output.
Without helm these tests fail (never skip): helm_tools.helm_binary() explains why.
"""

import base64
import copy
import ipaddress
import json
import re
from collections.abc import Callable
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
import yaml

from tests.deploy.helm_tools import (
    APP_CHART,
    CHARTS,
    DATA_CHARTS,
    HELM_DIR,
    ROOT,
    Manifest,
    all_containers,
    containers,
    env_values,
    hook_kinds,
    hook_weight,
    of_kind,
    one,
    pod_labels,
    pod_spec,
    pod_template,
    production_values,
    render,
    render_error,
    require_helm,
    workloads,
)

APP_ROLES = ("web", "render", "notify", "webhook", "relay")
TMP = "/tmp"  # noqa: S108 - the pods' emptyDir, the only place the app writes
WORKER_ROLES = ("render", "notify", "webhook", "relay")
CLIENT_LABEL = ("app.kubernetes.io/part-of", "invoiceapp")
DATA_PORTS = {"postgres": 5432, "mongodb": 27017, "rabbitmq": 5672}
IMAGE_UIDS = {APP_CHART: 10001, "postgres": 999, "mongodb": 999, "rabbitmq": 999}
HEARTBEAT_PROBE = [
    "python",
    "-c",
    "import os,sys,time; sys.exit(time.time() - os.path.getmtime('/tmp/worker-heartbeat') > 120)",
]
# Distinctive values: finding one outside the Secret means a leak.
SECRETS = {
    "secretKey": "zz-secret-key-3f9a1c7e5b2d4f6a8c0e1b3d5f7a9c1e",
    "jwtSigningKey": "zz-jwt-signing-key-8e6c4a2f0d1b3e5a7c9f1d3b5e7a",
    "downloadLinkKey": "zz-download-link-key-6d2b9f4e1a7c3e5b8d0f2a4c6e",
    "databaseUrl": "postgres://app:zz-db-pass-71c3@db.example.com:5432/invoiceapp",
    "amqpUrl": "amqps://app:zz-amqp-pass-52b8@mq.example.com:5671/%2F",
    "mongodbUrl": "mongodb+srv://app:zz-mongo-pass-93d1@files.example.mongodb.net/invoiceapp",
    "emailHostPassword": "zz-smtp-pass-4a6e",
    "redisUrl": "rediss://:zz-redis-pass-2c8f@cache.example.com:6379/0",
    "metricsToken": "zz-metrics-token-5e1f",
}
ANYMAIL_SECRETS = {"ANYMAIL_POSTMARK_SERVER_TOKEN": "zz-postmark-token-6b0d"}
# The settings' variables that deliberately do not come from the chart: DEBUG is never set (absent = off);
# the paths belong to the image (docker/Dockerfile sets VAR_DIR and STATIC_ROOT; FILES_DIR is unused
# with MongoDB); the SQLite busy timeout and the idle sweeps belong to the embedded default (the chart runs
# PostgreSQL and RabbitMQ).
NOT_FROM_THE_CHART = {
    "DEBUG",
    "VAR_DIR",
    "FILES_DIR",
    "STATIC_ROOT",
    "SQLITE_BUSY_TIMEOUT_SECONDS",
    "EMBEDDED_SWEEP_SECONDS",
}
# Set as plain env values, not ConfigMap keys: trivy's KSV-0109 takes a key with TOKEN or SECRET for a secret.
ENV_OUTSIDE_CONFIG_MAP = {
    "JWT_ACCESS_TOKEN_SECONDS",
    "JWT_REFRESH_TOKEN_SECONDS",
    "WEBHOOK_SECRET_GRACE_SECONDS",
}
# The ranges the webhook pods may never reach, whatever DNS answers (docs/deployment.md, "Webhooks").
PRIVATE_IPV4 = [
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "169.254.0.0/16",
    "100.64.0.0/10",
    "127.0.0.0/8",
]


def name(role: str) -> str:
    return f"invoiceapp-{role}"


@pytest.fixture(scope="module", autouse=True)
def helm() -> None:
    require_helm()


@pytest.fixture(scope="module")
def app() -> list[Manifest]:
    return render(APP_CHART)


# Every chart with its default values, and with each values file of helm/ci/ (<chart>-<name>.yaml:
# production-like, the cluster shapes, KEDA), as scripts/lint-helm.sh renders them.
VARIANTS = [(chart, None) for chart in CHARTS] + [
    (path.name.split("-", 1)[0], path) for path in sorted((HELM_DIR / "ci").glob("*.yaml"))
]


@pytest.fixture(
    scope="module",
    params=VARIANTS,
    ids=[f"{chart}-default" if path is None else path.stem for chart, path in VARIANTS],
)
def rendered(request: pytest.FixtureRequest) -> tuple[str, list[Manifest]]:
    chart, path = request.param
    return chart, render(chart, files=[path] if path else [])


def app_deployment(docs: list[Manifest], role: str) -> Manifest:
    return one(docs, "Deployment", name(role))


def container_of(workload: Manifest) -> dict[str, Any]:
    (container,) = pod_spec(workload)["containers"]
    return container


def config_data(docs: list[Manifest]) -> dict[str, str]:
    data: dict[str, str] = one(docs, "ConfigMap", "invoiceapp")["data"]
    return data


def secret_data(secret: Manifest) -> dict[str, str]:
    return {key: base64.b64decode(value).decode() for key, value in secret.get("data", {}).items()}


# --- Every container: resources and the security context ----------------------------------------------------


# The checks every workload of every chart must pass (Deployments, StatefulSets, Jobs and CronJobs: see
# helm_tools.workloads); test_the_generic_checks_see_the_cronjobs_pods proves they reach a CronJob's pod.


def check_requests_and_limits(chart: str, docs: list[Manifest]) -> None:
    for _, container in all_containers(docs):
        resources = container.get("resources", {})
        for bound in ("requests", "limits"):
            assert {"cpu", "memory"} <= resources.get(bound, {}).keys(), (chart, container["name"], bound)


def check_hardened(chart: str, docs: list[Manifest]) -> None:
    for workload, container in all_containers(docs):
        pod = pod_spec(workload).get("securityContext", {})
        context = container["securityContext"]
        where = (chart, container["name"])
        assert context["runAsNonRoot"] is True, where
        assert context.get("runAsUser", pod.get("runAsUser")) == IMAGE_UIDS[chart], where
        assert context["readOnlyRootFilesystem"] is True, where
        assert context["allowPrivilegeEscalation"] is False, where
        assert context.get("privileged", False) is False, where
        assert context["capabilities"]["drop"] == ["ALL"], where
        assert not context["capabilities"].get("add"), where
        seccomp = context.get("seccompProfile", pod.get("seccompProfile"))
        assert seccomp == {"type": "RuntimeDefault"}, where


def check_no_service_account_token(chart: str, docs: list[Manifest]) -> None:
    for workload in workloads(docs):
        assert pod_spec(workload)["automountServiceAccountToken"] is False, (chart, workload["metadata"])


def check_writes_only_to_tmp(chart: str, docs: list[Manifest]) -> None:
    for workload, container in all_containers(docs):
        volumes = {volume["name"]: volume for volume in pod_spec(workload)["volumes"]}
        writable = [m for m in container["volumeMounts"] if not m.get("readOnly")]
        assert [m["mountPath"] for m in writable] == [TMP], (chart, container["name"])
        assert "emptyDir" in volumes[writable[0]["name"]], (chart, container["name"])


def check_client_label(chart: str, docs: list[Manifest]) -> None:
    key, value = CLIENT_LABEL
    for workload in workloads(docs):
        assert pod_labels(workload).get(key) == value, (chart, workload["metadata"]["name"])


@pytest.mark.security
def test_every_container_has_cpu_and_memory_requests_and_limits(rendered):
    check_requests_and_limits(*rendered)


@pytest.mark.security
def test_every_container_is_non_root_read_only_without_privileges_or_capabilities(rendered):
    check_hardened(*rendered)


@pytest.mark.security
def test_no_pod_mounts_a_service_account_token(rendered):
    check_no_service_account_token(*rendered)


def test_app_pods_write_only_to_an_empty_dir_on_tmp(app):
    check_writes_only_to_tmp(APP_CHART, app)


def drop_limits(pod: dict[str, Any]) -> None:
    del pod["spec"]["containers"][0]["resources"]["limits"]


def writable_root(pod: dict[str, Any]) -> None:
    pod["spec"]["containers"][0]["securityContext"]["readOnlyRootFilesystem"] = False


def as_root(pod: dict[str, Any]) -> None:
    pod["spec"]["containers"][0]["securityContext"]["runAsUser"] = 0


def added_capability(pod: dict[str, Any]) -> None:
    pod["spec"]["containers"][0]["securityContext"]["capabilities"]["add"] = ["NET_ADMIN"]


def mounted_token(pod: dict[str, Any]) -> None:
    pod["spec"]["automountServiceAccountToken"] = True


def writable_secrets(pod: dict[str, Any]) -> None:
    pod["spec"]["containers"][0]["volumeMounts"][1]["readOnly"] = False


def no_client_label(pod: dict[str, Any]) -> None:
    del pod["metadata"]["labels"][CLIENT_LABEL[0]]


@pytest.mark.security
@pytest.mark.parametrize(
    ("check", "breakage"),
    [
        (check_requests_and_limits, drop_limits),
        (check_hardened, writable_root),
        (check_hardened, as_root),
        (check_hardened, added_capability),
        (check_no_service_account_token, mounted_token),
        (check_writes_only_to_tmp, writable_secrets),
        (check_client_label, no_client_label),
    ],
)
def test_the_generic_checks_see_the_cronjobs_pods(
    app, check: Callable[[str, list[Manifest]], None], breakage: Callable[[dict[str, Any]], None]
):
    # A CronJob nests its pod one level deeper than a Job: a check that only looked at spec.template would
    # pass this broken copy.
    broken = copy.deepcopy(app)
    breakage(pod_template(one(broken, "CronJob", name("cleanup"))))
    check(APP_CHART, app)
    with pytest.raises(AssertionError):
        check(APP_CHART, broken)


@pytest.mark.security
def test_service_account_does_not_automount_its_token(app):
    assert one(app, "ServiceAccount", "invoiceapp")["automountServiceAccountToken"] is False


# --- Roles: one image, the role as its argument -------------------------------------------------------------


@pytest.mark.parametrize("role", APP_ROLES)
def test_each_deployment_runs_the_image_with_its_role(app, role):
    # render -> manage.py run_worker render, notify -> ... notify, relay -> ... relay (docker/entrypoint.sh).
    container = container_of(app_deployment(app, role))
    assert container["args"] == [role]
    assert "command" not in container, "the image's entry point must stay in charge"


def test_the_image_entry_point_knows_every_role_the_chart_runs(app):
    entrypoint = (ROOT / "docker" / "entrypoint.sh").read_text()
    roles = {container["args"][0] for _, container in all_containers(app)}
    assert roles == {*APP_ROLES, "migrate", "cleanup"}
    for role in roles:
        assert re.search(rf"^\s*([a-z|. ]*\b{role}\b[a-z|. ]*)\)", entrypoint, re.MULTILINE), role
    assert 'exec python manage.py run_worker "$role"' in entrypoint


def test_migration_job_is_a_pre_install_and_pre_upgrade_hook_running_migrate(app):
    job = one(app, "Job", name("migrate"))
    assert hook_kinds(job) == {"pre-install", "pre-upgrade"}
    assert container_of(job)["args"] == ["migrate"]
    assert pod_spec(job)["restartPolicy"] == "Never"


def secret_items(workload) -> dict[str, tuple[str, str]]:
    """path (the variable) -> (Secret, key) of what the pod's secrets volume mounts."""
    sources = pod_spec(workload)["volumes"][1]["projected"]["sources"]
    return {
        item["path"]: (source["secret"]["name"], item["key"])
        for source in sources
        for item in source["secret"]["items"]
    }


@pytest.mark.security
def test_the_migration_job_runs_as_the_owner_and_grants_the_app_role(app):
    """docs/security.md case 35: the job migrates with the schema owner's URL, then the entry point runs
    grant_app_role for migrate.appRole; the app's pods get only the application role's URL."""
    job = one(app, "Job", name("migrate"))
    env = {item["name"]: item.get("value") for item in container_of(job)["env"]}
    assert env["DATABASE_APP_ROLE"] == "invoiceapp_app"
    assert secret_items(job)["DATABASE_URL"] == ("postgres", "url")  # the owner's, from helm/postgres
    assert "DATABASE_OWNER_URL" not in secret_items(job)
    entrypoint = (ROOT / "docker" / "entrypoint.sh").read_text()
    migrate = entrypoint[entrypoint.index("  migrate)") : entrypoint.index("  cleanup)")]
    assert "python manage.py migrate --no-input" in migrate
    assert migrate.index("migrate --no-input") < migrate.index("manage.py grant_app_role")
    for workload in workloads(app):
        if workload is job:
            continue
        items = secret_items(workload)
        assert items["DATABASE_URL"] == ("postgres", "app-url"), workload["metadata"]["name"]
        assert "DATABASE_OWNER_URL" not in items
        assert ("postgres", "url") not in items.values(), workload["metadata"]["name"]


@pytest.mark.security
def test_an_owner_url_given_as_a_value_reaches_only_the_migration_job():
    owner_url = "postgres://owner:zz-owner-pass-5e1@db.example.com:5432/invoiceapp"
    docs = render(APP_CHART, {"secrets": {"databaseOwnerUrl": owner_url}})
    secret = secret_data(one(docs, "Secret", "invoiceapp"))
    assert secret["DATABASE_OWNER_URL"] == owner_url
    for workload in workloads(docs):
        items = secret_items(workload)
        expected = (
            ("invoiceapp", "DATABASE_OWNER_URL") if workload["kind"] == "Job" else ("postgres", "app-url")
        )
        assert items["DATABASE_URL"] == expected, workload["metadata"]["name"]


def test_what_the_migration_job_mounts_is_created_before_it(app):
    job = one(app, "Job", name("migrate"))
    for kind in ("ConfigMap", "Secret", "ServiceAccount"):
        doc = one(app, kind, "invoiceapp")
        assert {"pre-install", "pre-upgrade"} <= hook_kinds(doc), kind
        assert hook_weight(doc) < hook_weight(job), kind


# --- The orphan-file cleanup CronJob (docs/reliability.md rule 10) ------------------------------------------


def test_cleanup_runs_cleanup_files_daily_by_default(app):
    cronjob = one(app, "CronJob", name("cleanup"))
    minute, hour, *every_day = cronjob["spec"]["schedule"].split()
    assert (minute, hour, every_day) == ("17", "3", ["*", "*", "*"])
    assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
    assert cronjob["spec"]["startingDeadlineSeconds"] == 3600
    history = (cronjob["spec"]["successfulJobsHistoryLimit"], cronjob["spec"]["failedJobsHistoryLimit"])
    assert history == (1, 3)
    job = cronjob["spec"]["jobTemplate"]["spec"]
    assert (job["backoffLimit"], job["activeDeadlineSeconds"]) == (2, 3600)
    assert pod_spec(cronjob)["restartPolicy"] == "Never"
    container = container_of(cronjob)
    assert container["args"] == ["cleanup", "--older-than-hours", "24"]
    assert "command" not in container, "the image's entry point must stay in charge"
    assert not hook_kinds(cronjob), "an ordinary object: it must not run as part of an install"


def test_cleanup_runs_with_the_configured_age_and_schedule():
    values = {"schedule": "45 1 * * 0", "olderThanHours": 72, "concurrencyPolicy": "Replace"}
    cronjob = one(render(APP_CHART, {"cleanup": values}), "CronJob", name("cleanup"))
    assert cronjob["spec"]["schedule"] == "45 1 * * 0"
    assert cronjob["spec"]["concurrencyPolicy"] == "Replace"
    assert container_of(cronjob)["args"] == ["cleanup", "--older-than-hours", "72"]


@pytest.mark.parametrize("values", [{}, {"secrets": SECRETS, "anymailSecrets": ANYMAIL_SECRETS}])
def test_cleanup_gets_the_settings_and_secrets_the_workers_get(values):
    # It needs PostgreSQL (which files are referenced) and MongoDB (the files): the same wiring as render.
    docs = render(APP_CHART, values)
    cleanup, render_worker = one(docs, "CronJob", name("cleanup")), app_deployment(docs, "render")
    for key in ("envFrom", "env", "volumeMounts", "securityContext", "image"):
        assert container_of(cleanup)[key] == container_of(render_worker)[key], key
    for key in ("serviceAccountName", "securityContext", "enableServiceLinks"):
        assert pod_spec(cleanup)[key] == pod_spec(render_worker)[key], key
    volumes = {volume["name"]: volume for volume in pod_spec(cleanup)["volumes"]}
    assert volumes["secrets"] == pod_spec(render_worker)["volumes"][1]
    assert volumes["tmp"] == {"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}


def test_cleanup_disabled_renders_no_cronjob_and_no_policy_for_it():
    docs = render(APP_CHART, {"cleanup": {"enabled": False}})
    assert not of_kind(docs, "CronJob")
    assert name("cleanup") not in {doc["metadata"]["name"] for doc in docs}
    assert name("migrate") in {doc["metadata"]["name"] for doc in of_kind(docs, "NetworkPolicy")}


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ({"olderThanHours": 0}, "cleanup.olderThanHours: Must be greater than or equal to 1"),
        ({"olderThanHours": 1.5}, "cleanup.olderThanHours: Invalid type. Expected: integer"),
        ({"schedule": "daily"}, "cleanup.schedule: Does not match pattern"),
        ({"concurrencyPolicy": "Sometimes"}, "cleanup.concurrencyPolicy: cleanup.concurrencyPolicy must be"),
        ({"resources": {"limits": None}}, "limits"),
    ],
)
def test_schema_refuses_a_bad_cleanup_value(values, error):
    assert error in render_error(APP_CHART, {"cleanup": values})


def test_worker_replicas_are_left_to_the_autoscaler_when_it_is_on(app):
    assert "replicas" not in app_deployment(app, "web")["spec"]
    assert "replicas" not in app_deployment(app, "render")["spec"]
    assert app_deployment(app, "notify")["spec"]["replicas"] == 1
    assert app_deployment(app, "webhook")["spec"]["replicas"] == 1


# --- Probes and metrics -------------------------------------------------------------------------------------


def test_web_probes_its_health_endpoints_on_port_8000(app):
    container = container_of(app_deployment(app, "web"))
    assert {"name": "http", "containerPort": 8000, "protocol": "TCP"} in container["ports"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        assert container[probe]["httpGet"]["port"] == "http"


def test_web_stops_taking_traffic_before_gunicorn_stops(app):
    deployment = app_deployment(app, "web")
    assert container_of(deployment)["lifecycle"]["preStop"]["exec"]["command"] == ["sleep", "5"]
    # 5 s for the endpoints to let go, then gunicorn's 25 s graceful timeout (docker/gunicorn.conf.py).
    assert pod_spec(deployment)["terminationGracePeriodSeconds"] >= 5 + 25


@pytest.mark.parametrize("role", WORKER_ROLES)
def test_workers_liveness_is_the_age_of_their_heartbeat_file(app, role):
    container = container_of(app_deployment(app, role))
    assert container["livenessProbe"]["exec"]["command"] == HEARTBEAT_PROBE
    assert container["startupProbe"]["exec"]["command"] == HEARTBEAT_PROBE
    assert config_data(app)["WORKER_HEARTBEAT_FILE"] == f"{TMP}/worker-heartbeat"


def test_web_pods_invite_prometheus_to_scrape_metrics_on_8000(app):
    annotations = app_deployment(app, "web")["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == "8000"
    assert annotations["prometheus.io/path"] == "/metrics"


@pytest.mark.parametrize("role", WORKER_ROLES)
def test_workers_open_only_their_metrics_port(app, role):
    deployment = app_deployment(app, role)
    assert container_of(deployment)["ports"] == [
        {"name": "metrics", "containerPort": 9100, "protocol": "TCP"}
    ]
    assert config_data(app)["WORKER_METRICS_PORT"] == "9100"
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert (annotations["prometheus.io/scrape"], annotations["prometheus.io/port"]) == ("true", "9100")


def test_workers_open_no_port_with_their_metrics_off():
    docs = render(APP_CHART, {"config": {"workerMetricsPort": 0}})
    for role in WORKER_ROLES:
        deployment = app_deployment(docs, role)
        assert "ports" not in container_of(deployment)
        assert "prometheus.io/scrape" not in deployment["spec"]["template"]["metadata"]["annotations"]
    assert "ingress" not in one(docs, "NetworkPolicy", "invoiceapp-workers")["spec"]


# --- Settings: values map one to one onto the environment variables -----------------------------------------


def test_config_values_become_the_settings_variables(app):
    docs = render(
        APP_CHART,
        {
            "config": {
                "allowedHosts": "a.example.com,b.example.com",
                "siteUrl": "https://a.example.com",
                "amqpNamespace": "inv-prod",
                "workerPrefetch": 7,
                "workerDeliveryLimit": 9,
                "mongodbDatabase": "files",
                "mongodbBucket": "pdfs",
                "emailHost": "smtp.example.com",
                "emailPort": 587,
                "emailUseTls": True,
                "defaultFromEmail": "billing@example.com",
                "logLevel": "WARNING",
                "logFormat": "json",
                "numProxies": 2,
                "trustXForwardedProto": True,
                "pdfMaxRenderSeconds": 45,
                "downloadLinkMaxSeconds": 3600,
                "webhookAllowHttp": True,
                "webhookAllowedNetworks": "127.0.0.0/8,::1/128",
                "webhookCaBundle": "/etc/ssl/webhook-ca.pem",
                "batchMaxBytes": 8388608,
            }
        },
    )
    data = config_data(docs)
    assert data["ALLOWED_HOSTS"] == "a.example.com,b.example.com"
    assert data["SITE_URL"] == "https://a.example.com"
    assert data["AMQP_NAMESPACE"] == "inv-prod"
    assert data["WORKER_PREFETCH"] == "7"
    assert data["WORKER_DELIVERY_LIMIT"] == "9"
    assert (data["MONGODB_DATABASE"], data["MONGODB_BUCKET"]) == ("files", "pdfs")
    assert (data["EMAIL_HOST"], data["EMAIL_PORT"], data["EMAIL_USE_TLS"]) == (
        "smtp.example.com",
        "587",
        "true",
    )
    assert data["DEFAULT_FROM_EMAIL"] == "billing@example.com"
    assert (data["LOG_LEVEL"], data["LOG_FORMAT"]) == ("WARNING", "json")
    assert (data["NUM_PROXIES"], data["TRUST_X_FORWARDED_PROTO"]) == ("2", "true")
    assert data["PDF_MAX_RENDER_SECONDS"] == "45"
    assert data["DOWNLOAD_LINK_MAX_SECONDS"] == "3600"
    assert (data["WEBHOOK_ALLOW_HTTP"], data["WEBHOOK_ALLOWED_NETWORKS"]) == ("true", "127.0.0.0/8,::1/128")
    assert data["WEBHOOK_CA_BUNDLE"] == "/etc/ssl/webhook-ca.pem"
    assert data["BATCH_MAX_BYTES"] == "8388608"


@pytest.mark.security
def test_the_webhook_guard_is_on_by_default(app):
    data = config_data(app)
    assert data["WEBHOOK_ALLOW_HTTP"] == "false"
    assert "WEBHOOK_ALLOWED_NETWORKS" not in data, "unset: no network is exempt from the address checks"


def test_large_numbers_are_written_as_integers(app):
    assert config_data(app)["SECURE_HSTS_SECONDS"] == "31536000"
    assert config_data(app)["MAX_REQUEST_BYTES"] == "5242880"


def test_empty_config_values_leave_the_variable_unset(app):
    assert "EMAIL_HOST" not in config_data(app)
    assert "EMAIL_BACKEND" not in config_data(app)


def test_logs_are_json_by_default(app):
    assert config_data(app)["LOG_FORMAT"] == "json"


def test_token_lifetimes_are_plain_env_values_of_every_app_container(app):
    # Not in the ConfigMap, where trivy's KSV-0109 takes any key containing TOKEN or SECRET for a secret.
    assert not ENV_OUTSIDE_CONFIG_MAP & config_data(app).keys()
    for _, container in all_containers(app):
        env = env_values(container)
        assert (env["JWT_ACCESS_TOKEN_SECONDS"], env["JWT_REFRESH_TOKEN_SECONDS"]) == ("900", "86400")
        assert env["WEBHOOK_SECRET_GRACE_SECONDS"] == "86400"


@pytest.mark.security
def test_debug_is_never_set(app):
    assert "DEBUG" not in config_data(app)
    for _, container in all_containers(app):
        assert "DEBUG" not in {item["name"] for item in container.get("env", [])}


def test_every_variable_the_chart_sets_is_read_by_the_app(app):
    sources = "".join(
        path.read_text()
        for folder in ("invoicesite", "workers", "docker", "invoices/management")
        for path in (ROOT / folder).rglob("*.py")
    )
    variables = set(config_data(app))
    for _, container in all_containers(app):
        variables |= {item["name"].removesuffix("_FILE") for item in container.get("env", [])}
    unread = {variable for variable in variables if f'"{variable}"' not in sources}
    assert not unread, f"the chart sets variables nothing reads: {sorted(unread)}"


def variable(key: str) -> str:
    """allowedHosts -> ALLOWED_HOSTS, trustXForwardedProto -> TRUST_X_FORWARDED_PROTO."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).upper()


def chart_config_keys() -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load((ROOT / "helm" / APP_CHART / "values.yaml").read_text())["config"]
    return config


def test_every_config_key_becomes_the_variable_of_the_same_name():
    filled = {key: value if value != "" else "x" for key, value in chart_config_keys().items()}
    filled["anymailSettings"] = "ANYMAIL_X"
    filled["webhookAllowedNetworks"] = "127.0.0.0/8"
    docs = render(APP_CHART, {"config": filled})
    rendered = set(config_data(docs)) | ENV_OUTSIDE_CONFIG_MAP
    assert rendered == {variable(key) for key in filled}


def test_every_setting_the_app_reads_has_a_value_in_the_chart():
    settings = (ROOT / "invoicesite" / "settings.py").read_text()
    read = set(re.findall(r'env_(?:str|bool|int|list|secret)\(\s*"([A-Z0-9_]+)"', settings))
    mapped = {variable(key) for key in chart_config_keys()} | {variable(key) for key in SECRETS}
    missing = read - mapped - NOT_FROM_THE_CHART
    assert not missing, f"settings with no chart value: {sorted(missing)}"


# --- Secrets ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def with_secrets() -> list[Manifest]:
    return render(APP_CHART, {"secrets": SECRETS, "anymailSecrets": ANYMAIL_SECRETS})


def test_secret_values_are_in_the_secret(with_secrets):
    data = secret_data(one(with_secrets, "Secret", "invoiceapp"))
    assert data["SECRET_KEY"] == SECRETS["secretKey"]
    assert data["DATABASE_URL"] == SECRETS["databaseUrl"]
    assert data["ANYMAIL_POSTMARK_SERVER_TOKEN"] == ANYMAIL_SECRETS["ANYMAIL_POSTMARK_SERVER_TOKEN"]


@pytest.mark.security
def test_secret_values_appear_nowhere_but_in_the_secret(with_secrets):
    elsewhere = repr([doc for doc in with_secrets if doc["kind"] != "Secret"])
    for value in (*SECRETS.values(), *ANYMAIL_SECRETS.values()):
        assert value not in elsewhere
        assert base64.b64encode(value.encode()).decode() not in elsewhere


@pytest.mark.security
def test_no_config_map_or_env_value_holds_a_secret(with_secrets):
    secrets = (*SECRETS.values(), *ANYMAIL_SECRETS.values())
    for config_map in of_kind(with_secrets, "ConfigMap"):
        assert not any(secret in value for value in config_map["data"].values() for secret in secrets)
    for _, container in all_containers(with_secrets):
        assert not any(secret in value for value in env_values(container).values() for secret in secrets)


@pytest.mark.security
def test_pods_read_each_secret_from_a_file_named_by_its_file_variable(with_secrets):
    for workload, container in all_containers(with_secrets):
        env = env_values(container)
        assert not any("valueFrom" in item for item in container["env"]), "secrets come as files"
        for variable in (
            "SECRET_KEY",
            "JWT_SIGNING_KEY",
            "DOWNLOAD_LINK_KEY",
            "DATABASE_URL",
            "AMQP_URL",
            "MONGODB_URL",
        ):
            assert env[f"{variable}_FILE"] == f"/run/secrets/invoiceapp/{variable}"
        mount = next(m for m in container["volumeMounts"] if m["mountPath"] == "/run/secrets/invoiceapp")
        assert mount["readOnly"] is True
        volume = next(v for v in pod_spec(workload)["volumes"] if v["name"] == mount["name"])
        assert volume["projected"]["defaultMode"] == 0o440


def test_anymail_secrets_are_named_in_anymail_settings(with_secrets):
    assert config_data(with_secrets)["ANYMAIL_SETTINGS"] == "ANYMAIL_POSTMARK_SERVER_TOKEN"
    env = env_values(container_of(app_deployment(with_secrets, "web")))
    assert (
        env["ANYMAIL_POSTMARK_SERVER_TOKEN_FILE"] == "/run/secrets/invoiceapp/ANYMAIL_POSTMARK_SERVER_TOKEN"
    )


def test_generated_keys_are_long_and_distinct(app):
    data = secret_data(one(app, "Secret", "invoiceapp"))
    keys = [data["SECRET_KEY"], data["JWT_SIGNING_KEY"], data["DOWNLOAD_LINK_KEY"]]
    assert all(len(key) >= 50 for key in keys)
    assert len(set(keys)) == 3, "the settings refuse to start with two equal keys"


def test_connection_urls_come_from_the_data_charts_secrets_by_default(app):
    sources = pod_spec(app_deployment(app, "web"))["volumes"][1]["projected"]["sources"]
    items = {
        item["path"]: (source["secret"]["name"], item["key"])
        for source in sources
        for item in source["secret"]["items"]
    }
    assert items["DATABASE_URL"] == ("postgres", "app-url")  # the application's role
    assert items["AMQP_URL"] == ("rabbitmq", "url")
    assert items["MONGODB_URL"] == ("mongodb", "url")


def test_existing_secret_replaces_the_charts_secret():
    docs = render(APP_CHART, {"existingSecret": "invoiceapp-prod"})
    assert not of_kind(docs, "Secret")
    for workload in workloads(docs):
        sources = pod_spec(workload)["volumes"][1]["projected"]["sources"]
        assert [source["secret"]["name"] for source in sources] == ["invoiceapp-prod"]
        keys = [item["key"] for item in sources[0]["secret"]["items"]]
        # The migrate job's DATABASE_URL file holds the schema owner's URL; no other pod gets that key.
        database = "DATABASE_OWNER_URL" if workload["kind"] == "Job" else "DATABASE_URL"
        assert keys == [
            "SECRET_KEY",
            "JWT_SIGNING_KEY",
            "DOWNLOAD_LINK_KEY",
            database,
            "AMQP_URL",
            "MONGODB_URL",
        ]


def test_existing_secret_together_with_secret_values_is_refused():
    error = render_error(APP_CHART, {"existingSecret": "invoiceapp-prod", "secrets": {"secretKey": "x" * 40}})
    assert "secrets.secretKey is set together with existingSecret" in error


def test_a_required_secret_with_no_source_is_refused():
    error = render_error(APP_CHART, {"secretRefs": {"databaseUrl": None}})
    assert "DATABASE_URL is required" in error


# --- Scaling and disruption ---------------------------------------------------------------------------------


def test_hpas_scale_web_and_render_on_cpu(app):
    hpas = {hpa["spec"]["scaleTargetRef"]["name"]: hpa for hpa in of_kind(app, "HorizontalPodAutoscaler")}
    assert set(hpas) == {name("web"), name("render")}
    for hpa in hpas.values():
        assert hpa["apiVersion"] == "autoscaling/v2"
        assert hpa["spec"]["scaleTargetRef"]["kind"] == "Deployment"
        assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"


def test_keda_is_off_by_default(app):
    assert not [doc for doc in app if doc["apiVersion"].startswith("keda.sh/")]


# kubernetes-validate knows no CRD: the KEDA objects are checked against helm/ci/keda.schema.json, the
# fields the chart uses as KEDA's keda.sh/v1alpha1 API defines them, unknown fields refused.
KEDA_SCHEMA = json.loads((ROOT / "helm" / "ci" / "keda.schema.json").read_text())


@pytest.fixture(scope="module")
def with_keda() -> list[Manifest]:
    return render(APP_CHART, files=[ROOT / "helm" / "ci" / "invoiceapp-keda.yaml"])


def test_keda_objects_are_valid(with_keda):
    keda = [doc for doc in with_keda if doc["apiVersion"].startswith("keda.sh/")]
    assert sorted(doc["kind"] for doc in keda) == ["ScaledObject", "TriggerAuthentication"]
    for doc in keda:
        jsonschema.validate(doc, KEDA_SCHEMA)


def test_keda_scales_render_on_the_depth_of_its_queue(with_keda):
    scaled = one(with_keda, "ScaledObject", name("render"))
    assert scaled["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": name("render"),
    }
    (trigger,) = scaled["spec"]["triggers"]
    assert trigger["type"] == "rabbitmq"
    assert trigger["metadata"] == {
        "protocol": "amqp",
        "mode": "QueueLength",
        "queueName": "invoices.render",
        "value": "5",
    }
    auth = one(with_keda, "TriggerAuthentication", trigger["authenticationRef"]["name"])
    assert auth["spec"]["secretTargetRef"] == [{"parameter": "host", "name": "rabbitmq", "key": "url"}]


def test_keda_replaces_the_render_hpa(with_keda):
    targets = [hpa["spec"]["scaleTargetRef"]["name"] for hpa in of_kind(with_keda, "HorizontalPodAutoscaler")]
    assert targets == [name("web")]
    assert "replicas" not in app_deployment(with_keda, "render")["spec"]


def test_every_deployment_has_a_disruption_budget(app):
    budgets = {pdb["metadata"]["name"]: pdb for pdb in of_kind(app, "PodDisruptionBudget")}
    for role in APP_ROLES:
        deployment = app_deployment(app, role)
        budget = budgets[name(role)]
        assert budget["spec"]["selector"]["matchLabels"] == deployment["spec"]["selector"]["matchLabels"]
        assert budget["spec"]["maxUnavailable"] == 1


# --- Network ------------------------------------------------------------------------------------------------


@pytest.mark.security
def test_web_accepts_connections_on_8000_only(app):
    policy = one(app, "NetworkPolicy", name("web"))
    assert policy["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == "web"
    assert policy["spec"]["ingress"] == [{"ports": [{"port": 8000, "protocol": "TCP"}]}]


@pytest.mark.security
def test_workers_accept_connections_on_their_metrics_port_only(app):
    policy = one(app, "NetworkPolicy", "invoiceapp-workers")
    (selector,) = policy["spec"]["podSelector"]["matchExpressions"]
    assert selector == {"key": "app.kubernetes.io/component", "operator": "In", "values": list(WORKER_ROLES)}
    assert policy["spec"]["ingress"] == [{"ports": [{"port": 9100, "protocol": "TCP"}]}]


@pytest.mark.security
@pytest.mark.parametrize(("kind", "role"), [("Job", "migrate"), ("CronJob", "cleanup")])
def test_the_one_shot_jobs_accept_no_connection(app, kind, role):
    policy = one(app, "NetworkPolicy", name(role))
    selector = policy["spec"]["podSelector"]["matchLabels"]
    assert selector["app.kubernetes.io/component"] == role
    assert selector.items() <= pod_labels(one(app, kind, name(role))).items(), "it selects the job's pods"
    assert policy["spec"]["policyTypes"] == ["Ingress"]
    assert "ingress" not in policy["spec"]


@pytest.mark.security
def test_app_pods_carry_the_label_the_data_services_admit(app):
    assert {workload["kind"] for workload in workloads(app)} == {"Deployment", "Job", "CronJob"}
    check_client_label(APP_CHART, app)


@pytest.mark.security
@pytest.mark.parametrize("chart", DATA_CHARTS)
def test_data_services_admit_only_the_apps_pods_on_their_port(chart):
    docs = render(chart)
    policy = one(docs, "NetworkPolicy", chart)
    assert policy["spec"]["podSelector"]["matchLabels"] == {
        "app.kubernetes.io/name": chart,
        "app.kubernetes.io/instance": chart,
    }
    key, value = CLIENT_LABEL
    assert policy["spec"]["ingress"] == [
        {
            "from": [{"podSelector": {"matchLabels": {key: value}}}],
            "ports": [{"port": DATA_PORTS[chart], "protocol": "TCP"}],
        }
    ]
    assert "Egress" in policy["spec"]["policyTypes"]


@pytest.mark.security
@pytest.mark.parametrize("chart", DATA_CHARTS)
def test_data_pods_are_not_clients_of_one_another(chart):
    (statefulset,) = of_kind(render(chart), "StatefulSet")
    key, _ = CLIENT_LABEL
    assert key not in pod_labels(statefulset)


# --- The webhook worker's egress: the one pod allowed out to the internet -----------------------------------

WHOLE_INTERNET = {"0.0.0.0/0", "::/0"}
WEBHOOK_EGRESS = name("webhook") + "-egress"


def reaches_the_internet(rule: dict[str, Any]) -> bool:
    """A NetworkPolicyEgressRule with no `to` (any destination) or an ipBlock of a whole address family."""
    peers = rule.get("to")
    return not peers or any(peer.get("ipBlock", {}).get("cidr") in WHOLE_INTERNET for peer in peers)


def selected_workloads(docs: list[Manifest], policy: Manifest) -> list[str]:
    labels = policy["spec"]["podSelector"].get("matchLabels", {})
    return [w["metadata"]["name"] for w in workloads(docs) if labels.items() <= pod_labels(w).items()]


def internet_ports(policy: Manifest) -> list[dict[str, Any]]:
    return [port for rule in policy["spec"]["egress"] if reaches_the_internet(rule) for port in rule["ports"]]


def permitted(policy: Manifest, address: str) -> bool:
    """Whether an address is inside one of the policy's internet ipBlocks and outside its exceptions."""
    ip = ipaddress.ip_address(address)
    for rule in policy["spec"]["egress"]:
        for peer in rule.get("to", []):
            block = peer.get("ipBlock")
            if not block or block["cidr"] not in WHOLE_INTERNET:
                continue
            if ip in ipaddress.ip_network(block["cidr"]) and not any(
                ip in ipaddress.ip_network(cidr) for cidr in block.get("except", [])
            ):
                return True
    return False


@pytest.fixture(scope="module", params=["default", "ci"])
def app_both(request: pytest.FixtureRequest) -> list[Manifest]:
    """The app chart with its defaults and with the production-like values."""
    return render(APP_CHART, files=[production_values(APP_CHART)] if request.param == "ci" else [])


@pytest.mark.security
def test_only_the_webhook_pods_are_given_egress_to_the_internet(app_both):
    granting = [
        policy["metadata"]["name"]
        for policy in of_kind(app_both, "NetworkPolicy")
        if any(reaches_the_internet(rule) for rule in policy["spec"].get("egress", []))
    ]
    assert granting == [WEBHOOK_EGRESS]
    policy = one(app_both, "NetworkPolicy", WEBHOOK_EGRESS)
    assert policy["spec"]["policyTypes"] == ["Egress"]
    assert selected_workloads(app_both, policy) == [name("webhook")]


@pytest.mark.security
def test_the_webhook_pods_reach_the_internet_on_443_only(app_both):
    policy = one(app_both, "NetworkPolicy", WEBHOOK_EGRESS)
    config = config_data(app_both)
    # Beside 443: the SMTP port of a configured email host (SES in the production values), for the email
    # that tells an owner an endpoint was disabled.
    email_ports = {int(config["EMAIL_PORT"])} if config.get("EMAIL_HOST") else set()
    ports = internet_ports(policy)
    assert {"port": 443, "protocol": "TCP"} in ports
    assert all(port["protocol"] == "TCP" for port in ports)
    assert {port["port"] for port in ports} == {443} | email_ports


@pytest.mark.security
def test_plain_http_egress_only_when_a_value_allows_plain_http_endpoints():
    docs = render(APP_CHART, {"config": {"webhookAllowHttp": True}})
    ports = internet_ports(one(docs, "NetworkPolicy", WEBHOOK_EGRESS))
    assert ports == [{"port": 443, "protocol": "TCP"}, {"port": 80, "protocol": "TCP"}]


@pytest.mark.security
def test_the_webhook_pods_never_reach_private_loopback_link_local_or_metadata_addresses(app_both):
    policy = one(app_both, "NetworkPolicy", WEBHOOK_EGRESS)
    ipv4 = [
        peer["ipBlock"]["except"]
        for rule in policy["spec"]["egress"]
        for peer in rule.get("to", [])
        if peer.get("ipBlock", {}).get("cidr") == "0.0.0.0/0"
    ]
    assert ipv4
    assert all(excepted == PRIVATE_IPV4 for excepted in ipv4)
    refused = [
        "10.0.0.1",
        "172.16.0.1",
        "172.31.255.254",
        "192.168.1.1",
        "127.0.0.1",
        "169.254.169.254",  # AWS, GCP and Azure metadata
        "100.64.0.1",
        "100.100.100.200",  # Alibaba Cloud metadata (CGNAT range)
        "::1",
        "fd00:ec2::254",  # AWS metadata over IPv6
        "fe80::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    ]
    assert [address for address in refused if permitted(policy, address)] == []
    assert permitted(policy, "93.184.215.14")
    assert permitted(policy, "2606:2800:21f:cb07:6820:80da:af6b:8b2c")


@pytest.mark.security
def test_private_addresses_are_refused_even_by_the_email_rule():
    docs = render(APP_CHART, {"config": {"emailHost": "smtp.example.com", "emailPort": 587}})
    policy = one(docs, "NetworkPolicy", WEBHOOK_EGRESS)
    (email,) = [
        rule for rule in policy["spec"]["egress"] if {"port": 587, "protocol": "TCP"} in rule["ports"]
    ]
    assert reaches_the_internet(email)
    assert all(peer["ipBlock"].get("except") for peer in email["to"]), "private ranges excepted"
    assert not permitted({"spec": {"egress": [email]}}, "10.1.2.3")


def test_no_email_rule_without_an_email_host_or_with_public_email_off(app):
    assert {port["port"] for port in internet_ports(one(app, "NetworkPolicy", WEBHOOK_EGRESS))} == {443}
    values = {
        "config": {"emailHost": "smtp.example.com", "emailPort": 587},
        "networkPolicy": {"webhookEgress": {"publicEmail": False}},
    }
    policy = one(render(APP_CHART, values), "NetworkPolicy", WEBHOOK_EGRESS)
    assert {port["port"] for port in internet_ports(policy)} == {443}


@pytest.mark.security
def test_the_webhook_pods_reach_dns_postgresql_and_rabbitmq_but_not_mongodb(app):
    egress = one(app, "NetworkPolicy", WEBHOOK_EGRESS)["spec"]["egress"]
    dns = egress[0]
    assert dns["to"] == [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
        }
    ]
    assert dns["ports"] == [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]
    services = {
        rule["to"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/name"]: rule["ports"]
        for rule in egress
        if "podSelector" in rule["to"][0] and "namespaceSelector" not in rule["to"][0]
    }
    assert services == {
        "postgres": [{"port": DATA_PORTS["postgres"], "protocol": "TCP"}],
        "rabbitmq": [{"port": DATA_PORTS["rabbitmq"], "protocol": "TCP"}],
    }
    assert DATA_PORTS["mongodb"] not in {port["port"] for rule in egress for port in rule["ports"]}


def test_the_production_values_reach_the_managed_services_by_address():
    docs = render(APP_CHART, files=[production_values(APP_CHART)])
    egress = one(docs, "NetworkPolicy", WEBHOOK_EGRESS)["spec"]["egress"]
    private = {
        rule["ports"][0]["port"]: rule["to"][0]["ipBlock"]["cidr"]
        for rule in egress
        if not reaches_the_internet(rule) and "ipBlock" in rule["to"][0]
    }
    assert private == {5432: "10.20.16.0/20", 5671: "10.20.32.0/20"}


def test_the_webhook_egress_policy_goes_with_the_other_policies():
    docs = render(APP_CHART, {"networkPolicy": {"enabled": False}})
    assert not of_kind(docs, "NetworkPolicy")


def test_schema_refuses_allowed_networks_that_are_not_cidrs():
    error = render_error(APP_CHART, {"config": {"webhookAllowedNetworks": "everything"}})
    assert "config.webhookAllowedNetworks: Does not match pattern" in error


def test_ingress_routes_to_the_web_service_when_enabled(app):
    assert not of_kind(app, "Ingress")
    docs = render(APP_CHART, {"ingress": {"enabled": True, "className": "nginx"}})
    ingress = one(docs, "Ingress", name("web"))
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": name("web"), "port": {"name": "http"}}
    service = one(docs, "Service", name("web"))
    assert service["spec"]["ports"] == [
        {"name": "http", "port": 8000, "targetPort": "http", "protocol": "TCP"}
    ]


# --- values.schema.json -------------------------------------------------------------------------------------


@pytest.mark.parametrize("chart", CHARTS)
def test_schema_refuses_an_unknown_key(chart):
    assert "(root): Additional property replicas is not allowed" in render_error(chart, {"replicas": 3})


def test_schema_refuses_an_unknown_setting():
    assert "config: Additional property debug is not allowed" in render_error(
        APP_CHART, {"config": {"debug": True}}
    )


def test_schema_refuses_a_wrong_type():
    error = render_error(APP_CHART, {"config": {"workerPrefetch": "two"}})
    assert "config.workerPrefetch: Invalid type. Expected: integer, given: string" in error


@pytest.mark.security
@pytest.mark.parametrize("chart", CHARTS)
def test_schema_refuses_a_writable_root_file_system(chart):
    error = render_error(chart, {"securityContext": {"readOnlyRootFilesystem": False}})
    assert "readOnlyRootFilesystem" in error


@pytest.mark.security
def test_schema_refuses_a_container_without_limits():
    assert "limits" in render_error(APP_CHART, {"web": {"resources": {"limits": None}}})


# --- Production values and the data charts ------------------------------------------------------------------


@pytest.mark.parametrize("chart", CHARTS)
def test_production_values_render(chart):
    docs = render(chart, files=[production_values(chart)])
    assert workloads(docs)


def test_production_values_take_every_secret_from_the_existing_secret():
    docs = render(APP_CHART, files=[production_values(APP_CHART)])
    assert not of_kind(docs, "Secret")
    sources = pod_spec(app_deployment(docs, "web"))["volumes"][1]["projected"]["sources"]
    assert [source["secret"]["name"] for source in sources] == ["invoiceapp-production"]
    paths = [item["path"] for item in sources[0]["secret"]["items"]]
    assert {
        "DOWNLOAD_LINK_KEY",
        "DATABASE_URL",
        "AMQP_URL",
        "MONGODB_URL",
        "EMAIL_HOST_PASSWORD",
        "REDIS_URL",
    } <= set(paths)
    assert config_data(docs)["TRUST_X_FORWARDED_PROTO"] == "true"
    assert one(docs, "Ingress", name("web"))["spec"]["tls"]


@pytest.mark.parametrize("chart", DATA_CHARTS)
def test_data_charts_keep_their_data_on_volume_claim_templates(chart):
    (statefulset,) = of_kind(render(chart), "StatefulSet")
    (claim,) = statefulset["spec"]["volumeClaimTemplates"]
    assert claim["metadata"]["name"] == "data"
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert claim["spec"]["resources"]["requests"]["storage"]
    mounts = {m["name"] for m in containers(statefulset)[0]["volumeMounts"]}
    assert "data" in mounts


PROBE_COMMANDS = {
    "postgres": "pg_isready",
    "mongodb": "db.adminCommand({ ping: 1 })",
    "rabbitmq": "rabbitmq-diagnostics",
}


@pytest.mark.parametrize("chart", DATA_CHARTS)
def test_data_charts_probe_their_server(chart):
    (statefulset,) = of_kind(render(chart), "StatefulSet")
    container = containers(statefulset)[0]
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert probe in container, probe
    assert PROBE_COMMANDS[chart] in " ".join(container["readinessProbe"]["exec"]["command"])


@pytest.mark.parametrize("chart", DATA_CHARTS)
def test_data_charts_have_a_headless_service_for_their_statefulset(chart):
    docs = render(chart)
    service = one(docs, "Service", chart)
    assert service["spec"]["clusterIP"] == "None"
    assert one(docs, "StatefulSet", chart)["spec"]["serviceName"] == chart


@pytest.mark.parametrize("chart", DATA_CHARTS)
def test_data_charts_generate_a_password_and_the_apps_url(chart):
    secret = one(render(chart), "Secret", chart)
    data = secret_data(secret)
    assert len(data["password"]) >= 32
    assert data["password"] in data["url"]
    assert f"@{chart}.invoiceapp.svc:{DATA_PORTS[chart]}/" in data["url"]
    assert secret["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"


@pytest.mark.parametrize("chart", DATA_CHARTS)
def test_data_charts_existing_secret_replaces_theirs(chart):
    docs = render(chart, {"auth": {"existingSecret": f"{chart}-credentials"}})
    assert not of_kind(docs, "Secret")
    assert f"{chart}-credentials" in repr(one(docs, "StatefulSet", chart)["spec"]["template"])


@pytest.mark.security
def test_data_charts_never_put_a_password_in_an_env_value():
    for chart in DATA_CHARTS:
        docs = render(chart, {"auth": {"password": "zz-data-pass-5e1f"}})
        for _, container in all_containers(docs):
            assert "zz-data-pass-5e1f" not in repr(env_values(container))
        for config_map in of_kind(docs, "ConfigMap"):
            assert "zz-data-pass-5e1f" not in repr(config_map)
