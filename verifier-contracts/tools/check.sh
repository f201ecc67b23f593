#!/usr/bin/env bash
# The contracts' test command (Maven's test phase runs it): installs the pinned toolchain if needed,
# runs every forge test, then measures the per-call gas tests (test/Gas.t.sol) and compares them with
# the checked-in .gas-snapshot: a test that costs more than 5% above its checked-in gas fails the run.
# `tools/check.sh --update` rewrites .gas-snapshot and gas-report.txt instead of comparing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
tools/setup.sh >/dev/null
tools/forge test
tmp="$(mktemp "${TMPDIR:-/tmp}/zkm-gas.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
tools/forge snapshot --match-contract GasTest --snap "$tmp" >/dev/null
if [[ "${1:-}" == "--update" ]]; then
  cp "$tmp" .gas-snapshot
  tools/forge test --match-contract GasTest --gas-report | sed -e 's/\x1b\[[0-9;]*m//g' > gas-report.txt
  echo "updated .gas-snapshot and gas-report.txt"
  exit 0
fi
tools/gascompare .gas-snapshot "$tmp" 5
