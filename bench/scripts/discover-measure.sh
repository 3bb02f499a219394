#!/usr/bin/env bash
# The discover figure of docs/benchmarks.md, in one sitting on this machine (loopback only):
# 10,000 open tasks (S=500 public sessions x T=20), then Q=2000 discovers, 4 in flight, cycling
# query / query+capabilities / capabilities / neither. Two corpora, each on a fresh operator:
# "dense" (60 words drawn uniformly: a query word is in about a fifth of the tasks, a worst case)
# and "zipf" (5,000 words drawn with Zipf's law, as a natural language's are); each measured twice
# with 4 in flight, then once with 1 in flight.
#   bench/scripts/discover-measure.sh
# Needs `mvn -B -DskipTests package` first. Every run is bounded (--max-seconds).
set -uo pipefail
cd "$(dirname "$0")/../.."
PORT=${PORT:-18080}
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
for corpus in dense zipf; do
  DATA=$(mktemp -d)
  ASP_DATA_DIR=$DATA ASP_HTTP_PORT=$PORT ASP_MANAGEMENT_PORT=0 ASP_A2A_HELLO_LIMIT=100000 \
    java -jar operator/target/asp-operator.jar > "$OUT/operator-$corpus.log" 2>&1 &
  OP=$!
  trap 'kill $OP 2>/dev/null; wait $OP 2>/dev/null; rm -rf "$DATA"' EXIT
  for _ in $(seq 1 120); do grep -aq "serving on" "$OUT/operator-$corpus.log" && break; sleep 0.5; done
  PG=$(ps -eo pid,args | grep "[p]ostgres -D $DATA" | awk '{print $1}' | head -1)
  VOCABULARY=0
  [ "$corpus" = zipf ] && VOCABULARY=5000
  bench() {
    java -jar bench/target/asp-bench.jar a2a-discover --url "http://127.0.0.1:$PORT" \
      --vocabulary $VOCABULARY --server-pid "$OP,$PG" --max-seconds 120 "$@"
  }
  # the corpus (10,000 tasks) and a warm-up, then two measured runs over the same corpus
  bench -S 500 -T 20 -Q 400 > /dev/null
  for round in 1 2; do
    bench -S 1 -T 1 -Q 2000 -C 4 --json "$OUT/discover-$corpus-$round.json" \
      | tee "$OUT/discover-$corpus-$round.txt"
  done
  # one at a time: the latency of a discover, without queueing behind the others
  bench -S 1 -T 1 -Q 1000 -C 1 --json "$OUT/discover-$corpus-serial.json" \
    | tee "$OUT/discover-$corpus-serial.txt"
  kill $OP; wait $OP 2>/dev/null; rm -rf "$DATA"
done
echo "reports in $OUT"
