#!/usr/bin/env bash
# Create the project's virtualenv. On a fresh Debian, python3 lacks venv/ensurepip until python3-venv is
# installed, so install it when we can.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
python=${1:-python3}
venv=${2:-.venv}

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  log "Python 3.11 or newer is needed; $python is $("$python" --version 2>&1)"
  exit 1
fi
if ! "$python" -m venv "$venv" 2>/dev/null; then
  rm -rf "$venv"
  version=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
  apt_install "python${version}-venv" || apt_install python3-venv
  "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --upgrade pip >&2
log "virtualenv ready in $venv"
