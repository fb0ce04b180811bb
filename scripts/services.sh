#!/usr/bin/env bash
# Bring up the real services the test suite talks to, on this machine: start each one if it is installed,
# install it (Debian packages, as root) if it is not. Idempotent: a running service is left alone.
#
#   scripts/services.sh up      start what is missing and prepare the databases
#
# PostgreSQL: a role and database `invoiceapp` (password `invoiceapp`, CREATEDB for the test database),
# reached over TCP on 127.0.0.1:5432 so password, trust and scram set-ups all work.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

PG_HOST=127.0.0.1
PG_PORT=${PG_PORT:-5432}

pg_up() {
  if pg_isready -q -h "$PG_HOST" -p "$PG_PORT" 2>/dev/null; then return 0; fi
  if ! ls -d /etc/postgresql/*/main >/dev/null 2>&1; then
    apt_install postgresql postgresql-client
  fi
  local version
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  log "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
  wait_for "PostgreSQL" 60 pg_isready -q -h "$PG_HOST" -p "$PG_PORT"
}

# Run SQL as a PostgreSQL superuser: over TCP where trust auth allows it, else through the local socket
# as the postgres system user (a fresh Debian install's peer auth).
pg_admin_sql() {
  psql -w -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtAc "$1" 2>/dev/null \
    || runuser -u postgres -- psql -p "$PG_PORT" -d postgres -v ON_ERROR_STOP=1 -qtAc "$1"
}

pg_prepare() {
  pg_admin_sql "DO \$\$BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'invoiceapp') THEN
      CREATE ROLE invoiceapp LOGIN CREATEDB PASSWORD 'invoiceapp';
    END IF; END\$\$;" >/dev/null
  if [ -z "$(pg_admin_sql "SELECT 1 FROM pg_database WHERE datname = 'invoiceapp'")" ]; then
    pg_admin_sql "CREATE DATABASE invoiceapp OWNER invoiceapp" >/dev/null
  fi
}

tools_up() {
  # pdftotext/pdftoppm read rendered PDFs back in the tests.
  command -v pdftotext >/dev/null 2>&1 || apt_install poppler-utils
}

case "${1:-up}" in
  up)
    pg_up
    pg_prepare
    tools_up
    log "services ready: PostgreSQL on $PG_HOST:$PG_PORT"
    ;;
  *)
    echo "usage: $0 up" >&2
    exit 2
    ;;
esac
