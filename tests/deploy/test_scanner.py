"""docs/security.md case 15: the security scanner (trivy) finds no HIGH or CRITICAL issue in the Helm
charts, and would.

The same `trivy config` command as scripts/lint-helm.sh (make lint-deploy), offline with its bundled checks,
run here on every chart rendered by the real helm with its default and production values, and on a
deliberately insecure Deployment, which must fail: a scanner gate that cannot fail proves nothing.
"""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.deploy.helm_tools import CHARTS, ROOT, HelmUnavailable, helm_binary, production_values, render

pytestmark = pytest.mark.security

TRIVY = Path(sys.executable).parent / "trivy"

INSECURE_DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "insecure", "namespace": "invoiceapp"},
    "spec": {
        "selector": {"matchLabels": {"app": "insecure"}},
        "template": {
            "metadata": {"labels": {"app": "insecure"}},
            "spec": {
                "hostPID": True,
                "containers": [
                    {
                        "name": "app",
                        "image": "example.com/app:1.0",
                        "securityContext": {"privileged": True, "runAsUser": 0},
                    }
                ],
            },
        },
    },
}


def trivy(folder: Path) -> subprocess.CompletedProcess:
    if not TRIVY.is_file():
        pytest.fail(f"{TRIVY} is missing: install the dev requirements (requirements-dev.txt)", pytrace=False)
    command = [
        str(TRIVY), "config", "--quiet", "--skip-check-update",
        "--cache-dir", str(ROOT / ".services" / "trivy-cache"),
        "--ignorefile", str(ROOT / ".trivyignore.yaml"),
        "--severity", "HIGH,CRITICAL", "--exit-code", "1", str(folder),
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)


def test_trivy_finds_no_high_or_critical_issue_in_the_rendered_charts(tmp_path):
    try:
        helm_binary()
    except HelmUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    for chart in CHARTS:
        for variant, files in (("default", []), ("ci", [production_values(chart)])):
            text = yaml.safe_dump_all(render(chart, files=files), sort_keys=False)
            (tmp_path / f"{chart}-{variant}.yaml").write_text(text)

    result = trivy(tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr


def test_trivy_fails_on_a_privileged_root_container(tmp_path):
    (tmp_path / "insecure.yaml").write_text(yaml.safe_dump(INSECURE_DEPLOYMENT))

    result = trivy(tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "HIGH" in result.stdout
    assert "privileged" in result.stdout.lower()
