#!/usr/bin/env bash
# The task-board figure of docs/benchmarks.md, in one sitting on this machine (loopback only):
# S=100 sessions x T=20 tasks, N=5 nodes submitting concurrently, against as many plain message
# sends by the same nodes into the same sessions, alternating twice on one fresh operator.
#   bench/scripts/board-measure.sh
# Needs `mvn -B -DskipTests package` first. Every run is bounded (--max-seconds).
set -uo pipefail
cd "$(dirname "$0")/../.."
PORT=${PORT:-18080}
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
DATA=$(mktemp -d)
ASP_DATA_DIR=$DATA ASP_HTTP_PORT=$PORT ASP_MANAGEMENT_PORT=0 ASP_A2A_HELLO_LIMIT=100000 \
  ASP_A2A_CONVERGE_WINDOW_MS=3600000 \
  java -jar operator/target/asp-operator.jar > "$OUT/operator.log" 2>&1 &
OP=$!
trap 'kill $OP 2>/dev/null; wait $OP 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 120); do grep -aq "serving on" "$OUT/operator.log" && break; sleep 0.5; done
PG=$(ps -eo pid,args | grep "[p]ostgres -D $DATA" | awk '{print $1}' | head -1)
bench() {
  java -jar bench/target/asp-bench.jar a2a-board --url "http://127.0.0.1:$PORT" "$@"
}
# warm-up, then the measured pairs
bench -S 20 -T 10 --op board --max-seconds 60 > /dev/null
bench -S 20 -T 10 --op message --max-seconds 60 > /dev/null
for round in 1 2; do
  for op in board message; do
    bench -S 100 -T 20 -N 5 -C 4 --op $op --server-pid "$OP,$PG" --max-seconds 120 \
      --json "$OUT/board-$op-$round.json" | tee "$OUT/board-$op-$round.txt"
  done
done
echo "reports in $OUT"
