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
  go test "./native/go/$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "${secs}s" -fuzzminimizetime 100x -parallel 2
done
