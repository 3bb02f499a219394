#!/usr/bin/env bash
# The A2A figures of docs/benchmarks.md, in one sitting on this machine (loopback only).
#   bench/scripts/a2a-measure.sh fanout   # R=50 K=2 M=1000, long-poll and WebSocket alternating twice
#   bench/scripts/a2a-measure.sh held     # R=999 readers held open, peak RSS per view (fresh operator each)
# Needs `mvn -B -DskipTests package` first. Every run is bounded (--max-seconds, --drain-seconds).
set -uo pipefail
cd "$(dirname "$0")/../.."
MODE=${1:-fanout}
PORT=${PORT:-18080}
OUT=${OUT:-$(mktemp -d)}
OP=""
DATA=""

start_operator() {
  DATA=$(mktemp -d)
  ASP_DATA_DIR=$DATA ASP_HTTP_PORT=$PORT ASP_MANAGEMENT_PORT=0 ASP_A2A_HELLO_LIMIT=100000 \
    ASP_A2A_POLL_LIMIT=1000000 ASP_A2A_MAX_PARTICIPANTS=1000 \
    java -jar operator/target/asp-operator.jar > "$OUT/operator.log" 2>&1 &
  OP=$!
  for _ in $(seq 1 120); do grep -aq "serving on" "$OUT/operator.log" && break; sleep 0.5; done
  PG=$(ps -eo pid,args | grep "[p]ostgres -D $DATA" | awk '{print $1}' | head -1)
}

stop_operator() {
  if [ -n "$OP" ]; then kill "$OP" 2>/dev/null; wait "$OP" 2>/dev/null; OP=""; fi
  if [ -n "$DATA" ]; then rm -rf "$DATA"; DATA=""; fi
}
trap stop_operator EXIT

bench() {
  java -jar bench/target/asp-bench.jar a2a-fanout --url "http://127.0.0.1:$PORT" "$@"
}

case "$MODE" in
  fanout)
    start_operator
    bench -R 20 -K 2 -M 300 -C 4 --view poll --max-seconds 60 > /dev/null
    bench -R 20 -K 2 -M 300 -C 4 --view ws --max-seconds 60 > /dev/null
    for round in 1 2; do
      for view in poll ws; do
        bench -R 50 -K 2 -M 1000 -C 4 --view $view --server-pid "$OP,$PG" --max-seconds 120 \
          --drain-seconds 30 --json "$OUT/fanout-$view-$round.json" | tee "$OUT/fanout-$view-$round.txt"
      done
    done
    ;;
  held)
    for view in poll ws; do
      start_operator
      echo "$view: operator RSS at start $(awk '/VmRSS/ {print $2}' /proc/$OP/status) KiB"
      bench -R 999 -K 1 -M 20 -C 1 --view $view --server-pid "$OP" --max-seconds 120 \
        --drain-seconds 30 --poll-timeout-ms 50000 --json "$OUT/held-$view.json" \
        | tee "$OUT/held-$view.txt"
      stop_operator
    done
    ;;
  *) echo "usage: $0 fanout|held" >&2; exit 2 ;;
esac
echo "reports in $OUT"
