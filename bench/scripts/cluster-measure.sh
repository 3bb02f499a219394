#!/usr/bin/env bash
# Delivery throughput and cluster messages per event for a local cluster of NODES nodes
# (examples/local-cluster.sh), measured with asp-bench. Bounded: each workload stops by itself.
#
#   NODES=3 bench/scripts/cluster-measure.sh          # needs: mvn -B -DskipTests package
#
# Prints one line per workload (events = asp_events_committed_total over all nodes, set-up and
# warm-up included, as the bus counters are): accepted/s, delivered/s, and from the nodes' /metrics the
# committed-event announcements that crossed the cluster per committed event, and all remote
# event-bus messages (requests and publishes; Vert.x does not count replies) per committed event.
set -euo pipefail
cd "$(dirname "$0")/../.."
NODES=${NODES:-3}
TOKEN=bench-admin-token-0123456789
OUT=${OUT:-data/cluster-bench/nodes-$NODES}
BENCH="java -jar bench/target/asp-bench.jar"
mkdir -p "$OUT"
rm -rf data/cluster

export ASP_ADMIN_TOKEN=$TOKEN
NODES=$NODES examples/local-cluster.sh start >/dev/null
trap 'NODES=$NODES examples/local-cluster.sh stop >/dev/null' EXIT

URLS=$(seq -s, -f 'http://127.0.0.1:80%02g' 81 $((80 + NODES)))
PIDS=$(cat data/cluster/node-*.pid | paste -sd,)

# sum of a Prometheus series (name and label filter as a regex) over every node
scrape() {
  for n in $(seq 1 "$NODES"); do curl -s "http://127.0.0.1:$((9090 + n))/metrics"; done |
    { grep -E "^$1" || true; } | awk '{s += $NF} END {printf "%.0f", s}'
}

$BENCH provision --url http://127.0.0.1:8081 --admin-token $TOKEN --count 200 \
  --agents "$OUT/agents.json" >/dev/null

run() { # run <name> <workload args...>
  local name=$1; shift
  local commits0 remote0 announced0
  commits0=$(scrape 'asp_events_committed_total')
  announced0=$(scrape 'vertx_eventbus_processed_total\{address="asp.delivery.committed",side="remote"')
  remote0=$(scrape 'vertx_eventbus_processed_total\{[^}]*side="remote"')
  $BENCH "$@" --url "$URLS" --agents "$OUT/agents.json" --server-pid "$PIDS" \
    --json "$OUT/$name.json" >"$OUT/$name.txt"
  local commits announced remote accepted delivered
  commits=$(( $(scrape 'asp_events_committed_total') - commits0 ))
  announced=$(( $(scrape 'vertx_eventbus_processed_total\{address="asp.delivery.committed",side="remote"') - announced0 ))
  remote=$(( $(scrape 'vertx_eventbus_processed_total\{[^}]*side="remote"') - remote0 ))
  accepted=$(grep -o '"accepted_per_second" *: *[0-9.]*' "$OUT/$name.json" | head -1 | grep -o '[0-9.]*$')
  delivered=$(grep -o '"delivered_per_second" *: *[0-9.]*' "$OUT/$name.json" | head -1 | grep -o '[0-9.]*$')
  echo "nodes=$NODES $name: accepted/s=$accepted delivered/s=$delivered events=$commits" \
    "announcements-across-cluster-per-event=$(awk "BEGIN{printf \"%.2f\", $announced/($commits>0?$commits:1)}")" \
    "remote-bus-messages-per-event=$(awk "BEGIN{printf \"%.2f\", $remote/($commits>0?$commits:1)}")" \
    "clean=$(grep -o '"clean" *: *[a-z]*' "$OUT/$name.json" | head -1 | grep -o '[a-z]*$')"
}

reads0=$(scrape 'asp_replay_events_count')
run fanout-warmup fanout   # JIT warm-up of every node; reported, not quoted
run fanout fanout
run pairs pairs --warmup 100
echo "nodes=$NODES log reads by delivery over the run: $(( $(scrape 'asp_replay_events_count') - reads0 ))"
for n in $(seq 1 "$NODES"); do curl -s "http://127.0.0.1:$((9090 + n))/metrics"; done |
  grep -E '^vertx_eventbus_processed_total\{[^}]*side="remote"' |
  awk '{split($1, a, "\""); s[a[2]] += $NF} END {for (k in s) printf "  remote messages to %s: %d\n", k, s[k]}'
