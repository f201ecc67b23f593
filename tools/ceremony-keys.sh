#!/usr/bin/env bash
# Regenerates the keys and the checked-in verifier of one circuit from a fresh local ceremony, in one go:
# phase 1 at the circuit's power, N phase-1 and N phase-2 contributions (each a separate ./zkm process, as
# N participants would run them), sealing and finalizing with the given beacons, the keys installed in the
# key store ($ZKM_KEYS or target/zkm-keys) with a ceremony manifest, and the verifier, verifying key and
# transcript exported into verifier-contracts/ (verifiers.json records the transcript hash). For the TEST
# health circuit it then regenerates the forge vector test-vectors/chain/health-proof.json with those keys.
#
# A local ceremony is only as trustworthy as this machine: it is how the checked-in TEST verifier is made
# (reproducible files, one transcript); production keys come from participants on their own machines
# (./zkm ceremony serve / contribute --coordinator).
#
# usage: tools/ceremony-keys.sh [--production] [--ptau FILE] [CIRCUIT_ID] [PARTIES] [BEACON_HEX]
#   default CIRCUIT_ID: the TEST health circuit (--production: the production one,
#   health-D32-I12-P8-A4-S16-T4, 2^17); PARTIES 3; BEACON_HEX a fixed public value (replace it by a drand
#   round published after the last contribution for anything but tests).
#   --ptau FILE: phase 1 imported from a public Perpetual Powers of Tau file of power >= the circuit's
#   (e.g. powersOfTau28_hez_final_17.ptau, see native/README.md) instead of a local phase 1.
# Run after a circuit change (CheckedInVerifierTest says when), e.g. after merging "leaf v2".
# Production size on 2 loaded cores: hours (phase-2 init and finalize each run gnark's Phase2.Initialize;
# native/README.md has the figures).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PTAU=""
DEFAULT_ID="health-D6-I3-P2-A2-S4-T2"
while [ $# -gt 0 ]; do
  case "$1" in
    --production) DEFAULT_ID="health-D32-I12-P8-A4-S16-T4"; shift ;;
    --ptau) PTAU="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"; shift 2 ;;
    *) break ;;
  esac
done
ID="${1:-$DEFAULT_ID}"
N="${2:-3}"
BEACON="${3:-7a6b6d617267696e2d746573742d626561636f6e}" # "zkmargin-test-beacon"
DIR="$(mktemp -d "${TMPDIR:-/tmp}/zkm-ceremony.XXXXXX")"
trap 'rm -rf "$DIR"' EXIT
KEYS="${ZKM_KEYS:-$ROOT/target/zkm-keys}"
# a fresh ceremony replaces the circuit's keys: remove the old ones of its current digest first
if [ -n "$PTAU" ]; then
  ./zkm ceremony phase1 import --ptau "$PTAU" --for-circuit "$ID" --dir "$DIR"
else
  ./zkm ceremony phase1 init --for-circuit "$ID" --dir "$DIR"
  for i in $(seq 1 "$N"); do ./zkm ceremony phase1 contribute --dir "$DIR"; done
  ./zkm ceremony phase1 verify --dir "$DIR"
  ./zkm ceremony phase1 seal --dir "$DIR" --beacon "$BEACON"
fi
./zkm ceremony phase2 init --circuit "$ID" --dir "$DIR"
for i in $(seq 1 "$N"); do ./zkm ceremony phase2 contribute --circuit "$ID" --dir "$DIR"; done
rm -rf "$KEYS/$ID"
./zkm ceremony phase2 finalize --circuit "$ID" --dir "$DIR" --beacon "$BEACON" --keys "$KEYS" --export-verifier
if [ "$ID" = "health-D6-I3-P2-A2-S4-T2" ]; then
  # the forge vector: a real proof with the new keys (ChainVectorGenerator, chain's test classes, which
  # `mvn -pl cli -am install` compiled; it also re-exports the same verifier)
  source tools/env.sh
  LD_PRELOAD="$ZKM_JSIG" ZKM_KEYS="$KEYS" java -Dzkm.root="$ROOT" \
    -cp "$ROOT/cli/target/zkm.jar:$ROOT/chain/target/test-classes" io.zkmargin.chain.ChainVectorGenerator
fi
echo "ceremony keys of $ID installed in $KEYS; verifier and transcript exported to verifier-contracts/"
