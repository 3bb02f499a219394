#!/usr/bin/env bash
# The idle-node memory figure of docs/benchmarks.md (issue 11), in one sitting on this machine
# (loopback only): 1,000 hub nodes each holding one idle long-poll, against the same 1,000 nodes
# each holding one idle WebSocket, each view on a fresh operator, twice. The figure is the
# operator JVM's resident memory with them open minus before (after the hellos).
#   bench/scripts/idle-measure.sh
# Needs `mvn -B -DskipTests package` first. Every run is bounded (--max-seconds).
set -uo pipefail
cd "$(dirname "$0")/../.."
PORT=${PORT:-18080}
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
for round in 1 2; do
  for view in poll ws; do
    DATA=$(mktemp -d)
    ASP_DATA_DIR=$DATA ASP_HTTP_PORT=$PORT ASP_MANAGEMENT_PORT=0 ASP_A2A_HELLO_LIMIT=100000 \
      java -jar operator/target/asp-operator.jar > "$OUT/operator-$view-$round.log" 2>&1 &
    OP=$!
    for _ in $(seq 1 120); do grep -aq "serving on" "$OUT/operator-$view-$round.log" && break; sleep 0.5; done
    java -jar bench/target/asp-bench.jar a2a-idle --url "http://127.0.0.1:$PORT" -N 1000 \
      --view $view --hold-seconds 20 --server-pid "$OP" --max-seconds 120 \
      --json "$OUT/idle-$view-$round.json" | tee "$OUT/idle-$view-$round.txt"
    kill $OP; wait $OP 2>/dev/null; rm -rf "$DATA"
  done
done
echo "reports in $OUT"
