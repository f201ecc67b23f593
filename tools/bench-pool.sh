#!/usr/bin/env bash
# Proving pool benchmarks on the embedded PostgreSQL (issue 11), printing figures (not tests):
#   tools/bench-pool.sh noop 8 20000 [K] no-op jobs/s through the queue with 8 worker threads, K leased per round trip (default 1)
#   tools/bench-pool.sh health 3 60      health proofs/s (test circuit size) with 3 worker processes
#   tools/bench-pool.sh import 1000000   ./zkm venue import of 1,000,000 accounts (production size), timed
# Builds store and its modules first (skip with ZKM_BENCH_NOBUILD=1).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/tools/env.sh"
cd "$ROOT"
OUT="$ROOT/target/bench"
mkdir -p "$OUT"
if [ -z "${ZKM_BENCH_NOBUILD:-}" ]; then
  mvn -B -q -o -pl store -am install -DskipTests -Dzkm.skipGoAndForge=true
fi
mvn -B -q -o -pl store dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$OUT/store-cp.txt" >/dev/null
# this tree's modules, not whatever another checkout last installed into ~/.m2
VERSION=0.1.0-SNAPSHOT
CP="$ROOT/store/target/test-classes:$ROOT/store/target/classes"
IFS=: read -r -a ENTRIES < "$OUT/store-cp.txt" || true
for e in "${ENTRIES[@]}"; do
  case "$e" in
    */io/zkmargin/native/*) CP="$CP:$ROOT/native/target/native-$VERSION.jar" ;;
    */io/zkmargin/risk-model/*) CP="$CP:$ROOT/risk-model/target/risk-model-$VERSION.jar" ;;
    */io/zkmargin/commitment/*) CP="$CP:$ROOT/commitment/target/commitment-$VERSION.jar" ;;
    */io/zkmargin/prover/*) CP="$CP:$ROOT/prover/target/prover-$VERSION.jar" ;;
    *) CP="$CP:$e" ;;
  esac
done
MAIN=io.zkmargin.store.bench.PoolBench
if [ "${1:-}" = import ]; then MAIN=io.zkmargin.store.bench.ImportBench; shift; fi
# ZKM_BENCH_JAVA_OPTS: e.g. -Dzkm.import.indexAfterLoad=false (the primary key kept during the COPY)
LD_PRELOAD="$JAVA_HOME/lib/libjsig.so" exec java -Xmx6g -Dzkm.root="$ROOT" ${ZKM_BENCH_JAVA_OPTS:-} -cp "$CP" "$MAIN" "$@"
