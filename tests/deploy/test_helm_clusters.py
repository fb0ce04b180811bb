"""The data charts' cluster shapes (replicaCount 3): a RabbitMQ cluster, a MongoDB replica set, and the app's
values against them with PostgreSQL run by CloudNativePG. Rendered by the real helm, asserted over the YAML;
docs/deployment.md, "Running the data services as clusters". The single-server default must not change.

test_helm.py's generic checks (hardening, limits, no automounted token) run over these shapes too: its
`rendered` fixture takes every helm/ci/ values file.
"""

import base64
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from tests.deploy.helm_tools import (
    APP_CHART,
    HELM_DIR,
    Manifest,
    containers,
    hook_kinds,
    of_kind,
    one,
    pod_labels,
    pod_spec,
    render,
    render_error,
    require_helm,
    workloads,
)

CI = HELM_DIR / "ci"
SUFFIX = {chart: f".{chart}-headless.invoiceapp.svc.cluster.local" for chart in ("rabbitmq", "mongodb")}
MONGODB_MEMBERS = [f"mongodb-{i}{SUFFIX['mongodb']}:27017" for i in range(3)]
RABBITMQ_NODES = [f"rabbitmq-{i}{SUFFIX['rabbitmq']}" for i in range(3)]
OWNER_ONLY_COPY = "umask 0277"  # a file created under it is 0400: its owner (the service's uid) reads it


@pytest.fixture(scope="module", autouse=True)
def helm() -> None:
    require_helm()


@pytest.fixture(scope="module")
def rabbitmq() -> list[Manifest]:
    return render("rabbitmq", files=[CI / "rabbitmq-cluster.yaml"])


@pytest.fixture(scope="module")
def mongodb() -> list[Manifest]:
    return render("mongodb", files=[CI / "mongodb-replicaset.yaml"])


@pytest.fixture(scope="module")
def app_cluster() -> list[Manifest]:
    return render(APP_CHART, files=[CI / "invoiceapp-cluster.yaml"])


def secret_data(docs: list[Manifest], name: str) -> dict[str, str]:
    secret = one(docs, "Secret", name)
    return {key: base64.b64decode(value).decode() for key, value in secret["data"].items()}


def container(workload: Manifest, name: str) -> dict[str, Any]:
    (found,) = [c for c in containers(workload) if c["name"] == name]
    return found


def mounts(workload: Manifest, name: str) -> dict[str, dict[str, Any]]:
    """mount path -> the volume it mounts, for one container (a claim template's by its name alone)."""
    volumes = {
        claim["metadata"]["name"]: {"name": claim["metadata"]["name"]}
        for claim in workload["spec"].get("volumeClaimTemplates", [])
    }
    volumes |= {volume["name"]: volume for volume in pod_spec(workload)["volumes"]}
    return {m["mountPath"]: volumes[m["name"]] for m in container(workload, name)["volumeMounts"]}


def env(container: dict[str, Any]) -> dict[str, str]:
    return {item["name"]: item.get("value", "") for item in container.get("env", [])}


def conf_lines(text: str) -> dict[str, str]:
    """RabbitMQ's sysctl-like format: key = value lines, comments left out."""
    pairs = (line.split(" = ", 1) for line in text.splitlines() if " = " in line and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def the_anti_affinity(workload: Manifest, chart: str) -> dict[str, Any]:
    (term,) = pod_spec(workload)["affinity"]["podAntiAffinity"][
        "preferredDuringSchedulingIgnoredDuringExecution"
    ]
    assert term["podAffinityTerm"]["labelSelector"]["matchLabels"] == {
        "app.kubernetes.io/name": chart,
        "app.kubernetes.io/instance": chart,
    }
    return dict(term["podAffinityTerm"])


# --- RabbitMQ: a cluster of three nodes -----------------------------------------------------------------


def test_rabbitmq_cluster_starts_three_nodes_together_under_a_governing_service(rabbitmq):
    statefulset = one(rabbitmq, "StatefulSet", "rabbitmq")
    assert statefulset["spec"]["replicas"] == 3
    assert statefulset["spec"]["podManagementPolicy"] == "Parallel"
    assert statefulset["spec"]["serviceName"] == "rabbitmq-headless"
    headless = one(rabbitmq, "Service", "rabbitmq-headless")
    assert headless["spec"]["clusterIP"] == "None"
    assert headless["spec"]["publishNotReadyAddresses"] is True
    assert {port["port"] for port in headless["spec"]["ports"]} == {5672, 4369, 25672}
    # The clients' Service is the one of the single node, unchanged.
    assert [port["port"] for port in one(rabbitmq, "Service", "rabbitmq")["spec"]["ports"]] == [5672]


def test_rabbitmq_nodes_find_each_other_through_kubernetes_peer_discovery(rabbitmq):
    data = one(rabbitmq, "ConfigMap", "rabbitmq")["data"]
    conf = conf_lines(data["30-invoiceapp.conf"])
    assert conf["cluster_formation.peer_discovery_backend"] == "rabbit_peer_discovery_k8s"
    assert conf["cluster_formation.k8s.service_name"] == "rabbitmq-headless"
    assert conf["cluster_formation.k8s.address_type"] == "hostname"
    assert conf["cluster_formation.k8s.hostname_suffix"] == SUFFIX["rabbitmq"]
    assert conf["cluster_formation.node_cleanup.only_log_warning"] == "true"
    assert conf["cluster_partition_handling"] == "pause_minority"
    plugins = re.fullmatch(r"\[(.*)\]\.\s*", data["enabled_plugins"])
    assert plugins
    assert set(plugins.group(1).split(",")) == {
        "rabbitmq_peer_discovery_k8s",
        "rabbitmq_prometheus",
    }
    statefulset = one(rabbitmq, "StatefulSet", "rabbitmq")
    assert "enabled_plugins" in {
        m.get("subPath") for m in container(statefulset, "rabbitmq")["volumeMounts"] if m["name"] == "config"
    }
    # Each node's name is the DNS name discovery builds from the endpoints' host names and the suffix.
    node_env = env(container(statefulset, "rabbitmq"))
    assert node_env["RABBITMQ_USE_LONGNAME"] == "true"
    assert node_env["RABBITMQ_NODENAME"] == f"rabbit@$(POD_NAME){SUFFIX['rabbitmq']}"


def test_rabbitmq_nodes_keep_probing_their_own_node(rabbitmq):
    node = container(one(rabbitmq, "StatefulSet", "rabbitmq"), "rabbitmq")
    assert node["readinessProbe"]["exec"]["command"][0] == "rabbitmq-diagnostics"
    assert {"startupProbe", "livenessProbe"} <= node.keys()


@pytest.mark.security
def test_peer_discovery_may_only_read_its_endpoints_and_report_events(rabbitmq):
    """docs/security.md case 44: the discovery token reaches one container and allows two verbs."""
    role = one(rabbitmq, "Role", "rabbitmq-peer-discovery")
    assert role["rules"] == [
        {
            "apiGroups": [""],
            "resources": ["endpoints"],
            "resourceNames": ["rabbitmq-headless"],
            "verbs": ["get"],
        },
        {"apiGroups": [""], "resources": ["events"], "verbs": ["create"]},
    ]
    binding = one(rabbitmq, "RoleBinding", "rabbitmq-peer-discovery")
    assert binding["roleRef"]["name"] == "rabbitmq-peer-discovery"
    statefulset = one(rabbitmq, "StatefulSet", "rabbitmq")
    spec = pod_spec(statefulset)
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": spec["serviceAccountName"], "namespace": "invoiceapp"}
    ]
    assert (
        one(rabbitmq, "ServiceAccount", spec["serviceAccountName"])["automountServiceAccountToken"] is False
    )
    assert spec["automountServiceAccountToken"] is False
    token_path = "/var/run/secrets/kubernetes.io/serviceaccount"
    api = mounts(statefulset, "rabbitmq")[token_path]
    (token,) = [
        source["serviceAccountToken"]
        for source in api["projected"]["sources"]
        if "serviceAccountToken" in source
    ]
    assert token["expirationSeconds"] <= 3600
    assert token_path not in mounts(statefulset, "erlang-cookie"), "the init container gets no token"
    assert all(
        m["readOnly"]
        for m in container(statefulset, "rabbitmq")["volumeMounts"]
        if m["mountPath"] == token_path
    )


@pytest.mark.security
def test_the_erlang_cookie_comes_from_the_secret_into_an_owner_only_file(rabbitmq):
    """docs/security.md case 44: the nodes' cookie is no fixed string, and only the broker's uid reads it."""
    statefulset = one(rabbitmq, "StatefulSet", "rabbitmq")
    init = container(statefulset, "erlang-cookie")
    script = init["command"][-1]
    assert OWNER_ONLY_COPY in script
    assert "/run/secrets/rabbitmq/erlang-cookie > /var/lib/rabbitmq/.erlang.cookie" in script
    secret = mounts(statefulset, "erlang-cookie")["/run/secrets/rabbitmq"]["secret"]
    assert secret["items"] == [{"key": "erlang-cookie", "path": "erlang-cookie"}]
    assert secret["defaultMode"] == 0o440
    assert "/var/lib/rabbitmq" in mounts(statefulset, "erlang-cookie"), "the copy is where the CLI tools look"
    assert "RABBITMQ_ERLANG_COOKIE" not in env(container(statefulset, "rabbitmq"))


@pytest.mark.security
def test_the_erlang_cookie_is_generated_for_each_release_unless_given():
    first, second = (
        secret_data(render("rabbitmq", {"replicaCount": 3, "podAnnotations": {"try": str(i)}}), "rabbitmq")
        for i in (1, 2)
    )
    assert len(first["erlang-cookie"]) >= 64
    assert first["erlang-cookie"] != second["erlang-cookie"]
    given = "zz0cookie0given0for0this0test0only0a1b2c3"
    assert (
        secret_data(render("rabbitmq", {"replicaCount": 3, "auth": {"erlangCookie": given}}), "rabbitmq")[
            "erlang-cookie"
        ]
        == given
    )
    error = render_error("rabbitmq", {"replicaCount": 3, "auth": {"erlangCookie": "short"}})
    assert "auth.erlangCookie: Does not match pattern" in error


def test_an_existing_secret_gives_the_cluster_its_cookie():
    docs = render("rabbitmq", {"replicaCount": 3, "auth": {"existingSecret": "rabbitmq-credentials"}})
    assert not of_kind(docs, "Secret")
    statefulset = one(docs, "StatefulSet", "rabbitmq")
    assert (
        mounts(statefulset, "erlang-cookie")["/run/secrets/rabbitmq"]["secret"]["secretName"]
        == "rabbitmq-credentials"
    )


def test_the_rabbitmq_cluster_url_lists_every_node_for_the_app_and_one_for_keda(rabbitmq):
    data = secret_data(render("rabbitmq", {"replicaCount": 3}), "rabbitmq")
    urls = [urlsplit(url) for url in data["url"].split(",")]
    assert [url.hostname for url in urls] == RABBITMQ_NODES
    assert {(url.scheme, url.port, url.username, url.password, url.path) for url in urls} == {
        ("amqp", 5672, "invoiceapp", data["password"], "/%2F")
    }
    service = urlsplit(data["service-url"])
    assert (service.hostname, service.port, service.password) == (
        "rabbitmq.invoiceapp.svc",
        5672,
        data["password"],
    )


def test_rabbitmq_cluster_loses_one_node_at_a_time_on_separate_machines(rabbitmq):
    pdb = one(rabbitmq, "PodDisruptionBudget", "rabbitmq")
    assert pdb["spec"]["maxUnavailable"] == 1
    assert pdb["spec"]["selector"]["matchLabels"] == {
        "app.kubernetes.io/name": "rabbitmq",
        "app.kubernetes.io/instance": "rabbitmq",
    }
    term = the_anti_affinity(one(rabbitmq, "StatefulSet", "rabbitmq"), "rabbitmq")
    assert term["topologyKey"] == "kubernetes.io/hostname"


def test_given_affinity_replaces_the_preferred_anti_affinity():
    affinity: dict[str, Any] = {
        "nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": []}}
    }
    statefulset = one(
        render("rabbitmq", {"replicaCount": 3, "affinity": affinity}), "StatefulSet", "rabbitmq"
    )
    assert pod_spec(statefulset)["affinity"] == affinity


@pytest.mark.security
def test_rabbitmq_nodes_reach_each_other_and_the_api_server_only(rabbitmq):
    spec = one(rabbitmq, "NetworkPolicy", "rabbitmq")["spec"]
    peers = [
        {
            "podSelector": {
                "matchLabels": {
                    "app.kubernetes.io/name": "rabbitmq",
                    "app.kubernetes.io/instance": "rabbitmq",
                }
            }
        }
    ]
    clustering = [{"port": 4369, "protocol": "TCP"}, {"port": 25672, "protocol": "TCP"}]
    assert {"from": peers, "ports": clustering} in spec["ingress"]
    assert [rule["ports"] for rule in spec["ingress"] if rule["ports"] != clustering] == [
        [{"port": 5672, "protocol": "TCP"}],
        [{"port": 5672, "protocol": "TCP"}],  # KEDA's operator, from the values
    ]
    assert spec["egress"][1:] == [
        {"to": peers, "ports": clustering},
        {"to": [{"ipBlock": {"cidr": "10.20.0.10/32"}}], "ports": [{"port": 443, "protocol": "TCP"}]},
    ]


@pytest.mark.parametrize("count", [2, 4, 9])
def test_schema_refuses_a_rabbitmq_cluster_without_an_odd_majority(count):
    assert "replicaCount must be one of the following: 1, 3, 5, 7" in render_error(
        "rabbitmq", {"replicaCount": count}
    )


def test_a_single_rabbitmq_node_is_rendered_as_before():
    docs = render("rabbitmq")
    statefulset = one(docs, "StatefulSet", "rabbitmq")
    assert (statefulset["spec"]["replicas"], statefulset["spec"]["serviceName"]) == (1, "rabbitmq")
    assert "podManagementPolicy" not in statefulset["spec"]
    assert {"initContainers", "serviceAccountName", "affinity"}.isdisjoint(pod_spec(statefulset))
    assert [
        doc["kind"]
        for doc in docs
        if doc["kind"] in {"PodDisruptionBudget", "Role", "RoleBinding", "ServiceAccount"}
    ] == []
    assert [s["metadata"]["name"] for s in of_kind(docs, "Service")] == ["rabbitmq"]
    assert set(one(docs, "ConfigMap", "rabbitmq")["data"]) == {"30-invoiceapp.conf"}
    assert "cluster_formation" not in one(docs, "ConfigMap", "rabbitmq")["data"]["30-invoiceapp.conf"]
    data = secret_data(docs, "rabbitmq")
    assert set(data) == {"password", "url"}
    assert "," not in data["url"]
    assert "RABBITMQ_NODENAME" not in env(container(statefulset, "rabbitmq"))


# --- MongoDB: a replica set of three members ----------------------------------------------------------------


def test_mongodb_replica_set_starts_three_members_together_under_a_governing_service(mongodb):
    statefulset = one(mongodb, "StatefulSet", "mongodb")
    assert statefulset["spec"]["replicas"] == 3
    assert statefulset["spec"]["podManagementPolicy"] == "Parallel"
    assert statefulset["spec"]["serviceName"] == "mongodb-headless"
    headless = one(mongodb, "Service", "mongodb-headless")
    assert headless["spec"]["clusterIP"] == "None"
    assert headless["spec"]["publishNotReadyAddresses"] is True


def test_mongod_runs_with_the_replica_set_name_and_the_key_file(mongodb):
    statefulset = one(mongodb, "StatefulSet", "mongodb")
    args = container(statefulset, "mongodb")["args"]
    assert args[args.index("--replSet") + 1] == "rs0"
    key_file = args[args.index("--keyFile") + 1]
    volume = mounts(statefulset, "mongodb")[key_file.rsplit("/", 1)[0]]
    assert volume["emptyDir"]["medium"] == "Memory"


@pytest.mark.security
def test_the_key_file_comes_from_the_secret_into_an_owner_only_file(mongodb):
    """docs/security.md case 44: the members' key is no fixed string, and only mongod's uid reads its copy."""
    statefulset = one(mongodb, "StatefulSet", "mongodb")
    args = container(statefulset, "mongodb")["args"]
    key_file = args[args.index("--keyFile") + 1]
    init = container(statefulset, "keyfile")
    script = init["command"][-1]
    assert OWNER_ONLY_COPY in script
    assert f"/run/secrets/mongodb-keyfile/replica-set-key > {key_file}" in script
    secret = mounts(statefulset, "keyfile")["/run/secrets/mongodb-keyfile"]["secret"]
    assert secret["items"] == [{"key": "replica-set-key", "path": "replica-set-key"}]
    assert secret["defaultMode"] == 0o440
    key_dir = key_file.rsplit("/", 1)[0]
    assert mounts(statefulset, "keyfile")[key_dir] == mounts(statefulset, "mongodb")[key_dir]
    (mount,) = [m for m in container(statefulset, "mongodb")["volumeMounts"] if m["mountPath"] == key_dir]
    assert mount["readOnly"] is True
    assert "/run/secrets/mongodb-keyfile" not in mounts(statefulset, "mongodb"), "mongod reads only its copy"


@pytest.mark.security
def test_the_replica_set_key_is_generated_for_each_release_unless_given():
    first, second = (
        secret_data(render("mongodb", {"replicaCount": 3, "podAnnotations": {"try": str(i)}}), "mongodb")
        for i in (1, 2)
    )
    assert len(first["replica-set-key"]) >= 512
    assert first["replica-set-key"] != second["replica-set-key"]
    given = "zzReplicaSetKeyGivenForThisTestOnly+/="
    data = secret_data(render("mongodb", {"replicaCount": 3, "replicaSet": {"key": given}}), "mongodb")
    assert data["replica-set-key"] == given
    assert "Does not match pattern" in render_error(
        "mongodb", {"replicaCount": 3, "replicaSet": {"key": "a b c d e f"}}
    )


def test_an_existing_secret_gives_the_replica_set_its_key():
    docs = render("mongodb", {"replicaCount": 3, "auth": {"existingSecret": "mongodb-credentials"}})
    assert not of_kind(docs, "Secret")
    statefulset = one(docs, "StatefulSet", "mongodb")
    assert (
        mounts(statefulset, "keyfile")["/run/secrets/mongodb-keyfile"]["secret"]["secretName"]
        == "mongodb-credentials"
    )
    job = one(docs, "Job", "mongodb-replicaset-init")
    assert (
        mounts(job, "replicaset-init")["/run/secrets/mongodb"]["secret"]["secretName"]
        == "mongodb-credentials"
    )


@pytest.fixture(scope="module")
def init_script(mongodb) -> str:
    script: str = one(mongodb, "ConfigMap", "mongodb-replicaset-init")["data"]["replicaset-init.js"]
    return script


def test_a_hook_job_initiates_the_replica_set_after_install_and_upgrade(mongodb):
    job = one(mongodb, "Job", "mongodb-replicaset-init")
    assert hook_kinds(job) == {"post-install", "post-upgrade"}
    assert (
        job["metadata"]["annotations"]["helm.sh/hook-delete-policy"] == "before-hook-creation,hook-succeeded"
    )
    assert pod_spec(job)["restartPolicy"] == "Never"
    init = container(job, "replicaset-init")
    assert init["command"] == ["mongosh", "--nodb", "--quiet", "--norc", "/scripts/replicaset-init.js"]
    assert mounts(job, "replicaset-init")["/scripts"]["configMap"]["name"] == "mongodb-replicaset-init"
    job_env = env(init)
    assert job_env["REPLICA_SET_NAME"] == "rs0"
    assert job_env["REPLICA_SET_MEMBERS"].split(",") == MONGODB_MEMBERS
    assert job_env["ROOT_PASSWORD_FILE"] == "/run/secrets/mongodb/root-password"


def test_the_initiation_is_idempotent(init_script):
    # A set with a primary is never initiated again; without one, rs.initiate runs only where
    # replSetGetStatus said NotYetInitialized, with member 0 alone (the others hold their first start's
    # users: an initiate naming them is refused); each other member is added only when the configuration
    # lacks it, so a second run changes nothing.
    assert init_script.count("rs.initiate(") == 1
    assert init_script.index("db = connectToPrimary();") < init_script.index("print(`no primary")
    guard = init_script.index("if (initiated()) {")
    assert init_script.index("print(`no primary") < guard
    assert guard < init_script.index("rs.initiate({ _id: name, members: [{ _id: 0, host: members[0] }] })")
    assert "status.codeName === 'NotYetInitialized'" in init_script
    assert init_script.count("rs.add(") == 1
    assert "if (!configured().includes(host)) rs.add(host);" in init_script
    assert "rs.remove" not in init_script
    assert "force" not in init_script


def test_the_mongodb_url_lists_every_member_with_the_replica_set_name():
    data = secret_data(render("mongodb", {"replicaCount": 3}), "mongodb")
    url = urlsplit(data["url"])
    assert url.netloc.split("@", 1)[1].split(",") == MONGODB_MEMBERS
    assert url.path == "/invoiceapp"
    assert parse_qs(url.query) == {"authSource": ["invoiceapp"], "replicaSet": ["rs0"]}


def test_mongodb_loses_one_member_at_a_time_on_separate_machines(mongodb):
    assert one(mongodb, "PodDisruptionBudget", "mongodb")["spec"]["maxUnavailable"] == 1
    term = the_anti_affinity(one(mongodb, "StatefulSet", "mongodb"), "mongodb")
    assert term["topologyKey"] == "kubernetes.io/hostname"


@pytest.mark.security
def test_members_reach_each_other_and_the_job_reaches_them_only(mongodb):
    members = {
        "podSelector": {
            "matchLabels": {"app.kubernetes.io/name": "mongodb", "app.kubernetes.io/instance": "mongodb"}
        }
    }
    job_pods = {
        "matchLabels": {
            "app.kubernetes.io/name": "mongodb-replicaset-init",
            "app.kubernetes.io/instance": "mongodb",
        }
    }
    port = [{"port": 27017, "protocol": "TCP"}]
    spec = one(mongodb, "NetworkPolicy", "mongodb")["spec"]
    assert {"from": [members, {"podSelector": job_pods}], "ports": port} in spec["ingress"]
    assert spec["egress"][1:] == [{"to": [members], "ports": port}]
    job_policy = one(mongodb, "NetworkPolicy", "mongodb-replicaset-init")["spec"]
    assert job_policy["podSelector"] == job_pods
    assert (
        job_pods["matchLabels"].items() <= pod_labels(one(mongodb, "Job", "mongodb-replicaset-init")).items()
    )
    assert "ingress" not in job_policy
    assert job_policy["egress"][1:] == [{"to": [members], "ports": port}]
    # The Job's pods are not the StatefulSet's: neither its Services nor its PDB select them.
    service_selector = one(mongodb, "Service", "mongodb")["spec"]["selector"]
    assert not service_selector.items() <= pod_labels(one(mongodb, "Job", "mongodb-replicaset-init")).items()


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ({"replicaCount": 2}, "replicaCount must be one of the following: 1, 3, 5, 7"),
        ({"replicaCount": 3, "replicaSet": {"name": "rs 0"}}, "replicaSet.name: Does not match pattern"),
    ],
)
def test_schema_refuses_a_replica_set_without_an_odd_majority_or_a_valid_name(values, error):
    assert error in render_error("mongodb", values)


def test_a_single_mongodb_server_is_rendered_as_before():
    docs = render("mongodb")
    statefulset = one(docs, "StatefulSet", "mongodb")
    assert (statefulset["spec"]["replicas"], statefulset["spec"]["serviceName"]) == (1, "mongodb")
    assert "podManagementPolicy" not in statefulset["spec"]
    assert container(statefulset, "mongodb")["args"] == ["mongod", "--wiredTigerCacheSizeGB", "0.5"]
    assert {"initContainers", "affinity"}.isdisjoint(pod_spec(statefulset))
    assert [doc["kind"] for doc in docs if doc["kind"] in {"PodDisruptionBudget", "Job"}] == []
    assert [s["metadata"]["name"] for s in of_kind(docs, "Service")] == ["mongodb"]
    assert [p["metadata"]["name"] for p in of_kind(docs, "NetworkPolicy")] == ["mongodb"]
    data = secret_data(docs, "mongodb")
    assert set(data) == {"root-password", "password", "url"}
    assert "replicaSet=" not in data["url"]


# --- The app against the clusters, PostgreSQL from CloudNativePG --------------------------------------------


def secret_items(workload: Manifest) -> dict[str, tuple[str, str]]:
    """path (the variable) -> (Secret, key) of what the app pod's secrets volume mounts."""
    sources = pod_spec(workload)["volumes"][1]["projected"]["sources"]
    return {
        item["path"]: (s["secret"]["name"], item["key"]) for s in sources for item in s["secret"]["items"]
    }


@pytest.fixture(scope="module")
def cnpg_cluster() -> dict[str, Any]:
    (cluster,) = yaml.safe_load_all((HELM_DIR / "examples" / "cnpg-cluster.yaml").read_text())
    assert (cluster["apiVersion"], cluster["kind"]) == ("postgresql.cnpg.io/v1", "Cluster")
    return dict(cluster)


def test_the_app_takes_the_owner_and_application_urls_from_the_cloudnativepg_cluster(
    app_cluster, cnpg_cluster
):
    name = cnpg_cluster["metadata"]["name"]
    (role,) = cnpg_cluster["spec"]["managed"]["roles"]
    assert cnpg_cluster["spec"]["bootstrap"]["initdb"] == {"database": "invoiceapp", "owner": "invoiceapp"}
    migrate = one(app_cluster, "Job", "invoiceapp-migrate")
    # CloudNativePG writes initdb's owner's URL to <cluster>-app, key uri: the migrate job's only.
    assert secret_items(migrate)["DATABASE_URL"] == (f"{name}-app", "uri")
    # The managed role is the one the migrate job grants its rights to.
    assert role["name"] == env(container(migrate, "migrate"))["DATABASE_APP_ROLE"]
    assert (role["login"], role["ensure"]) == (True, "present")
    for workload in workloads(app_cluster):
        if workload is migrate:
            continue
        items = secret_items(workload)
        assert items["DATABASE_URL"] == (role["passwordSecret"]["name"], "url"), workload["metadata"]["name"]
        assert (f"{name}-app", "uri") not in items.values()


def test_the_app_reads_the_member_lists_the_data_charts_generate(app_cluster):
    items = secret_items(one(app_cluster, "Deployment", "invoiceapp-web"))
    assert items["AMQP_URL"] == ("rabbitmq", "url")
    assert items["MONGODB_URL"] == ("mongodb", "url")
    amqp = secret_data(render("rabbitmq", files=[CI / "rabbitmq-cluster.yaml"]), "rabbitmq")["url"]
    assert [urlsplit(url).hostname for url in amqp.split(",")] == RABBITMQ_NODES
    mongodb_url = secret_data(render("mongodb", files=[CI / "mongodb-replicaset.yaml"]), "mongodb")["url"]
    assert "replicaSet=rs0" in mongodb_url


def test_keda_reads_one_broker_url_where_the_app_reads_the_list(app_cluster):
    auth = one(app_cluster, "TriggerAuthentication", "invoiceapp-render")
    assert auth["spec"]["secretTargetRef"] == [
        {"parameter": "host", "name": "rabbitmq", "key": "service-url"}
    ]
    assert "service-url" in secret_data(render("rabbitmq", files=[CI / "rabbitmq-cluster.yaml"]), "rabbitmq")


@pytest.mark.security
def test_the_webhook_pods_reach_the_cloudnativepg_instances_and_rabbitmq(app_cluster, cnpg_cluster):
    egress = one(app_cluster, "NetworkPolicy", "invoiceapp-webhook-egress")["spec"]["egress"]
    services = [rule for rule in egress if rule.get("to") and rule["to"][0].keys() == {"podSelector"}]
    assert [(rule["to"][0]["podSelector"]["matchLabels"], rule["ports"]) for rule in services] == [
        ({"cnpg.io/cluster": cnpg_cluster["metadata"]["name"]}, [{"port": 5432, "protocol": "TCP"}]),
        (
            {"app.kubernetes.io/name": "rabbitmq", "app.kubernetes.io/instance": "rabbitmq"},
            [{"port": 5672, "protocol": "TCP"}],
        ),
    ]
