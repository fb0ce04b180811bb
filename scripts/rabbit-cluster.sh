#!/usr/bin/env bash
# A three-node RabbitMQ cluster on 127.0.0.1 for the node-loss fault test (tests/faults/test_rabbit_cluster.py),
# from Debian's rabbitmq-server, beside (never instead of) the single broker on 5672 the rest of the suite uses.
#
#   scripts/rabbit-cluster.sh up        start the nodes that are not running and join them into one cluster
#   scripts/rabbit-cluster.sh down      stop the three nodes (their data stays, so `up` is quick again)
#   scripts/rabbit-cluster.sh status    the cluster as node 1 sees it
#   scripts/rabbit-cluster.sh url       the comma-separated AMQP_URL naming the three nodes
#   scripts/rabbit-cluster.sh ctl N ARG...   rabbitmqctl against node N (1-3), with the cluster's cookie
#
# Nodes rabbit-c1@localhost .. rabbit-c3@localhost: AMQP on 127.0.0.1:$((CLUSTER_PORT_BASE + N)) (5701-5703),
# Erlang distribution on 127.0.0.1:$((CLUSTER_PORT_BASE + 20000 + N)). Data, logs and the cluster's own Erlang
# cookie are in $SERVICES_DIR/rabbit-cluster/ (git-ignored). The nodes run as the calling user, not through
# Debian's wrapper in /usr/sbin (as root it switches to the rabbitmq user, whose HOME has another cookie),
# and they read none of /etc/rabbitmq (which names the system node and its port).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

SERVICES_DIR=${SERVICES_DIR:-$(cd "$here/.." && pwd)/.services}
CLUSTER_PORT_BASE=${CLUSTER_PORT_BASE:-5700}
CLUSTER_DIR="$SERVICES_DIR/rabbit-cluster"
RABBIT_BIN=/usr/lib/rabbitmq/bin
NODES=(1 2 3)
START_TIMEOUT=60 # seconds for a node to boot

node_name() { echo "rabbit-c$1@localhost"; }
amqp_port() { echo $((CLUSTER_PORT_BASE + $1)); }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Run a command in node N's environment, for its server and for the CLI tools that talk to it. HOME holds
# the cookie; RABBITMQ_CONF_ENV_FILE and RABBITMQ_CONFIG_FILE keep /etc/rabbitmq out.
in_node_env() {
  local n=$1 dir="$CLUSTER_DIR/c$1"
  shift
  (
    export HOME="$CLUSTER_DIR" \
      RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf" \
      RABBITMQ_NODENAME="$(node_name "$n")" \
      RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
      RABBITMQ_NODE_PORT="$(amqp_port "$n")" \
      RABBITMQ_DIST_PORT=$((CLUSTER_PORT_BASE + 20000 + n)) \
      RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" \
      RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config" \
      RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" \
      RABBITMQ_MNESIA_BASE="$dir/mnesia" \
      RABBITMQ_LOG_BASE="$dir/log" \
      RABBITMQ_PID_FILE="$dir/pid" \
      ERL_EPMD_ADDRESS=127.0.0.1 \
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    exec "$@"
  )
}

ctl() {
  local n=$1
  shift
  in_node_env "$n" "$RABBIT_BIN/rabbitmqctl" -q -n "$(node_name "$n")" "$@"
}

prepare() {
  command -v rabbitmq-server >/dev/null 2>&1 || apt_install rabbitmq-server
  mkdir -p "$CLUSTER_DIR"
  if [ ! -s "$CLUSTER_DIR/.erlang.cookie" ]; then
    # Whoever has the cookie can run code on the nodes: a random one, readable by this user only.
    (umask 077 && head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$CLUSTER_DIR/.erlang.cookie")
    chmod 400 "$CLUSTER_DIR/.erlang.cookie"
  fi
  for n in "${NODES[@]}"; do
    local dir="$CLUSTER_DIR/c$n"
    mkdir -p "$dir/mnesia" "$dir/log"
    printf 'listeners.tcp.1 = 127.0.0.1:%s\n' "$(amqp_port "$n")" >"$dir/rabbitmq.conf"
    echo '[].' >"$dir/enabled_plugins"
    : >"$dir/rabbitmq-env.conf"
  done
}

# running N: the node's Erlang VM answers; app_running N: and RabbitMQ itself runs on it.
running() { ctl "$1" ping >/dev/null 2>&1; }
app_running() { in_node_env "$1" "$RABBIT_BIN/rabbitmq-diagnostics" -q -n "$(node_name "$1")" check_running >/dev/null 2>&1; }

start_node() {
  local n=$1
  if running "$n"; then
    app_running "$n" || ctl "$n" start_app >&2
    return 0
  fi
  if port_open "$(amqp_port "$n")"; then
    take_over "$n" || return 1
  fi
  log "starting RabbitMQ node $(node_name "$n") on 127.0.0.1:$(amqp_port "$n")"
  # setsid + redirected output: the node must not hold the caller's terminal or CI's output pipe open.
  in_node_env "$n" setsid "$RABBIT_BIN/rabbitmq-server" >>"$CLUSTER_DIR/c$n/log/startup.log" 2>&1 </dev/null &
}

# Node N's port is held by a node this checkout's cookie cannot reach: another checkout's cluster (a clone
# deleted, a test run killed before its teardown). The names and ports are this script's own, so such a node
# is a leftover test broker of this user: stop it, so that every checkout (CI's fresh clone among them) can
# start its cluster. Anything else on the port is left alone and reported.
# The pids of this user's processes started as node N (the name is in their environment, not their command
# line: the server takes it from RABBITMQ_NODENAME).
node_pids() {
  local env_file pid
  for env_file in /proc/[0-9]*/environ; do
    pid=${env_file#/proc/}
    pid=${pid%/environ}
    [ -O "$env_file" ] || continue
    if { tr '\0' '\n' <"$env_file"; } 2>/dev/null | grep -qx "RABBITMQ_NODENAME=$(node_name "$1")"; then
      echo "$pid"
    fi
  done
}

take_over() {
  local n=$1 pids
  pids=$(node_pids "$n")
  if [ -z "$pids" ]; then
    log "127.0.0.1:$(amqp_port "$n") is taken by something that is not a node of this script; free the port"
    return 1
  fi
  log "stopping $(node_name "$n") left by another checkout (pids $(echo "$pids" | tr '\n' ' '))"
  # shellcheck disable=SC2086  # one pid per word
  kill $pids 2>/dev/null || true
  for _ in $(seq 1 30); do
    port_open "$(amqp_port "$n")" || return 0
    sleep 1
  done
  # shellcheck disable=SC2086
  kill -9 $pids 2>/dev/null || true
  sleep 1
  ! port_open "$(amqp_port "$n")"
}

# await_startup needs the node's Erlang VM registered already: asked earlier (a first boot, a busy machine)
# it fails at once with "not running at all". So the VM is waited for first, then RabbitMQ on it.
await_node() {
  local n=$1 deadline=$((SECONDS + START_TIMEOUT))
  until running "$n"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "$(node_name "$n")'s Erlang VM did not come up within ${START_TIMEOUT}s; its log: $CLUSTER_DIR/c$n/log/"
      return 1
    fi
    sleep 1
  done
  if ! ctl "$n" await_startup --timeout "$START_TIMEOUT" >&2; then
    log "$(node_name "$n") did not start within ${START_TIMEOUT}s; its log: $CLUSTER_DIR/c$n/log/"
    return 1
  fi
}

# Nodes 2 and 3 join node 1's cluster once; their membership survives restarts (it is in their data).
join() {
  local n=$1 first
  first=$(node_name 1)
  if ctl "$n" cluster_status --formatter json | grep -q "\"$first\""; then return 0; fi
  log "joining $(node_name "$n") to $first"
  ctl "$n" stop_app >&2
  ctl "$n" join_cluster "$first" >&2
  ctl "$n" start_app >&2
}

# The whole cluster runs: all three nodes are running members, as node 1 sees it (one CLI call: each costs
# about a second, so this is what makes `up` quick when there is nothing to do).
all_running() {
  local status
  status=$(ctl 1 cluster_status --formatter json 2>/dev/null) || return 1
  local names=()
  for n in "${NODES[@]}"; do names+=("$(node_name "$n")"); done
  python3 -c 'import json, sys; sys.exit(set(json.loads(sys.argv[1])["running_nodes"]) != set(sys.argv[2:]))' \
    "$status" "${names[@]}"
}

up() {
  prepare
  if all_running; then
    log "RabbitMQ cluster already running: $(url)"
    return 0
  fi
  # All three start before any is awaited: a node whose data says it was clustered waits at boot for the
  # peer that stopped last, so starting them one by one could wait on a node not yet started.
  for n in "${NODES[@]}"; do start_node "$n"; done
  for n in "${NODES[@]}"; do await_node "$n"; done
  for n in 2 3; do join "$n"; done
  log "RabbitMQ cluster ready: $(url)"
}

down() {
  for n in "${NODES[@]}"; do
    if running "$n"; then
      log "stopping $(node_name "$n")"
      ctl "$n" stop >&2
    fi
  done
}

url() {
  local urls=()
  for n in "${NODES[@]}"; do urls+=("amqp://guest:guest@127.0.0.1:$(amqp_port "$n")/%2F"); done
  (IFS=, && echo "${urls[*]}")
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) ctl 1 cluster_status ;;
  url) url ;;
  ctl)
    shift
    case "${1:-}" in
      1 | 2 | 3) ctl "$@" ;;
      *)
        echo "usage: $0 ctl 1|2|3 RABBITMQCTL-ARGS..." >&2
        exit 2
        ;;
    esac
    ;;
  *)
    echo "usage: $0 up|down|status|url|ctl N ARGS..." >&2
    exit 2
    ;;
esac
