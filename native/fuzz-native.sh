#!/usr/bin/env bash
# Bounded Go native fuzzing of the decoders of untrusted bytes: the engine's (proof, verifying key, proving key)
# the ceremony's (phase-1 and phase-2 contributions, .ptau files) and the EdDSA verifier's 192-byte input (sigverify): every
# byte string that untrusted input can bring to gnark's readers. Called by Maven (native/pom.xml, phase test;
# skipped with -DskipTests). Usage: native/fuzz-native.sh <repo root> [seconds per target, default 8]
#
# Minimization is capped (100 runs): a new input that reaches the pairing would otherwise take the whole
# time budget. Each target runs under a virtual memory limit, so that a decoder that trusts a length prefix again
# fails the build with "out of memory" (the failing input is saved under native/go/<package>/testdata/fuzz/)
# instead of eating the machine.
set -euo pipefail

root=${1:?repo root}
secs=${2:-${ZKM_FUZZTIME:-8}}
cd "$root"
ulimit -v 8000000

for pkg_target in engine:FuzzVerifyProof engine:FuzzLoadVerifyingKey engine:FuzzLoadProvingKey \
    ceremony:FuzzDecodePhase1 ceremony:FuzzDecodePhase2 ceremony:FuzzImportPtau sigverify:FuzzVerify; do
  pkg=${pkg_target%%:*}
  target=${pkg_target#*:}
  echo "[fuzz-native] $pkg $target for ${secs}s"
  out=$(mktemp)
  run() {
    go test "./native/go/$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "${secs}s" -fuzzminimizetime 100x -parallel 2 \
      2>&1 | tee "$out"
    return "${PIPESTATUS[0]}"
  }
  # Go's fuzzer sometimes ends a clean run with "context deadline exceeded" when its time budget runs out
  # while a worker is still on an input (no failing input is written then; seen on CI's 2 cores). Only that
  # case is run again, up to 3 runs; a failing input ("Failing input written to ...") fails the build at once.
  for attempt in 1 2 3; do
    if run; then
      break
    fi
    if [ "$attempt" = 3 ] || ! grep -q 'context deadline exceeded' "$out" || grep -q 'Failing input written' "$out"; then
      rm -f "$out"
      exit 1
    fi
    echo "[fuzz-native] $pkg $target: the fuzzer's time budget ended on a running input (no failing input): again"
  done
  rm -f "$out"
done
