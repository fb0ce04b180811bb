#!/bin/sh
# The image's entry point. The first argument is the role this container plays; one image runs them all:
#
#   web                  gunicorn on 0.0.0.0:8000 (settings in docker/gunicorn.conf.py)
#   render|notify|webhook|relay
#                        manage.py run_worker ROLE: a queue consumer (with the outbox relay), or the relay
#   migrate              manage.py migrate, createcachetable, then grant_app_role "$DATABASE_APP_ROLE" when
#                        set; exits when done (a one-shot job)
#   cleanup              manage.py cleanup_files: removes stored files no invoice references (the CronJob)
#   manage.py ARGS...    python manage.py ARGS..., e.g. `manage.py shell`
#   anything else        run as given, e.g. `python -V`
#
# Arguments after the role go to the command (`web --workers 4`, `render --no-relay`). Every long-running
# role is exec'd, so it is PID 1 and receives docker's SIGTERM itself (gunicorn and run_worker both stop
# gracefully on it).
set -eu

APP_DIR=$(cd "$(dirname "$0")/.." && pwd)
# healthcheck.py reads the role from here: a HEALTHCHECK process gets the container's configured
# environment, not what this script exports, so the role has to be written down.
ROLE_FILE=${APP_ROLE_FILE:-/tmp/app-role}

usage() {
  cat >&2 <<'USAGE'
usage: entrypoint.sh ROLE [ARGS...]

  web        serve the app with gunicorn on 0.0.0.0:8000
  render     run the render worker (manage.py run_worker render)
  notify     run the notification worker (manage.py run_worker notify)
  webhook    run the webhook delivery worker (manage.py run_worker webhook)
  relay      run the outbox relay alone (manage.py run_worker relay)
  migrate    apply the migrations, create the cache table, grant $DATABASE_APP_ROLE its rights, then exit
  cleanup    remove stored files no invoice references (manage.py cleanup_files), then exit
  manage.py  any management command, e.g. `manage.py shell`
  COMMAND    anything else is run as given
USAGE
}

record_role() {
  if ! printf '%s\n' "$1" >"$ROLE_FILE"; then
    echo "entrypoint.sh: cannot write $ROLE_FILE; the container needs a writable /tmp (a tmpfs)" >&2
    exit 1
  fi
}

if [ "$#" -eq 0 ]; then
  usage
  exit 64
fi
cd "$APP_DIR"
role=$1

case "$role" in
  web)
    shift
    record_role web
    # Several gunicorn workers share one set of Prometheus metrics through this directory; it must start
    # empty (stale files from an earlier run would add their counts).
    PROMETHEUS_MULTIPROC_DIR=${PROMETHEUS_MULTIPROC_DIR:-/tmp/prometheus}
    rm -rf "$PROMETHEUS_MULTIPROC_DIR"
    mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
    export PROMETHEUS_MULTIPROC_DIR
    exec gunicorn invoicesite.wsgi:application -c docker/gunicorn.conf.py "$@"
    ;;
  render | notify | webhook | relay)
    shift
    record_role "$role"
    exec python manage.py run_worker "$role" "$@"
    ;;
  migrate)
    shift
    record_role migrate
    python manage.py migrate --no-input "$@"
    # As the schema's owner: the application's role may then read and append ledger rows, never change
    # them (docs/deployment.md, "The two database roles"). Unset: one role for everything (no grant).
    if [ -n "${DATABASE_APP_ROLE:-}" ]; then
      python manage.py createcachetable
      exec python manage.py grant_app_role  # the role named by DATABASE_APP_ROLE
    fi
    exec python manage.py createcachetable
    ;;
  cleanup)
    shift
    record_role cleanup
    exec python manage.py cleanup_files "$@"
    ;;
  manage.py)
    exec python "$@"
    ;;
  -h | --help | help)
    usage
    exit 0
    ;;
  *)
    exec "$@"
    ;;
esac
