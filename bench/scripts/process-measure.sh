#!/usr/bin/env bash
# The deliberation and pipeline figures of docs/benchmarks.md, in one sitting on this machine
# (loopback only), on one fresh operator: 100 deliberations of 5 nodes moved through their three
# phases by posts, against as many plain messages (alternating twice); 100 pipelines of 5 steps;
# and 100 deliberations left to their 1 s phase deadlines (lateness against ASP_A2A_SWEEP_MS).
#   bench/scripts/process-measure.sh
# Needs `mvn -B -DskipTests package` first. Every run is bounded (--max-seconds).
set -uo pipefail
cd "$(dirname "$0")/../.."
PORT=${PORT:-18080}
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
DATA=$(mktemp -d)
ASP_DATA_DIR=$DATA ASP_HTTP_PORT=$PORT ASP_MANAGEMENT_PORT=0 ASP_A2A_HELLO_LIMIT=100000 \
  java -jar operator/target/asp-operator.jar > "$OUT/operator.log" 2>&1 &
OP=$!
trap 'kill $OP 2>/dev/null; wait $OP 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 120); do grep -aq "serving on" "$OUT/operator.log" && break; sleep 0.5; done
PG=$(ps -eo pid,args | grep "[p]ostgres -D $DATA" | awk '{print $1}' | head -1)
bench() {
  java -jar bench/target/asp-bench.jar a2a-process --url "http://127.0.0.1:$PORT" "$@"
}
bench -D 10 --op deliberation --max-seconds 60 > /dev/null
bench -D 10 --op message --max-seconds 60 > /dev/null
for round in 1 2; do
  for op in deliberation message; do
    bench -D 100 -N 5 -C 4 --op $op --server-pid "$OP,$PG" --max-seconds 120 \
      --json "$OUT/process-$op-$round.json" | tee "$OUT/process-$op-$round.txt"
  done
done
bench -D 100 -N 5 -C 4 --op pipeline --server-pid "$OP,$PG" --max-seconds 120 \
  --json "$OUT/process-pipeline.json" | tee "$OUT/process-pipeline.txt"
bench -D 100 -N 5 --op deadlines --server-pid "$OP,$PG" --max-seconds 120 \
  --json "$OUT/process-deadlines.json" | tee "$OUT/process-deadlines.txt"
echo "reports in $OUT"
