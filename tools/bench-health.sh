#!/usr/bin/env bash
# Health proving benchmarks at the production size, in one run (issue 2 item 10):
#   constraints; Go Engine.Prove (go test -bench, ns/op); Java Gnark.prove through JNI (JMH sample time:
#   p50/p95); Gnark.verify; HealthProver.prove; JNI overhead ratio = Java prove mean / Go prove mean,
#   both proving the same circuit and the same witness file.
# Usage: tools/bench-health.sh [extra JMH options, e.g. -wi 1 -i 3]
# Env: ZKM_BENCH_GO_N (Go proofs per Go run, default 10), ZKM_BENCH_OUT (output dir, default target/bench).
# Takes ~7 minutes on 2 cores (plus ~1 min of development setup the first time). Outputs in $OUT:
#   witness.json, go-bench-{1,2}.txt (Go before and after JMH of Gnark.prove), jmh-{prove,others}.{json,txt},
#   summary.txt.
# The ratio compares means measured minutes apart: on a loaded machine read it with the load average printed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/tools/env.sh"
cd "$ROOT"
OUT="${ZKM_BENCH_OUT:-$ROOT/target/bench}"
GO_N="${ZKM_BENCH_GO_N:-10}"
CIRCUIT=health-D32-I12-P8-A4-S16-T4
mkdir -p "$OUT"
start=$(date +%s)
load() { cut -d' ' -f1-3 /proc/loadavg; }
LOAD_START="$(load)"
step() { echo "== [$(( $(date +%s) - start )) s, load $(load)] $*" >&2; }

step "build: mvn -DskipTests install -pl prover -am"
mvn -B -q -ntp -DskipTests install -pl prover -am
mvn -B -q -ntp -pl prover dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$OUT/cp.txt" >/dev/null
# this tree's modules, not whatever another checkout last installed into ~/.m2
VERSION=0.1.0-SNAPSHOT
CP="$ROOT/prover/target/test-classes:$ROOT/prover/target/classes"
IFS=: read -r -a ENTRIES < "$OUT/cp.txt" || true  # no trailing newline: read returns 1 at EOF
for e in "${ENTRIES[@]}"; do
  case "$e" in
    */io/zkmargin/native/*) CP="$CP:$ROOT/native/target/native-$VERSION.jar" ;;
    */io/zkmargin/risk-model/*) CP="$CP:$ROOT/risk-model/target/risk-model-$VERSION.jar" ;;
    */io/zkmargin/commitment/*-tests.jar) CP="$CP:$ROOT/commitment/target/commitment-$VERSION-tests.jar" ;;
    */io/zkmargin/commitment/*) CP="$CP:$ROOT/commitment/target/commitment-$VERSION.jar" ;;
    *) CP="$CP:$e" ;;
  esac
done
JAVA=(java -Dzkm.root="$ROOT" -cp "$CP")
export LD_PRELOAD="$ZKM_JSIG${LD_PRELOAD:+:$LD_PRELOAD}"

step "witness: production demo venue, witness JSON -> $OUT/witness.json (and keys, once)"
"${JAVA[@]}" io.zkmargin.prover.bench.WriteBenchWitness "$OUT/witness.json" | tee "$OUT/witness.txt"

# On a shared machine the load drifts: the Go benchmark runs right before and right after the JMH run of
# Gnark.prove, so that the ratio compares the same minutes; the other Java benchmarks run afterwards.
go_bench() {
  step "Go: BenchmarkProve on the witness, ${GO_N} proofs (run $1)"
  # LD_PRELOAD is for JVMs only
  env -u LD_PRELOAD ZKM_BENCH_CIRCUIT="$CIRCUIT" ZKM_BENCH_WITNESS="$OUT/witness.json" \
    go test ./native/go/engine -run '^$' -bench '^BenchmarkProve$' -benchtime "${GO_N}x" -count 1 -timeout 20m \
    | tee "$OUT/go-bench-$1.txt"
}
jmh() { # <name> <benchmark regex> [JMH options]
  local name="$1" regex="$2"
  shift 2
  step "Java: JMH $name (fork 1)"
  "${JAVA[@]}" org.openjdk.jmh.Main "$regex" -f 1 -rf json -rff "$OUT/jmh-$name.json" \
    -jvmArgsAppend "-Xmx2g -Dzkm.root=$ROOT -Dzkm.bench.witness=$OUT/witness.json" "$@" \
    | tee "$OUT/jmh-$name.txt"
}
B='io\.zkmargin\.prover\.bench\.HealthProveBenchmark\.'
go_bench 1
jmh prove "${B}proveJni\$" "$@"
go_bench 2
jmh others "${B}(proveHealth|verifyJni|assembleWitness)\$" "$@"

step "summary"
{
  "${JAVA[@]}" io.zkmargin.prover.bench.BenchSummary "$CIRCUIT" circuits/constraints.txt \
    "$OUT/jmh-prove.json" "$OUT/jmh-others.json" --go "$OUT/go-bench-1.txt" "$OUT/go-bench-2.txt"
  echo "load average (1/5/15 min)        start $LOAD_START, end $(load); total $(( $(date +%s) - start )) s"
} | tee "$OUT/summary.txt"
