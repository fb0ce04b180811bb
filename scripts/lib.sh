# Shared shell helpers for the set-up scripts (sourced, not run).

log() { printf '==> %s\n' "$*" >&2; }

# apt_install PKG...: install Debian packages when we are root on a Debian-like system, or explain.
apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing Debian packages: $*"
    if [ -z "${_APT_UPDATED:-}" ]; then
      apt-get update -qq >&2
      _APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
  else
    log "missing Debian packages: $* (install them as root: apt-get install -y $*)"
    return 1
  fi
}

# wait_for DESCRIPTION SECONDS COMMAND...: retry COMMAND once a second until it succeeds.
wait_for() {
  local what=$1 seconds=$2
  shift 2
  for _ in $(seq "$seconds"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  log "$what did not come up within ${seconds}s"
  return 1
}
