#!/usr/bin/env bash
# Writes the ABI and creation bytecode of src/Settlement.sol (Settlement.abi, Settlement.bin) into OUTDIR,
# compiled by the pinned solcjs with OpenZeppelin from node_modules (the remapping forge uses) and the
# optimizer settings of foundry.toml. The chain module's build runs it and generates its Java binding
# (web3j codegen) from these files, so the Java client follows every change of the contract's ABI.
# Skips the compile when the sources and lockfile are those of the last run (a sha256 stamp in OUTDIR).
# Usage: tools/abi.sh OUTDIR
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(mkdir -p "${1:?usage: tools/abi.sh OUTDIR}" && cd "$1" && pwd)"
cd "$here"
tools/setup.sh >/dev/null
want="$(cat src/*.sol package-lock.json foundry.toml | sha256sum | cut -d' ' -f1)"
if [[ "$(cat "$out/.stamp" 2>/dev/null || true)" == "$want" && -s "$out/Settlement.abi" && -s "$out/Settlement.bin" ]]; then
  exit 0
fi
tmp="$(mktemp -d "${TMPDIR:-/tmp}/zkm-abi.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
node node_modules/solc/solc.js --optimize --optimize-runs 200 --abi --bin --base-path . \
  --include-path node_modules -o "$tmp" src/Settlement.sol >/dev/null
cp "$tmp/src_Settlement_sol_Settlement.abi" "$out/Settlement.abi"
cp "$tmp/src_Settlement_sol_Settlement.bin" "$out/Settlement.bin"
echo "$want" > "$out/.stamp"
