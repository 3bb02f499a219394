#!/usr/bin/env bash
# Clustered operator nodes on this machine (three by default, NODES=1..9), for trying the cluster
# out (not for production: node 1 also hosts the embedded PostgreSQL the others use, so it is the
# one node you cannot lose).
#
#   examples/local-cluster.sh start   # nodes on http://127.0.0.1:8081, :8082, :8083
#   examples/local-cluster.sh stop    # SIGTERM to the nodes started here
#
# Needs the jar: mvn -B -DskipTests package. Logs and data: ./data/cluster/.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=operator/target/asp-operator.jar
DIR=data/cluster
DB_PORT=${DB_PORT:-15432}
NODES=${NODES:-3}
MEMBERS=$(seq -s, -f '127.0.0.1:57%02g' 1 "$NODES")

node() { # node <n> [extra env...]
  local n=$1; shift
  env ASP_CLUSTER_MODE=tcp-ip ASP_CLUSTER_NAME=asp-local ASP_CLUSTER_MEMBERS=$MEMBERS \
    ASP_CLUSTER_PORT=$((5700 + n)) ASP_CLUSTER_INTERFACE=127.0.0.1 ASP_EVENTBUS_HOST=127.0.0.1 \
    ASP_HTTP_PORT=$((8080 + n)) ASP_MANAGEMENT_PORT=$((9090 + n)) \
    ASP_ADMIN_TOKEN=${ASP_ADMIN_TOKEN:-change-me-admin-token} "$@" \
    java -jar "$JAR" >"$DIR/node-$n.log" 2>&1 &
  echo $! >"$DIR/node-$n.pid"
  echo "node $n: pid $!, http://127.0.0.1:$((8080 + n)), log $DIR/node-$n.log"
}

wait_for() { # wait_for <management port>: until the node is ready
  for _ in $(seq 1 120); do
    if curl -sf -o /dev/null "http://127.0.0.1:$1/health/ready"; then return 0; fi
    sleep 1
  done
  echo "node on port $1 did not come up; see $DIR" >&2
  return 1
}

case "${1:-}" in
  start)
    [ -f "$JAR" ] || { echo "build first: mvn -B -DskipTests package" >&2; exit 1; }
    mkdir -p "$DIR"
    node 1 ASP_DATA_DIR="$DIR/node-1" ASP_EMBEDDED_DB_PORT=$DB_PORT
    wait_for 9091
    for n in $(seq 2 "$NODES"); do
      node $n ASP_DATABASE_URL="postgresql://postgres@127.0.0.1:$DB_PORT/postgres"
    done
    for n in $(seq 2 "$NODES"); do wait_for $((9090 + n)); done
    echo "cluster up"
    ;;
  stop)
    for n in 9 8 7 6 5 4 3 2 1; do
      if [ -f "$DIR/node-$n.pid" ]; then
        pid=$(cat "$DIR/node-$n.pid")
        kill "$pid" 2>/dev/null && echo "stopping node $n (pid $pid)"
        while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
        rm -f "$DIR/node-$n.pid"
      fi
    done
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
