#!/usr/bin/env bash
# Bring up the real services the test suite talks to, on this machine: start each one if it is installed,
# install it (Debian packages, as root) if it is not. Idempotent: a running service is left alone.
#
#   scripts/services.sh up      start what is missing and prepare the databases
#
# PostgreSQL: a role and database `invoiceapp` (password `invoiceapp`, CREATEDB for the test database; the
# schema's owner), and the application's login role `invoiceapp_app` (password `invoiceapp_app`: owns nothing,
# gets its rights from `manage.py grant_app_role`, which cannot UPDATE or DELETE ledger rows), reached over TCP on 127.0.0.1:5432 so password, trust and scram set-ups all work.
# RabbitMQ: guest/guest on 127.0.0.1:5672 (Debian's rabbitmq-server).
# MongoDB: a real mongod already answering on 127.0.0.1:27017 is used; otherwise the MongoDB-compatible
# SecantusDB (PyPI, pinned) is installed into .services/mongo and started in the background, its data in
# .services/mongo-data and its log in .services/mongo.log (no Debian package of mongod exists).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

PG_HOST=127.0.0.1
PG_PORT=${PG_PORT:-5432}
MONGO_PORT=${MONGO_PORT:-27017}
SECANTUS_VERSION=0.7.0b3
SERVICES_DIR=${SERVICES_DIR:-.services}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

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
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'invoiceapp_app') THEN
      CREATE ROLE invoiceapp_app LOGIN PASSWORD 'invoiceapp_app';
    END IF; END\$\$;" >/dev/null
  if [ -z "$(pg_admin_sql "SELECT 1 FROM pg_database WHERE datname = 'invoiceapp'")" ]; then
    pg_admin_sql "CREATE DATABASE invoiceapp OWNER invoiceapp" >/dev/null
  fi
}

rabbitmq_up() {
  if port_open 5672 && rabbitmqctl -q status >/dev/null 2>&1; then return 0; fi
  command -v rabbitmq-server >/dev/null 2>&1 || apt_install rabbitmq-server
  log "starting RabbitMQ"
  rabbitmq-server -detached >&2 || true
  rabbitmqctl -q await_startup --timeout 120 >&2
}

mongo_up() {
  if port_open "$MONGO_PORT"; then return 0; fi
  local venv="$SERVICES_DIR/mongo"
  if [ ! -x "$venv/bin/secantusd-py" ]; then
    log "installing SecantusDB $SECANTUS_VERSION (MongoDB wire protocol) into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "secantusdb==$SECANTUS_VERSION" >&2
  fi
  mkdir -p "$SERVICES_DIR/mongo-data"
  log "starting SecantusDB on 127.0.0.1:$MONGO_PORT"
  # setsid + redirected output: the server must not hold the caller's terminal or CI's output pipe open.
  setsid "$venv/bin/secantusd-py" --host 127.0.0.1 --port "$MONGO_PORT" \
    --storage-path "$SERVICES_DIR/mongo-data" --cache-size 256M --log-level WARNING \
    >>"$SERVICES_DIR/mongo.log" 2>&1 </dev/null &
  echo $! >"$SERVICES_DIR/mongo.pid"
  wait_for "SecantusDB" 60 port_open "$MONGO_PORT"
}

tools_up() {
  # pdftotext/pdftoppm read rendered PDFs back in the tests.
  command -v pdftotext >/dev/null 2>&1 || apt_install poppler-utils
  # The admin's browser test drives Debian's Chromium; Playwright never downloads a browser of its own.
  [ -x /usr/bin/chromium ] || apt_install chromium fonts-liberation
  # make bench's HTTP load generator.
  command -v wrk >/dev/null 2>&1 || apt_install wrk
}

case "${1:-up}" in
  up)
    pg_up
    pg_prepare
    rabbitmq_up
    mongo_up
    tools_up
    log "services ready: PostgreSQL $PG_HOST:$PG_PORT, RabbitMQ 127.0.0.1:5672, MongoDB 127.0.0.1:$MONGO_PORT"
    ;;
  *)
    echo "usage: $0 up" >&2
    exit 2
    ;;
esac
